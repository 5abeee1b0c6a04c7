// The test view: the opSuite() configuration of each op's generated vitest file.
import type { Coverage } from '../coverage.js';
import type { Arg, Op } from '../model.js';
import { dtypeArgs, type DtypeExpr } from '../rules.js';
import { isTensorArg } from '../validate.js';
import { transformChecksView, type TransformChecksView } from './transform-checks.js';
import { callArgs, fnRef, hasOptions, jsLiteral, markerText, positionalArgs } from './common.js';

export interface TestOpView {
  readonly marker: string;
  readonly path: string;
  readonly name: string;
  /** How the test refers to the op function, e.g. `mx.add` or `linalg.qr`. */
  readonly fnRef: string;
  /** The family's own module, imported under the family's name (absent for core, which is `mx`). */
  readonly familyImport?: { readonly namespace: string; readonly module: string };
  /** Set when the reference calls helpers from the family's test/support/refs.ts. */
  readonly refsModule?: string;
  readonly property?: {
    readonly kind: string;
    readonly reference: string;
    readonly dtypes: string;
    readonly domain: string;
    readonly tolerance: string;
    readonly laws: string;
    readonly inputs: string;
    readonly shapes: string;
  };
  readonly skip?: string;
  readonly examples: readonly { title: string; code: string; expect: string }[];
  readonly errors: readonly { code: string; codeText: string; error: string; message: string; phase: string }[];
  /** Calls that break rule 1 of the error rule (a wrong kind of JS value): each must be a TypeError. */
  readonly typeErrors: readonly { label: string; message: string; code: string }[];
  /** What the file imports from @mlxts/testing. */
  readonly testingImports: string;
  /** The dtype and shape rules, checked over every dtype of the arguments they name. */
  readonly rules?: {
    readonly args: string;
    readonly shapes: string;
    readonly call: string;
    readonly dtype?: string;
    readonly accepts: string;
    readonly diagonal: string;
    readonly shape?: string;
  };
  /** The generated transform checks, or why the op's gradient is not checked. */
  readonly transforms?: TransformChecksView;
  readonly notDifferentiable?: string;
}

export function testOpView(op: Op): TestOpView {
  const t = op.test;
  const typeErrors = typeErrorCases(op);
  const rules = rulesView(op);
  const transforms = transformChecksView(op);
  return {
    marker: markerText(op.file),
    path: `${op.family.dir}/test/generated/${op.qualifiedName}.test.ts`,
    name: op.qualifiedName,
    fnRef: fnRef(op),
    familyImport: op.family.id === 'core' ? undefined : { namespace: op.family.id, module: op.family.package },
    refsModule: t.reference?.includes('refs.') ? '../support/refs.js' : undefined,
    property:
      t.kind === 'none'
        ? undefined
        : {
            kind: JSON.stringify(t.kind),
            reference: t.reference!.trim(),
            dtypes: JSON.stringify(t.dtypes),
            domain: JSON.stringify(t.domain),
            tolerance: JSON.stringify(t.tolerance),
            laws: JSON.stringify(t.laws),
            inputs: JSON.stringify(t.inputs),
            shapes: JSON.stringify(t.shapes),
          },
    skip: t.coveredBy.length > 0 ? JSON.stringify(`covered by ${t.coveredBy.map(coverageText).join(', ')}`) : undefined,
    examples: op.examples.map((e) => ({ title: JSON.stringify(e.title), code: e.code.trim(), expect: jsLiteral(e.expect) })),
    errors: op.errors.map((e) => ({
      code: e.code.trim(),
      codeText: JSON.stringify(e.code.trim()),
      error: JSON.stringify(e.error),
      message: JSON.stringify(e.message),
      phase: JSON.stringify(e.phase),
    })),
    typeErrors: typeErrors.map((c) => ({ label: JSON.stringify(c.label), message: JSON.stringify(c.message), code: c.code })),
    testingImports: testingImports(typeErrors.map((c) => c.code).join('\n') + JSON.stringify(rules ?? {})),
    rules,
    transforms: 'fn' in transforms ? transforms : undefined,
    notDifferentiable: 'reason' in transforms ? transforms.reason : undefined,
  };
}

function coverageText(c: Coverage): string {
  return c.kind === 'examples' ? 'the examples' : `${c.file} > ${c.title}`;
}

/** Argument types whose values are tensors (a disposed tensor is the wrong kind of value for them). */
const TENSOR_TYPES = ['Tensor', 'MaybeTensor', 'ArrayLike', 'Indices'];

/**
 * Rule 1 of the error rule, for every argument: a value of the wrong kind (`{}`, and the type's own
 * `wrong` values), a disposed tensor where a tensor goes; then too many arguments and an unknown option.
 * The other arguments are valid values of their types (optional ones left out), so the error can only
 * come from the argument under test.
 */
export function typeErrorCases(op: Op): { label: string; message: string; code: string }[] {
  const cases: { label: string; message: string; code: string }[] = [];
  for (const arg of op.args) {
    // `{}` is the wrong kind for every type but a record (an empty one is a valid value).
    const records = arg.types.some((t) => t.ts.startsWith('Record<'));
    // A rest argument's items are checked one by one; a trailing `{}` would be the options object.
    const wrong = [...new Set([...(records || arg.rest ? [] : ['{}']), ...arg.types.flatMap((t) => t.wrong)])];
    for (const value of wrong) {
      cases.push({ label: `${arg.name} = ${value}`, message: arg.name, code: callWith(op, arg, `${value} as never`) });
    }
    if (arg.types.some((t) => TENSOR_TYPES.includes(t.name))) {
      cases.push({ label: `${arg.name} = a disposed tensor`, message: arg.name, code: callWith(op, arg, 'disposed()') });
    } else if (arg.types.some((t) => t.name === 'ArrayLike[]')) {
      cases.push({ label: `${arg.name} = [a disposed tensor]`, message: arg.name, code: callWith(op, arg, '[disposed()]') });
    }
  }
  const all = positionalArgs(op).map((a) => (a.optional ? 'undefined' : spread(a, validValue(a))));
  const extra = [...all, ...(hasOptions(op) ? ['undefined'] : []), '0'];
  if (!op.args.some((a) => a.rest)) {
    cases.push({ label: 'too many arguments', message: 'expected at most', code: `(${fnRef(op)} as (...args: unknown[]) => unknown)(${extra.join(', ')})` });
  }
  if (hasOptions(op)) {
    cases.push({ label: 'an unknown option', message: "unknown option 'nope'", code: `${fnRef(op)}(${[...all, '{ nope: 1 } as never'].join(', ')})` });
  }
  return cases;
}

function validValue(arg: Arg): string {
  return arg.types[0].valid;
}

/** A value as a call passes it: a rest argument's list is spread. */
function spread(arg: Arg, value: string): string {
  return arg.rest ? `...${value}` : value;
}

/** A call of the op with `value` for `arg` and valid values for the required arguments. */
function callWith(op: Op, arg: Arg, value: string): string {
  return `${fnRef(op)}(${callArgs(op, (a) => (a === arg ? value : a.optional ? undefined : validValue(a)))})`;
}

/** The helpers of @mlxts/testing that the generated code calls. */
function testingImports(code: string): string {
  const names = ['atLeastFloat', 'disposed', 'mapDtype', 'promoteTypes'].filter((n) => code.includes(`${n}(`));
  return [...names, 'opSuite'].sort().join(', ');
}

/** Shapes the arguments of a broadcast rule get, chosen to broadcast to [2, 4, 3] in a non-trivial way. */
const BROADCAST_SHAPES = [[2, 1, 3], [4, 1], [3], [1, 1, 1]];

/**
 * The generated check of an op's dtype and shape rules: the op is called with zeros of every dtype for
 * each argument the rules name (and of their shapes), and the result's dtype and shape must be what
 * the rules say, or the call an MlxError (a dtype the op does not take).
 */
export function rulesView(op: Op): TestOpView['rules'] {
  if (!op.dtypeRule && !op.shapeRule) return undefined;
  if (op.returns.type === 'void') return undefined;
  const named = new Set([...(op.dtypeRule ? dtypeArgs(op.dtypeRule.expr) : []), ...shapeArgNames(op)]);
  let swept = op.args.filter((a) => named.has(a.name) && isTensorArg(a));
  if (swept.length === 0) swept = op.args.filter((a) => isTensorArg(a) && !a.optional);
  if (swept.length === 0) return undefined;
  const shapes = swept.map((a) => shapeFor(op, a));
  const index = new Map(swept.map((a, i) => [a.name, i]));
  const sample = (a: Arg) => (typeof op.test.sample[a.name] === 'string' ? (op.test.sample[a.name] as string) : undefined);
  const value = (a: Arg) => (index.has(a.name) ? `t[${index.get(a.name)}]` : sample(a) ?? (a.optional ? undefined : a.types[0].valid));
  const dtypeExpr = op.dtypeRule ? tsDtype(op.dtypeRule.expr, index) : undefined;
  const map = op.dtypeRule?.map ?? {};
  return {
    args: JSON.stringify(swept.map((a) => a.name)),
    shapes: JSON.stringify(shapes),
    call: `(t: mx.Tensor[]) => ${fnRef(op)}(${callArgs(op, value)})`,
    dtype: dtypeExpr && `(d: mx.DType[]) => ${Object.keys(map).length > 0 ? `mapDtype(${dtypeExpr}, ${JSON.stringify(map)})` : dtypeExpr}`,
    accepts: JSON.stringify(swept.map((a) => a.dtypes ?? null)),
    diagonal: JSON.stringify(op.test.kind === 'none' ? [] : op.test.dtypes),
    shape: op.shapeRule ? JSON.stringify(expectedShape(op, swept, shapes)) : undefined,
  };
}

function shapeArgNames(op: Op): string[] {
  const r = op.shapeRule;
  if (!r || r.kind === 'scalar') return [];
  return r.kind === 'broadcast' ? [...r.args] : [r.arg];
}

function shapeFor(op: Op, arg: Arg): number[] {
  const given = op.test.sample[arg.name];
  if (Array.isArray(given)) return [...given];
  const r = op.shapeRule;
  if (r?.kind === 'broadcast' && r.args.includes(arg.name)) return BROADCAST_SHAPES[r.args.indexOf(arg.name) % BROADCAST_SHAPES.length];
  return [2, 3];
}

function expectedShape(op: Op, swept: readonly Arg[], shapes: readonly number[][]): number[] {
  const r = op.shapeRule!;
  const shapeOf = (name: string) => shapes[swept.findIndex((a) => a.name === name)];
  if (r.kind === 'scalar') return [];
  if (r.kind === 'same') return shapeOf(r.arg);
  if (r.kind === 'reduce') {
    // The axis is left out (every axis is reduced) and keepdims takes its default.
    const keepdims = op.args.find((a) => a.name === r.keepdims)?.default === true;
    return keepdims ? shapeOf(r.arg).map(() => 1) : [];
  }
  const all = r.args.map(shapeOf);
  const ndim = Math.max(...all.map((s) => s.length));
  return Array.from({ length: ndim }, (_, i) => Math.max(...all.map((s) => s[s.length - ndim + i] ?? 1)));
}

/** A dtype expression as TS over `d`, the dtypes of the swept arguments. */
function tsDtype(expr: DtypeExpr, index: ReadonlyMap<string, number>): string {
  if (expr.kind === 'dtype') return `'${expr.name}'`;
  if (expr.kind === 'arg') return `d[${index.get(expr.name)}]`;
  if (expr.kind === 'atLeastFloat') return `atLeastFloat(${tsDtype(expr.expr, index)})`;
  return expr.items.map((e) => tsDtype(e, index)).reduce((acc, e) => `promoteTypes(${acc}, ${e})`);
}
