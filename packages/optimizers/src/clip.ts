// Gradient clipping by global norm.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkRange } from './checks.js';

/**
 * Scales every gradient of the tree by `min(maxNorm / (‖g‖ + 1e-6), 1)`, where ‖g‖ is the norm of all
 * gradients together. Returns the scaled gradients and the norm before scaling.
 *
 * @example
 * ```ts
 * const [clipped, norm] = optim.clipGradNorm(grads, 1.0);
 * ```
 */
export function clipGradNorm<T>(gradients: T, maxNorm: number): [clipped: T, norm: Tensor] {
  checkRange('clipGradNorm', 'maxNorm', maxNorm, 0);
  const leaves = mx.treeFlatten<Tensor>(gradients).map(([, g]) => g);
  // float16 squares are summed in float32 so that they do not overflow.
  const squaredNorm = leaves.reduce<Tensor | number>((acc, g) => mx.add(acc, mx.sum(mx.square(g.dtype === 'float16' ? mx.astype(g, 'float32') : g))), 0.0);
  const norm = mx.sqrt(squaredNorm);
  const normalizer = mx.minimum(mx.divide(maxNorm, mx.add(norm, 1e-6)), 1.0);
  const isFloat = (g: Tensor) => g.dtype === 'float16' || g.dtype === 'bfloat16' || g.dtype === 'float32' || g.dtype === 'float64';
  // Scaled, then cast back, so that a small normalizer does not underflow in float16.
  const clipped = mx.treeMap((g: Tensor) => (isFloat(g) ? mx.astype(mx.multiply(g, normalizer), g.dtype) : mx.multiply(g, normalizer)), gradients);
  return [clipped as T, norm];
}
