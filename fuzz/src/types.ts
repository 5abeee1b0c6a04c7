// The one place that knows argument types: it maps a type (its schema name, or failing that its
// TypeScript type) to a generator of values. Schema type names change with the schema; adapt them here.
import type { Random } from './random.js';
import { print, type Element, type Recipe } from './recipe.js';
import type { ArgSpec, TypeRef } from './targets.js';
import { DTYPES, float, integer, shapeList, tensor, wrongValue, type CallContext } from './values.js';

/** How often an argument gets a value of the wrong kind instead of one of its type. */
const WRONG_RATE = 0.06;

export function generateArg(spec: ArgSpec, ctx: CallContext): Recipe {
  const { rng } = ctx;
  const type = rng.pick(spec.types);
  if (rng.chance(WRONG_RATE)) return wrongValue(rng, type.wrong);
  if (type.values && type.values.length > 0) return str(rng.chance(0.9) ? rng.pick(type.values) : junkString(rng));
  const generator = BY_NAME[type.name] ?? byTsType(type);
  return generator(ctx, spec);
}

type Generator = (ctx: CallContext, spec: ArgSpec) => Recipe;

const value = (v: Element | string | null | undefined): Recipe => ({ kind: 'value', value: v });
const str = (s: string): Recipe => ({ kind: 'value', value: s });
const list = (items: Recipe[]): Recipe => ({ kind: 'list', items });
const code = (c: string): Recipe => ({ kind: 'code', code: c });
const times = <T>(rng: Random, lo: number, hi: number, make: () => T): T[] => Array.from({ length: rng.int(lo, hi) }, make);

/** Mostly one of the dtypes the schema allows the argument (now and then any, to reach its dtype check). */
function allowedDtype(ctx: CallContext, spec: ArgSpec): string | undefined {
  return spec.dtypes && spec.dtypes.length > 0 && ctx.rng.chance(0.8) ? ctx.rng.pick(spec.dtypes) : undefined;
}

const tensorArg: Generator = (ctx, spec) =>
  spec.name === 'key' && ctx.rng.chance(0.6) ? code(`mx.random.key(${ctx.rng.int(0, 9)})`) : tensor(ctx, { dtype: allowedDtype(ctx, spec) });

/** A tensor, or JS data `mx.array` converts (a lone number is a weak scalar). */
const arrayLike: Generator = (ctx, spec) => {
  const { rng } = ctx;
  if (!rng.chance(0.15)) return tensorArg(ctx, spec);
  return rng.pick<() => Recipe>([
    () => value(float(rng)),
    () => value(integer(rng)),
    () => value(rng.chance(0.5)),
    () => value(BigInt(integer(rng))),
    () => list(times(rng, 0, 4, () => value(float(rng)))),
    () => list(times(rng, 1, 3, () => list([value(1), value(2)]))),
    () => code(`new Int32Array([${times(rng, 0, 4, () => integer(rng)).join(', ')}])`),
    () => value({ re: float(rng), im: float(rng) }),
  ])();
};

const indices: Generator = (ctx) => {
  const { rng } = ctx;
  const ints = () => times(rng, 0, 4, () => rng.int(-3, 5));
  if (rng.chance(0.3)) return list(ints().map((v) => value(v)));
  const dtype = rng.pick(['int32', 'int32', 'uint32', 'int64', 'int8', 'uint8', 'float32', 'bool']);
  return tensor(ctx, { dtype, shape: rng.chance(0.5) ? [rng.int(0, 4)] : undefined });
};

const intList = (rng: Random): Recipe => list(times(rng, 0, 3, () => value(integer(rng))));

const path: Generator = (ctx) => {
  const { rng } = ctx;
  const name = rng.pick(['a.npy', 'b.safetensors', 'c.gguf', 'd.txt', 'e', 'missing/f.npy', '', '.npy']);
  return rng.chance(0.85) ? code(`TMP + ${JSON.stringify(`/${name}`)}`) : code(rng.pick(['TMP', "'/dev/null'", "'/dev/zero'", "''", "'\\u0000'"]));
};

function junkString(rng: Random): string {
  return rng.pick(['', 'x', 'nonsense', 'FLOAT32', ' ', 'a'.repeat(200)]);
}

const BY_NAME: Record<string, Generator> = {
  Tensor: tensorArg,
  ArrayLike: arrayLike,
  MaybeTensor: (ctx, spec) => (ctx.rng.chance(0.3) ? value(null) : tensorArg(ctx, spec)),
  Indices: indices,
  'ArrayLike[]': (ctx, spec) => list(times(ctx.rng, 0, 4, () => arrayLike(ctx, spec))),
  int: (ctx) => value(integer(ctx.rng)),
  'int[]': (ctx) => intList(ctx.rng),
  float: (ctx) => value(float(ctx.rng)),
  bool: (ctx) => value(ctx.rng.chance(0.5)),
  str: (ctx, spec) => {
    if (spec.name === 'file') return path(ctx, spec);
    const { rng } = ctx;
    return str(spec.strings.length > 0 && rng.chance(0.8) ? rng.pick(spec.strings) : junkString(rng));
  },
  Dtype: (ctx, spec) => str(allowedDtype(ctx, spec) ?? (ctx.rng.chance(0.9) ? ctx.rng.pick(DTYPES) : ctx.rng.pick(['float33', 'Float32', 'int', '']))),
  Shape: (ctx) => (ctx.rng.chance(0.2) ? value(integer(ctx.rng)) : list(shapeList(ctx.rng).map((d) => value(d)))),
  PadWidth: (ctx) => {
    const { rng } = ctx;
    const n = () => value(rng.chance(0.9) ? rng.int(0, 3) : integer(rng));
    return rng.pick<() => Recipe>([() => n(), () => list([n(), n()]), () => list(times(rng, 0, 4, () => list([n(), n()])))])();
  },
  'int[][]': (ctx) => list(times(ctx.rng, 0, 3, () => intList(ctx.rng))),
  IntPerAxis: (ctx) => (ctx.rng.chance(0.5) ? value(ctx.rng.int(-1, 3)) : list(times(ctx.rng, 1, 3, () => value(ctx.rng.int(-1, 3))))),
  IntOrList: (ctx) => (ctx.rng.chance(0.5) ? value(integer(ctx.rng)) : intList(ctx.rng)),
  Sizes: (ctx) => list(times(ctx.rng, 0, 4, () => value(ctx.rng.chance(0.15) ? -1 : ctx.rng.int(0, 6)))),
  TensorMap: (ctx) => ({ kind: 'object', entries: times(ctx.rng, 0, 3, () => [ctx.rng.pick(['a', 'b.c', '', 'weight']), tensor(ctx)] as [string, Recipe]) }),
  StringMap: (ctx) => ({ kind: 'object', entries: times(ctx.rng, 0, 2, () => [ctx.rng.pick(['k', 'format', '']), str(junkString(ctx.rng))] as [string, Recipe]) }),
  GgufMetadata: (ctx) => {
    const { rng } = ctx;
    const entry = (): [string, Recipe] => [
      rng.pick(['general.name', 'n', 'k', '']),
      rng.pick<() => Recipe>([() => str('x'), () => value(float(rng)), () => value(7n), () => value(true), () => list([str('a'), str('b')]), () => tensor(ctx)])(),
    ];
    return { kind: 'object', entries: times(rng, 0, 3, entry) };
  },

  // Kinds only the hand-written exports take (handwritten.ts).
  Path: path,
  Function: (ctx) => code(ctx.rng.pick(FUNCTIONS)),
  Tree: (ctx) => {
    const { rng } = ctx;
    return rng.pick<() => Recipe>([
      () => tensor(ctx),
      () => list([tensor(ctx), tensor(ctx)]),
      () => ({ kind: 'object', entries: [['a', tensor(ctx)], ['b', list([tensor(ctx)])]] }),
      () => list([]),
      () => value(float(rng)),
    ])();
  },
  Quantized: (ctx) => code(`quant.quantize(${print(tensor(ctx, { dtype: ctx.rng.pick(['float32', 'float16', 'bfloat16']), shape: [ctx.rng.pick([1, 2, 4]), ctx.rng.pick([32, 64, 128])] }))})`),
  Handle: (ctx) =>
    ctx.rng.chance(0.6)
      ? code(`${print(tensor(ctx))}.toSharedMemory()`)
      : code(ctx.rng.pick(["{ name: '/mlxts-fuzz-none', byteLength: 8, shape: [2], dtype: 'float32' }", "{ name: 'x' }", '{}'])),
  Bytes: (ctx) => code(ctx.rng.pick(['new Uint8Array(8)', 'new ArrayBuffer(12)', 'Buffer.alloc(3)', 'new Float32Array([1, 2])', 'new Uint8Array(0)'])),
  Index: (ctx) => {
    const { rng } = ctx;
    return rng.pick<() => Recipe>([
      () => value(rng.int(-3, 3)),
      () => str(rng.pick([':', '1:3', '::-1', '::2', '...', '::0', '1:2:3:4', '-1:', 'x', ''])),
      () => value(null),
      () => list(times(rng, 0, 3, () => value(rng.int(-2, 2)))),
      () => indices(ctx, { name: 'index', types: [], optional: false, strings: [] }),
      () => code(`new mx.Slice(${rng.int(-2, 2)}, ${rng.int(-2, 4)})`),
    ])();
  },
  Device: (ctx) => str(ctx.rng.chance(0.8) ? ctx.rng.pick(['cpu', 'gpu']) : junkString(ctx.rng)),
  Stream: (ctx) => code(ctx.rng.pick(["'cpu'", "'gpu'", "mx.newStream('cpu')", "mx.defaultStream('cpu')", "'tpu'", '{ device: 1 }'])),
  any: (ctx) => (ctx.rng.chance(0.5) ? tensor(ctx) : ctx.rng.chance(0.5) ? value(integer(ctx.rng)) : wrongValue(ctx.rng)),
};

/** Functions handed to transforms and scopes: well-behaved ones, and ones that return or throw oddities. */
const FUNCTIONS = [
  '(x) => mx.sum(mx.multiply(x, x))', '(x) => x', '(x, y) => mx.add(x, y)', '(...xs) => mx.sum(xs[0])',
  '() => mx.ones([2])', '(x) => mx.exp(x).sum()', '(x) => [x, mx.negative(x)]', '(x) => ({ a: x })',
  '(x) => 5', '(x) => null', "(x) => { throw new RangeError('thrown by the function') }", 'async (x) => x',
  '(x) => x.toArray()', '(x) => mx.evalSync(x)', '(x) => x.item()', '(x) => (x.dispose(), x)',
];

/** A type name this file does not know (a renamed or new schema type): generate from its TS type. */
function byTsType(type: TypeRef): Generator {
  const ts = type.ts;
  if (/Tensor|ArrayLike/.test(ts)) return ts.includes('[]') ? BY_NAME['ArrayLike[]'] : BY_NAME.ArrayLike;
  if (ts.includes('number[]')) return BY_NAME.IntOrList;
  if (ts === 'number') return BY_NAME.float;
  if (ts === 'boolean') return BY_NAME.bool;
  if (ts.includes("'") || ts === 'string') return BY_NAME.str;
  return BY_NAME.any;
}
