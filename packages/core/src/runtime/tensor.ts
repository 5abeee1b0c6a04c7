// Tensor conveniences written in TS over the native class: nested read-back, async evaluation and
// `using` support (printing is in printing.ts).
import { MlxError, native, Tensor, type DType, type Scalar, type TensorData } from '@mlxts/native';

/** A nested JS array of element values (numbers, booleans, bigints or { re, im }). */
export type NestedValues = Scalar | NestedValues[];

declare module '@mlxts/native' {
  interface Tensor {
    /**
     * Evaluates and returns the elements as nested JS arrays (a scalar for a 0-d tensor): numbers,
     * booleans for bool, bigints for 64-bit integers, `{ re, im }` for complex64. Blocks while kernels run.
     * A tensor whose nested form would exceed 2^24 JS values (elements plus arrays) is refused with an
     * MlxError: read large tensors with `toTypedArray()` or `data()`.
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

/**
 * The most JS values (elements plus nested arrays) `toArray` creates. Beyond this the nested form costs
 * gigabytes of JS heap, and V8 ends the process when its heap or an array's length limit is exceeded
 * (`zeros([2 ** 31 - 1, 0]).toArray()` would need two billion empty arrays); `toTypedArray` has no such cost.
 */
export const TO_ARRAY_MAX_VALUES = 2 ** 24;

/** Elements plus the arrays holding them in the nested form of `shape`. */
function nestedValueCount(shape: readonly number[]): number {
  let arrays = shape.length === 0 ? 0 : 1;
  let outer = 1;
  for (let axis = 0; axis < shape.length - 1; axis++) {
    outer *= shape[axis];
    arrays += outer;
  }
  return arrays + shape.reduce((a, b) => a * b, 1);
}

/** Groups the flat values into nested arrays from the innermost axis out, without recursion. */
function nest(flat: ArrayLike<Scalar>, shape: readonly number[]): NestedValues {
  if (shape.length === 0) return flat[0];
  // outer[axis]: how many arrays of that axis's length the nested form holds.
  const outer = [1];
  for (let axis = 1; axis < shape.length; axis++) outer.push(outer[axis - 1] * shape[axis - 1]);
  let level: NestedValues[] = Array.from(flat);
  for (let axis = shape.length - 1; axis > 0; axis--) {
    const length = shape[axis];
    const groups = outer[axis];
    const grouped: NestedValues[] = new Array(groups);
    for (let g = 0; g < groups; g++) grouped[g] = level.slice(g * length, (g + 1) * length);
    level = grouped;
  }
  return level;
}

Tensor.prototype.toArray = function (this: Tensor): NestedValues {
  const shape = this.shape;
  const values = nestedValueCount(shape);
  if (values > TO_ARRAY_MAX_VALUES) {
    throw new MlxError(
      `toArray: a tensor of shape [${shape.length > 8 ? `${shape.slice(0, 8).join(', ')}, ... (${shape.length} axes)` : shape.join(', ')}] ` +
        `would be ${values} nested JS values, more than toArray makes (${TO_ARRAY_MAX_VALUES}); use toTypedArray() or data()`,
      'toArray',
    );
  }
  return nest(flatValues(this), shape);
};

Tensor.prototype.eval = function (this: Tensor): Promise<void> {
  return native.evalAsync([this]);
};

Tensor.prototype[Symbol.dispose] = function (this: Tensor): void {
  this.dispose();
};
