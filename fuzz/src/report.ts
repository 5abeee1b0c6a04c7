// The text a run prints: counts, error classes, failures with their calls, plain Errors.
import type { Report } from './run.js';

export function formatReport(r: Report): string {
  const lines: string[] = [];
  const threw = Object.values(r.errorClasses).reduce((a, b) => a + b, 0);
  const kinds = (k: string) => r.failures.filter((f) => f.outcome.kind === k).length;
  const minimising = r.wallMs - r.callsMs > 1000 ? ` (then ${((r.wallMs - r.callsMs) / 1000).toFixed(1)} s replaying and minimising failures)` : '';
  lines.push(`seed ${r.seed}: ${r.calls} calls in ${(r.callsMs / 1000).toFixed(1)} s${minimising}; ${r.ok} returned, ${threw} threw`);
  lines.push(`errors by class: ${Object.entries(r.errorClasses).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
  lines.push(`failures: ${r.failures.length} (crash ${kinds('crash')}, hang ${kinds('hang')}, memory ${kinds('memory')}, broken ${kinds('broken')}, strict ${kinds('threw')})`);
  for (const f of r.failures) {
    lines.push('');
    lines.push(`FAIL ${f.outcome.kind} in ${f.target} (call ${f.index}${f.reproduced === undefined ? ', not retried' : f.reproduced ? ', reproduced alone' : ', not reproduced alone'})`);
    lines.push(`  ${'detail' in f.outcome ? f.outcome.detail : f.outcome.kind === 'threw' ? `${f.outcome.errorClass}: ${f.outcome.message}` : ''}`);
    lines.push(`  call:      ${f.expr}`);
    if (f.minimised && f.minimised !== f.expr) lines.push(`  minimised: ${f.minimised}`);
    lines.push(`  replay:    npm run fuzz -- --replay ${shellQuote(f.minimised ?? f.expr)}`);
  }
  if (r.plainErrors.length > 0) {
    lines.push('');
    lines.push(`plain Errors (not TypeError/RangeError/MlxError): ${r.plainErrors.length} kinds, ${r.plainErrors.reduce((n, p) => n + p.count, 0)} calls`);
    for (const p of r.plainErrors) lines.push(`  ${p.target} x${p.count}: ${p.errorClass}: ${p.message}\n      ${p.expr}`);
  }
  if (r.unhandled.length > 0) {
    lines.push('');
    lines.push(`unhandled promise rejections: ${r.unhandled.length}`);
    for (const u of r.unhandled.slice(0, 20)) lines.push(`  ${u.errorClass}: ${u.message}\n      ${u.expr}`);
  }
  const neverOk = [...r.targets].filter(([, t]) => t.calls > 0 && t.ok === 0).map(([id]) => id);
  if (neverOk.length > 0) lines.push('', `targets with no call that returned (${neverOk.length}): ${neverOk.join(', ')}`);
  return lines.join('\n');
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
