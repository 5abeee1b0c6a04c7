// Tensor conveniences written in TS over the native class: nested read-back, async evaluation and
// `using` support (printing is in printing.ts).
import { native, Tensor, type DType, type Scalar, type TensorData } from '@mlxts/native';

/** A nested JS array of element values (numbers, booleans, bigints or { re, im }). */
export type NestedValues = Scalar | NestedValues[];

declare module '@mlxts/native' {
  interface Tensor {
    /**
     * Evaluates and returns the elements as nested JS arrays (a scalar for a 0-d tensor): numbers,
     * booleans for bool, bigints for 64-bit integers, `{ re, im }` for complex64. Blocks while kernels run.
     */
    toArray(): NestedValues;
    /** Evaluates the tensor off the JS thread. */
    eval(): Promise<void>;
    [Symbol.dispose](): void;
  }
}

const halfPrecision: ReadonlySet<DType> = new Set(['float16', 'bfloat16']);

function flatValues(t: Tensor): ArrayLike<Scalar> {
  if (halfPrecision.has(t.dtype)) {
    const wide = native.ops.core_astype(t, 'float32', undefined);
    try {
      return wide.toTypedArray() as Float32Array;
    } finally {
      wide.dispose();
    }
  }
  const data: TensorData = t.toTypedArray();
  if (t.dtype === 'bool') return Array.from(data as Uint8Array, (v) => v !== 0);
  if (t.dtype === 'complex64') {
    const parts = data as Float32Array;
    return Array.from({ length: parts.length / 2 }, (_, i) => ({ re: parts[2 * i], im: parts[2 * i + 1] }));
  }
  return data as ArrayLike<Scalar>;
}

function nest(flat: ArrayLike<Scalar>, shape: readonly number[], offset: number, axis: number): NestedValues {
  if (axis === shape.length) return flat[offset];
  const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out: NestedValues[] = new Array(shape[axis]);
  for (let i = 0; i < shape[axis]; i++) out[i] = nest(flat, shape, offset + i * stride, axis + 1);
  return out;
}

Tensor.prototype.toArray = function (this: Tensor): NestedValues {
  return nest(flatValues(this), this.shape, 0, 0);
};

Tensor.prototype.eval = function (this: Tensor): Promise<void> {
  return native.evalAsync([this]);
};

Tensor.prototype[Symbol.dispose] = function (this: Tensor): void {
  this.dispose();
};
