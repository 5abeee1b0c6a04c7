// Signature fidelity: every op with an MLX Python counterpart is called the way MLX Python calls it —
// the same name (camelCased), the same positional arguments in order, MLX Python's keyword-only
// arguments as the options object, and the same defaults — unless schema/python-deviations.yaml says
// why not. Pure: the schema and the scanned stubs in, the differences and problems out.
import type { Arg, Op, Schema } from './model.js';
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
  const tsPositional = op.args.filter((a) => !a.kwonly);
  const tsOptions = new Set(op.args.filter((a) => a.kwonly).map((a) => a.name));
  const pyList = `(${[...pyPositional.map((p) => camel(p.name)), ...(rest ? [`*${camel(rest.name)}`] : [])].join(', ')})`;
  const tsList = `(${tsPositional.map((a) => a.name).join(', ')})`;
  const reordered = tsPositional.some((a, i) => pyPositional.findIndex((p) => camel(p.name) === a.name) > i);
  if (tsPositional.length !== pyPositional.length + (rest ? 1 : 0) || reordered) {
    what.push(`positional arguments ${tsList}, MLX Python's ${pyList}`);
  } else if (rest) {
    what.push(`takes ${camel(rest.name)} as one list, MLX Python as rest arguments ${pyList}`);
  }
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
export function signatureDifferences(schema: Schema, python: ReadonlyMap<string, readonly PyParam[][]>): Difference[] {
  const out: Difference[] = [];
  for (const op of schema.ops) {
    const name = pythonNameOf(op);
    const overloads = name === undefined ? undefined : python.get(name);
    if (!overloads) continue;
    const candidates = overloads.map((params) => ({ params, what: differencesFrom(op, name!, params) }));
    const closest = candidates.reduce((a, b) => (b.what.length < a.what.length ? b : a));
    if (closest.what.length > 0) out.push({ op, python: name!, signature: formatParams(closest.params), what: closest.what });
  }
  return out;
}

/**
 * What the check refuses: a difference with no reason in the deviations list, and a reason for an op
 * that no longer differs (or does not exist).
 */
export function fidelityProblems(schema: Schema, differences: readonly Difference[], deviations: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const differing = new Set(differences.map((d) => d.op.id));
  for (const d of differences) {
    if (!deviations.has(d.op.id)) {
      problems.push(`${d.op.id}: differs from MLX Python's ${d.python}(${d.signature}): ${d.what.join('; ')}. Match it, or give the reason in schema/python-deviations.yaml`);
    }
  }
  const ids = new Set(schema.ops.map((op) => op.id));
  for (const id of deviations.keys()) {
    if (!ids.has(id)) problems.push(`schema/python-deviations.yaml: ${id} is not an op`);
    else if (!differing.has(id)) problems.push(`schema/python-deviations.yaml: ${id} matches MLX Python now; remove its entry`);
  }
  return problems;
}
