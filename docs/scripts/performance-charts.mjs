// Draws the charts of the Performance page (docs/guide/performance.md) from the numbers npm run bench:compare
// recorded (bench/RESULTS-compare.json, and bench/RESULTS-compare-gpu.json where a GPU run was recorded):
// plain SVG bars, one file per chart, written into docs/guide/performance/.
//
//   node docs/scripts/performance-charts.mjs       (npm run bench:compare runs it after the benchmark)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const results = (suffix) => new URL(`../../bench/RESULTS-compare${suffix}.json`, import.meta.url);
const out = new URL('../guide/performance/', import.meta.url);

// Short names for the cases of bench/compare.mjs, by id.
const CASE_NAMES = {
  lazyAdd: 'lazy add, created and freed',
  roundTrip: 'sum(add(a, b)).item() round trip',
  chained: '1,000 chained adds, one eval',
  evalEach: 'add + eval of every add',
  add16M: 'add of 16M floats',
  sum16M: 'sum of 16M floats',
  softmax: 'softmax [1024, 4096]',
  quantizedStack: '30 quantized layers, 1 token',
};

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13"';
const escape = (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function svg(width, height, title, body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escape(title)}" ${FONT}>
<title>${escape(title)}</title>
<rect width="${width}" height="${height}" fill="#ffffff"/>
${body.join('\n')}
</svg>
`;
}

/**
 * Each case's time ratio, mlxts over MLX Python, on a log scale around 1: bars to the left where mlxts is
 * faster, to the right where it is slower.
 */
export function ratioChart(ops, title) {
  const labelWidth = 230;
  const half = 260; // pixels for a factor of 8 either side
  const unit = half / 3; // pixels per factor of 2
  const rowHeight = 28;
  const top = 52;
  const center = labelWidth + half + 10;
  const width = center + half + 90;
  const height = top + ops.length * rowHeight + 30;
  const body = [
    `<text x="${width / 2}" y="20" text-anchor="middle" font-weight="600">${escape(title)}</text>`,
    `<text x="${center - 8}" y="40" text-anchor="end" fill="#2e7d32">← mlxts faster</text>`,
    `<text x="${center + 8}" y="40" fill="#c62828">mlxts slower →</text>`,
  ];
  for (const factor of [0.125, 0.25, 0.5, 1, 2, 4, 8]) {
    const x = center + Math.log2(factor) * unit;
    body.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 24}" stroke="${factor === 1 ? '#444' : '#ddd'}"/>`);
    body.push(`<text x="${x}" y="${height - 8}" text-anchor="middle" fill="#666">${factor < 1 ? `1/${1 / factor}` : factor}x</text>`);
  }
  ops.forEach((op, i) => {
    const y = top + i * rowHeight;
    const log = Math.max(-3, Math.min(3, Math.log2(op.ratio)));
    const x = log < 0 ? center + log * unit : center;
    const w = Math.max(1, Math.abs(log) * unit);
    const slower = op.ratio >= 1;
    const text = Math.abs(op.ratio - 1) < 0.05 ? 'equal' : slower ? `${op.ratio.toFixed(2)}x slower` : `${(1 / op.ratio).toFixed(1)}x faster`;
    body.push(`<text x="${labelWidth}" y="${y + 17}" text-anchor="end">${escape(CASE_NAMES[op.id] ?? op.id)}</text>`);
    body.push(`<rect x="${x.toFixed(1)}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowHeight - 10}" fill="${slower ? '#ef9a9a' : '#a5d6a7'}"/>`);
    const labelX = slower ? center + w + 6 : center + 6;
    body.push(`<text x="${labelX.toFixed(1)}" y="${y + 17}">${text}</text>`);
  });
  return svg(width, height, title, body);
}

/** Decode tokens per second of each runtime, linear bars. */
export function tokensChart(runtimes, title) {
  const labelWidth = 300;
  const barWidth = 380;
  const rowHeight = 30;
  const top = 36;
  const width = labelWidth + barWidth + 110;
  const height = top + runtimes.length * rowHeight + 10;
  const max = Math.max(...runtimes.map((r) => r.decodeTps));
  const colors = { mlxts: '#1565c0', mlxtsEager: '#64b5f6', python: '#8e24aa' };
  const body = [`<text x="${width / 2}" y="20" text-anchor="middle" font-weight="600">${escape(title)}</text>`];
  runtimes.forEach((r, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (r.decodeTps / max) * barWidth);
    body.push(`<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end">${escape(r.name)}</text>`);
    body.push(`<rect x="${labelWidth}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowHeight - 10}" fill="${colors[r.id] ?? '#757575'}"/>`);
    body.push(`<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 18}">${r.decodeTps.toFixed(1)} tokens/s</text>`);
  });
  return svg(width, height, title, body);
}

const RUNTIME_NAMES = { mlxts: 'mlxts', mlxtsEager: 'mlxts, not compiled', python: 'MLX Python', llama2: 'llama.cpp, 2 threads', llama1: 'llama.cpp, 1 thread' };

function chartsFor(r, device) {
  const where = device === 'gpu' ? `GPU (${r.machine.gpu ?? 'unknown'})` : `CPU (${r.machine.cpu}, ${r.machine.cores} cores, load average ${r.loadAverage.start.toFixed(0)})`;
  const runtimes = r.decode.runtimes.map((x) => ({ ...x, name: RUNTIME_NAMES[x.id] ?? x.id }));
  return {
    [`ratios-${device}.svg`]: ratioChart(r.ops, `mlxts time / MLX Python time, ${where}`),
    [`decode-${device}.svg`]: tokensChart(runtimes, `SmolLM2-135M Q4_1 greedy decode, tokens/s, ${where}`),
  };
}

function main() {
  mkdirSync(out, { recursive: true });
  for (const [suffix, device] of [['', 'cpu'], ['-gpu', 'gpu']]) {
    if (!existsSync(results(suffix))) continue;
    const r = JSON.parse(readFileSync(results(suffix), 'utf8'));
    for (const [file, text] of Object.entries(chartsFor(r, device))) {
      writeFileSync(new URL(file, out), text);
      console.log(`wrote docs/guide/performance/${file}`);
    }
  }
}

main();
