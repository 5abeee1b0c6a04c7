// Evaluation entry points: lazy graphs run here (or when a tensor is read back).
import { native, type Tensor } from '@mlxts/native';
import { isTensor } from './scope.js';

/** Tensors in the arguments, looking inside arrays and plain objects. */
function collect(values: unknown[], out: Tensor[] = []): Tensor[] {
  for (const v of values) {
    if (isTensor(v)) out.push(v);
    else if (Array.isArray(v)) collect(v, out);
    else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) collect(Object.values(v), out);
  }
  return out;
}

/**
 * Evaluates tensors (or arrays and objects of tensors) on MLX's evaluation thread. The event loop keeps
 * running while kernels run; the promise rejects with an MlxError if a kernel fails.
 */
export function evalAsync(...tensors: unknown[]): Promise<void> {
  return native.evalAsync(collect(tensors));
}

/** Evaluates tensors, blocking the calling thread until the kernels finish. */
export function evalSync(...tensors: unknown[]): void {
  native.evalSync(collect(tensors));
}
