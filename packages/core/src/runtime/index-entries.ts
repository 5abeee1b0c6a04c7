// What `t.at(...)` and `t.with(...)` accept, read into typed entries before any tensor is made or any
// shape is consulted. Wrong kinds of JS values are TypeErrors here; everything that depends on the
// indexed tensor's shape is checked later, in indexing.ts.
import type { Tensor } from '@mlxts/native';
import { isTensor } from './scope.js';

/**
 * One axis's slice, as Python's `slice(start, stop, step)`: `null` (or omitted) takes NumPy's default
 * (the whole axis, in the step's direction). Negative bounds count from the end, and bounds past
 * either end are clamped. The string `'start:stop:step'` is the compact form of the same value.
 *
 * @example
 * ```ts
 * x.at(new mx.Slice(1, 3))          // x[1:3], same as x.at('1:3')
 * x.at(new mx.Slice(null, null, -1)) // x[::-1], same as x.at('::-1')
 * ```
 */
export class Slice {
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number | null;

  constructor(start: number | null = null, stop: number | null = null, step: number | null = null) {
    this.start = sliceField('start', start);
    this.stop = sliceField('stop', stop);
    this.step = sliceField('step', step);
    if (this.step === 0) throw new RangeError('Slice: step cannot be zero');
  }

  /** The compact string form, `'start:stop:step'`. */
  toString(): string {
    return `${this.start ?? ''}:${this.stop ?? ''}${this.step === null ? '' : `:${this.step}`}`;
  }
}

function sliceField(name: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`Slice: ${name} must be an integer or null, got ${describe(value)}`);
  }
  return value;
}

/** Nested JS arrays of integers (an integer index array) or of booleans (a mask). */
export type IndexArray = ReadonlyArray<number | bigint | boolean | IndexArray>;

/**
 * One entry of an index, as in NumPy: an integer (negative counts from the end), a `Slice` or its
 * string form (`'1:3'`, `'::2'`, `':'`; a string such as `'-1'` is an integer), `'...'` for the axes not
 * named, `null` for a new axis of length 1, an integer tensor or nested JS integer array (advanced
 * indexing), or a bool tensor or nested JS boolean array (a mask). A string may hold several entries
 * separated by commas: `'..., 1:3'`.
 */
export type Index = number | bigint | string | Slice | null | Tensor | IndexArray;

export type Entry =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'slice'; readonly slice: Slice }
  | { readonly kind: 'ellipsis' }
  | { readonly kind: 'newaxis' }
  /** Integer indices: a tensor, or JS values (checked against the axis length later). */
  | { readonly kind: 'array'; readonly shape: readonly number[]; readonly tensor?: Tensor; readonly values?: readonly number[] }
  /** A mask: a bool tensor, or JS booleans. */
  | { readonly kind: 'mask'; readonly shape: readonly number[]; readonly tensor?: Tensor; readonly values?: readonly boolean[] };

/** Reads `indices` (the arguments of `at`/`with`) into entries; errors name `op` and the argument (from 1). */
export function parseIndices(op: string, indices: readonly unknown[]): Entry[] {
  const entries: Entry[] = [];
  indices.forEach((index, i) => entries.push(...parseIndex(op, index, i + 1)));
  return entries;
}

function parseIndex(op: string, index: unknown, position: number): Entry[] {
  if (index === null) return [{ kind: 'newaxis' }];
  if (typeof index === 'number' || typeof index === 'bigint') return [{ kind: 'int', value: integer(op, index, position) }];
  if (typeof index === 'string') return index.split(',').map((part) => parseString(op, part.trim(), index));
  if (index instanceof Slice) return [{ kind: 'slice', slice: index }];
  if (isTensor(index)) return [tensorEntry(op, index, position)];
  if (Array.isArray(index)) return [arrayEntry(op, index, position)];
  throw new TypeError(
    `${op}: argument ${position} is ${describe(index)}; an index entry is an integer, a Slice or a string such as '1:3', '...', null, an integer or bool tensor, or a nested array of integers or booleans`,
  );
}

function integer(op: string, value: number | bigint, position: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new TypeError(`${op}: argument ${position} must be an integer, got ${describe(value)}`);
  return n;
}

const INTEGER = /^[+-]?\d+$/;
const SLICE = /^([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?)?$/;

function parseString(op: string, text: string, whole: string): Entry {
  if (text === '...') return { kind: 'ellipsis' };
  if (INTEGER.test(text)) return { kind: 'int', value: Number(text) };
  const match = SLICE.exec(text);
  if (!match) {
    throw new TypeError(`${op}: cannot read the index '${whole}': expected an integer, a slice such as '1:3' or '::-1', or '...' (use null for a new axis)`);
  }
  const bound = (s: string | undefined) => (s === undefined ? null : Number(s));
  if (bound(match[3]) === 0) throw new RangeError(`${op}: slice step cannot be zero in '${whole}'`);
  return { kind: 'slice', slice: new Slice(bound(match[1]), bound(match[2]), bound(match[3])) };
}

function tensorEntry(op: string, tensor: Tensor, position: number): Entry {
  if (tensor.disposed) throw new TypeError(`${op}: argument ${position} is a disposed tensor`);
  if (tensor.dtype === 'bool') return { kind: 'mask', shape: tensor.shape, tensor };
  // The dtype is a property of the tensor, so a wrong one is an MlxError (see index-resolve.ts), not a TypeError.
  return { kind: 'array', shape: tensor.shape, tensor };
}

/** A nested JS array: its shape (rectangular) and row-major leaves, all integers or all booleans. */
function arrayEntry(op: string, nested: readonly unknown[], position: number): Entry {
  const shape: number[] = [];
  for (let level: unknown = nested; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const leaves: unknown[] = [];
  const ragged = () => new TypeError(`${op}: argument ${position} is a ragged nested array; every row must have the same length`);
  const walk = (value: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(value)) throw ragged();
      leaves.push(value);
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[depth]) throw ragged();
    for (const v of value) walk(v, depth + 1);
  };
  walk(nested, 0);
  if (leaves.length > 0 && leaves.every((v) => typeof v === 'boolean')) return { kind: 'mask', shape, values: leaves as boolean[] };
  const values = leaves.map((v) => {
    if (typeof v !== 'number' && typeof v !== 'bigint') {
      throw new TypeError(`${op}: argument ${position} must hold only integers or only booleans, got ${describe(v)}`);
    }
    return integer(op, v, position);
  });
  return { kind: 'array', shape, values };
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return Object.prototype.toString.call(value) === '[object Object]' ? 'an object' : String(Object.prototype.toString.call(value));
}
