// JS protocols and NumPy shorthands on Tensor: iteration over the first axis, conversion of a 0-d
// tensor to a JS primitive, `T`/`mT`, and `item()` typed by dtype where the dtype is known statically.
import { MlxError, Tensor, type DType, type Scalar } from '@mlxts/native';
import { swapaxes } from '../generated/ops/swapaxes.js';
import { transpose } from '../generated/ops/transpose.js';
import { checkArity } from './call.js';
import { formatTensor } from './printing.js';
import { isTensor } from './scope.js';

/** What `item()` returns for a dtype: bigint for 64-bit integers, boolean for bool, `{ re, im }` for complex64. */
export type ItemType<D extends DType> = D extends 'int64' | 'uint64' ? bigint : D extends 'bool' ? boolean : D extends 'complex64' ? Extract<Scalar, object> : number;

declare module '@mlxts/native' {
  interface Tensor {
    /** All axes reversed (`mx.transpose(t)`), as NumPy's `a.T`. A new tensor on every access. */
    readonly T: Tensor;
    /** The last two axes swapped, as NumPy's `a.mT`: a batch of matrices transposed. Needs 2 or more axes. */
    readonly mT: Tensor;
    /**
     * The sub-tensors along the first axis (`t.at(0)`, `t.at(1)`, ...), each a new tensor: free them, or
     * iterate inside `mx.tidy`, which frees the ones the loop does not return. A 0-d tensor is not iterable.
     */
    [Symbol.iterator](): Iterator<Tensor>;
    /**
     * `+t`, `Number(t)`, `` `${t}` ``: a 0-d tensor converts to its value (number, bigint or boolean); a
     * string conversion is `toString()`. Any other tensor throws a TypeError rather than become NaN.
     */
    [Symbol.toPrimitive](hint: 'number' | 'string' | 'default'): number | bigint | boolean | string;
    /** The only element, typed by the dtype when the tensor's type states it (see `isDType`). */
    item<D extends DType>(this: { readonly dtype: D }): ItemType<D>;
  }
}

/**
 * Whether `t` has dtype `dtype`; a type guard, so `item()` of the narrowed tensor has the precise type.
 *
 * @example
 * ```ts
 * if (mx.isDType(t, 'int64')) t.item(); // bigint
 * ```
 */
export function isDType<D extends DType>(t: Tensor, dtype: D): t is Tensor & { readonly dtype: D } {
  if (arguments.length > 2) checkArity('isDType', 2, arguments.length);
  if (!isTensor(t)) throw new TypeError(`isDType: t must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.disposed) throw new TypeError('isDType: t is a disposed tensor');
  return t.dtype === dtype;
}

Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return transpose(this);
  },
});

Object.defineProperty(Tensor.prototype, 'mT', {
  get(this: Tensor) {
    if (!this.disposed && this.ndim < 2) throw new MlxError(`mT: needs a tensor with at least 2 dimensions, got ${this.ndim}`, 'mT');
    return swapaxes(this, -1, -2);
  },
});

/** Iteration makes one tensor per row, as unstack does parts: more rows are refused, as unstack refuses them. */
const MAX_ITERATED_ROWS = 2 ** 20;

Tensor.prototype[Symbol.iterator] = function* (this: Tensor): Generator<Tensor> {
  if (this.ndim === 0) throw new TypeError('iteration over a 0-d tensor');
  const length = this.shape[0];
  if (length > MAX_ITERATED_ROWS) {
    throw new MlxError(
      `iterate: the tensor has ${length} rows, more than the ${MAX_ITERATED_ROWS} tensors iteration makes (use take or slice to read rows)`,
      'iterate',
    );
  }
  for (let i = 0; i < length; i++) yield this.at(i);
};

Tensor.prototype[Symbol.toPrimitive] = function (this: Tensor, hint: string) {
  if (hint === 'string') return formatTensor(this);
  if (this.disposed) throw new TypeError('cannot convert a disposed tensor to a primitive value');
  if (this.ndim !== 0) {
    throw new TypeError(`cannot convert a tensor of shape [${this.shape.join(', ')}] to a primitive value: only a 0-d tensor converts (use item(), toArray() or toString())`);
  }
  const value = this.item();
  if (typeof value === 'object') throw new TypeError('cannot convert a complex64 tensor to a primitive value (use item())');
  return value;
};
