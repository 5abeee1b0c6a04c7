// Random values of each kind a call may take: tensors of every dtype and layout, numbers with their edge
// cases, shapes, and JS values of the wrong kind. Nothing here knows the schema (see types.ts).
import type { Random } from './random.js';
import type { Element, Recipe, View } from './recipe.js';

export const DTYPES = [
  'bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64',
  'float16', 'bfloat16', 'float32', 'float64', 'complex64',
] as const;

/** Floating dtypes come up more often: most ops are written for them. */
const DTYPE_WEIGHTS: readonly string[] = [...DTYPES, 'float32', 'float32', 'float32', 'float16', 'int32', 'int32'];

/** What one call's tensors have in common, so that operands often fit together and reach the kernels. */
export interface CallContext {
  readonly rng: Random;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Set once an operand of the call has a long axis (see operandShape). */
  longTaken: boolean;
}

export function callContext(rng: Random): CallContext {
  return { rng, dtype: rng.pick(DTYPE_WEIGHTS), shape: randomShape(rng), longTaken: false };
}

/** An axis long enough that two operands with it can make an op's work quadratic in it. */
const LONG_AXIS = 10_000;

const SMALL_DIMS = [0, 1, 1, 2, 2, 3, 3, 4, 5, 8];

/** Shapes with every rank up to 4, empty axes, and now and then a long axis or a huge empty one. */
export function randomShape(rng: Random): number[] {
  const roll = rng.next();
  if (roll < 0.03) return rng.pick([[100_000], [3, 40_000], [1, 65_536], [512, 512]]);
  if (roll < 0.05) return rng.pick([[2 ** 31 - 1, 0], [0, 2 ** 31 - 1], [0, 65_536, 65_536]]);
  const rank = rng.pick([0, 1, 1, 2, 2, 2, 3, 3, 4]);
  return Array.from({ length: rank }, () => rng.pick(SMALL_DIMS));
}

/**
 * A shape related to the call's shape: the same, broadcast-compatible, square, or unrelated. Only one
 * operand of a call keeps a long axis; the others get 1 there (still broadcast-compatible). Two long
 * operands make honest work quadratic in the axis (gatherMm of three [100000] operands is 10^10
 * multiply-adds), which a time limit cannot tell from a hang.
 */
export function operandShape(ctx: CallContext): number[] {
  const shape = relatedShape(ctx);
  const nonEmpty = shape.every((d) => d > 0);
  if (!nonEmpty || !shape.some((d) => d > LONG_AXIS)) return shape;
  if (!ctx.longTaken) {
    ctx.longTaken = true;
    return shape;
  }
  return shape.map((d) => (d > LONG_AXIS ? 1 : d));
}

function relatedShape(ctx: CallContext): number[] {
  const { rng, shape } = ctx;
  const roll = rng.next();
  if (roll < 0.55) return [...shape];
  if (roll < 0.7) return shape.slice(rng.int(0, shape.length)).map((d) => (rng.chance(0.3) ? 1 : d));
  if (roll < 0.8) {
    const n = rng.pick([0, 1, 2, 3, 4]);
    return rng.chance(0.7) ? [n, n] : [2, n, n];
  }
  return randomShape(rng);
}

const SPECIAL_FLOATS = [NaN, Infinity, -Infinity, -0, 1e38, -1e38, 6.6e4, 1e-45, 5e-324];
const INT_LIMITS: Record<string, [number, number]> = {
  uint8: [0, 255], uint16: [0, 65_535], uint32: [0, 4_294_967_295], uint64: [0, 2 ** 53],
  int8: [-128, 127], int16: [-32_768, 32_767], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 53), 2 ** 53],
};

/** Elements for a tensor of `dtype`: ordinary values, and with some chance the dtype's edge cases. */
export function elements(rng: Random, dtype: string): Element[] {
  const special = rng.chance(0.25);
  const count = rng.int(1, 6);
  return Array.from({ length: count }, () => element(rng, dtype, special));
}

function element(rng: Random, dtype: string, special: boolean): Element {
  if (dtype === 'bool') return rng.chance(0.5);
  if (dtype === 'complex64') return { re: element(rng, 'float32', special) as number, im: element(rng, 'float32', special) as number };
  const limits = INT_LIMITS[dtype];
  if (limits) {
    const v = special && rng.chance(0.6) ? rng.pick(limits) : rng.int(dtype.startsWith('u') ? 0 : -5, 9);
    return dtype.endsWith('64') && rng.chance(0.5) ? BigInt(v) : v;
  }
  if (special && rng.chance(0.6)) return rng.pick(SPECIAL_FLOATS);
  return rng.chance(0.5) ? rng.int(-4, 8) : Math.round((rng.next() * 20 - 10) * 1000) / 1000;
}

const VIEWS: readonly View[] = ['transpose', 'reverse', 'stride', 'broadcast'];

export function tensor(ctx: CallContext, options: { dtype?: string; shape?: number[] } = {}): Recipe {
  const { rng } = ctx;
  const dtype = options.dtype ?? (rng.chance(0.75) ? ctx.dtype : rng.pick(DTYPES));
  const shape = options.shape ?? operandShape(ctx);
  const size = shape.reduce((n, d) => n * d, 1);
  // Views of large tensors would only make the kernels slow, not find more.
  const view = shape.length > 0 && size <= 4096 && rng.chance(0.25) ? rng.pick(VIEWS) : 'none';
  return { kind: 'tensor', dtype, shape, values: elements(rng, dtype), view, disposed: rng.chance(0.02) };
}

/** Integers around the small range axes and counts live in, with the edges of int32 and JS numbers. */
export function integer(rng: Random): number {
  const roll = rng.next();
  if (roll < 0.75) return rng.int(-3, 4);
  if (roll < 0.9) return rng.pick([8, 16, 32, 64, 100]);
  return rng.pick([-1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, -(2 ** 53), 1e9]);
}

export function float(rng: Random): number {
  const roll = rng.next();
  if (roll < 0.6) return rng.pick([0, 1, 2, 0.5, -1, 1e-5, 10]);
  if (roll < 0.85) return Math.round((rng.next() * 20 - 10) * 100) / 100;
  return rng.pick(SPECIAL_FLOATS);
}

/** A shape as a list: mostly small non-negative sizes, now and then a negative or an enormous one. */
export function shapeList(rng: Random): number[] {
  if (rng.chance(0.05)) return rng.pick([[-1], [2 ** 31], [65_536, 65_536], [2 ** 31 - 1, 2], [-1, 0]]);
  return randomShape(rng).filter((d) => d <= 8 || rng.chance(0.2));
}

/** JS values of kinds no argument takes, or takes only in odd forms: each must be refused, not crash. */
const WRONG: readonly string[] = [
  '{}', '[]', "'x'", "''", 'null', 'undefined', 'NaN', '1.5', '-1', '2 ** 31', '10n', 'true',
  "Symbol('s')", '() => 1', 'Promise.resolve(1)', 'new Float32Array(3)', 'new ArrayBuffer(8)',
  '[[1], [2, 3]]', '[1, [2]]', '{ re: 1, im: 2 }', '[undefined]', '[NaN]', '[1n, 2]', "['a']",
  'Object.create(mx.Tensor.prototype)', 'new Date(0)', 'new Map()', 'Array(3)', "'a'.repeat(300)",
];

export function wrongValue(rng: Random, extra: readonly string[] = []): Recipe {
  return { kind: 'code', code: rng.pick([...WRONG, ...extra]) };
}
