// Signature fidelity: every op with an MLX Python counterpart is called the way MLX Python calls it —
// the same name (camelCased), the same positional arguments in order, MLX Python's keyword-only
// arguments as the options object, and the same defaults — unless the op's schema says why not
// (`python: {deviation: ...}`). Pure: the ops and the scanned stubs in, the differences and problems out.
import type { Arg, Op } from './model.js';
import { formatParams, type PyParam } from './python-stubs.js';

/** An op that differs from its MLX Python counterpart, and how. */
export interface Difference {
  readonly op: Op;
  /** The MLX Python function (`fft.rfft`). */
  readonly python: string;
  /** MLX Python's signature, compactly written (`a, n=None, axis=-1, *, stream=None`). */
  readonly signature: string;
  readonly what: readonly string[];
}

/** A stream, or a random key an op draws with, which mlxts always takes in the options object. */
const isOptionEverywhere = (p: PyParam): boolean => p.name === 'stream' || (p.name === 'key' && p.default !== undefined);

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The MLX Python function an op binds: its MLX C++ name with `::` as `.` (`fft::rfft` -> `fft.rfft`). */
export function pythonNameOf(op: Op): string | undefined {
  return op.mlx[0]?.replace(/::/g, '.');
}

/** A stub default as a JS value (`None` is no default). Anything else is kept as written. */
function pyDefault(text: string | undefined): unknown {
  if (text === undefined || text === 'None') return undefined;
  if (text === 'True' || text === 'False') return text === 'True';
  if (/^-?\d+(\.\d*)?(e-?\d+)?$/i.test(text)) return Number(text);
  const quoted = /^(['"])(.*)\1$/.exec(text);
  return quoted ? quoted[2] : text;
}

function differencesFrom(op: Op, python: string, params: readonly PyParam[]): string[] {
  const what: string[] = [];
  const pyName = camel(python.split('.').pop()!);
  if (pyName !== op.jsName) what.push(`named ${op.jsName}, MLX Python's ${pyName}`);
  // A stream and a random key are options of every op that takes one (mlxts's convention, stated on the
  // fidelity page); other parameters keep MLX Python's positions. Positional names may differ: only
  // their order reaches a caller.
  const rest = params.find((p) => p.kind === 'rest');
  const pyPositional = params.filter((p) => p.kind === 'positional' && !isOptionEverywhere(p));
  const pyNames = pyPositional.map((p) => camel(p.name));
  const tsRest = op.args.find((a) => a.rest);
  const tsPositional = op.args.filter((a) => !a.kwonly && !a.rest);
  const tsOptions = new Set(op.args.filter((a) => a.kwonly).map((a) => a.name));
  const pyList = `(${[...pyNames, ...(rest ? [`...${camel(rest.name)}`] : [])].join(', ')})`;
  const tsList = `(${[...tsPositional.map((a) => a.name), ...(tsRest ? [`...${tsRest.name}`] : [])].join(', ')})`;
  // Only the order of positional arguments reaches a caller, so their names may differ; but a name both
  // sides use must sit at the same place.
  const moved = tsPositional.some((a, i) => pyNames.includes(a.name) && pyNames.indexOf(a.name) !== i);
  if (tsPositional.length !== pyPositional.length || moved || (rest === undefined) !== (tsRest === undefined)) {
    what.push(`positional arguments ${tsList}, MLX Python's ${pyList}`);
  }
  const optionsThere = pyNames.filter((name) => tsOptions.has(name));
  if (optionsThere.length > 0) what.push(`${optionsThere.join(', ')} ${optionsThere.length > 1 ? 'are options' : 'is an option'} here, positional in MLX Python`);
  const pyKeywords = params.filter((p) => p.kind === 'keyword' && !isOptionEverywhere(p)).map((p) => camel(p.name));
  const missing = pyKeywords.filter((k) => !tsOptions.has(k) && !tsPositional.some((a) => a.name === k));
  if (missing.length > 0) what.push(`no option ${missing.join(', ')} (keyword-only in MLX Python)`);
  for (const p of params) {
    const arg: Arg | undefined = op.args.find((a) => a.name === camel(p.name));
    if (!arg) continue;
    const expected = pyDefault(p.default);
    if (p.default === undefined && arg.optional) continue; // optional here, required there: a convenience
    if (p.default !== undefined && !arg.optional) what.push(`${arg.name} is required, MLX Python defaults it to ${p.default}`);
    else if (expected !== undefined && arg.default !== undefined && expected !== arg.default) {
      what.push(`${arg.name} defaults to ${JSON.stringify(arg.default)}, MLX Python's to ${p.default}`);
    }
  }
  return what;
}

/**
 * Every op whose signature differs from its MLX Python counterpart (the closest overload where there are
 * several). Ops without a counterpart in `python` are not compared.
 */
export function signatureDifferences(ops: readonly Op[], python: ReadonlyMap<string, readonly PyParam[][]>): Difference[] {
  const out: Difference[] = [];
  for (const op of ops) {
    const name = pythonNameOf(op);
    const overloads = name === undefined ? undefined : python.get(name);
    if (!overloads) continue;
    const candidates = overloads.map((params) => ({ params, what: differencesFrom(op, name!, params) }));
    const closest = candidates.reduce((a, b) => (b.what.length < a.what.length ? b : a));
    if (closest.what.length > 0) out.push({ op, python: name!, signature: formatParams(closest.params), what: closest.what });
  }
  return out;
}

/** Whether an op has an MLX Python counterpart to compare with. */
export function hasCounterpart(op: Op, python: ReadonlyMap<string, unknown>): boolean {
  const name = pythonNameOf(op);
  return name !== undefined && python.has(name);
}

/**
 * What the check refuses, per op: a difference the op's schema gives no reason for, and a reason on an
 * op that does not differ (any more).
 */
export function fidelityProblems(ops: readonly Op[], differences: readonly Difference[]): { op: Op; message: string }[] {
  const problems: { op: Op; message: string }[] = [];
  const differing = new Set(differences.map((d) => d.op.id));
  for (const d of differences) {
    if (d.op.pythonDeviation === undefined) {
      problems.push({
        op: d.op,
        message: `differs from MLX Python's ${d.python}(${d.signature}): ${d.what.join('; ')}. Match it, or say why not in \`python: {deviation: ...}\``,
      });
    }
  }
  for (const op of ops) {
    if (op.pythonDeviation !== undefined && !differing.has(op.id)) {
      problems.push({ op, message: 'python.deviation: the op matches its MLX Python counterpart (or has none); remove the deviation' });
    }
  }
  return problems;
}
