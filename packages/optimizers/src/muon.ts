// Muon: momentum whose update matrices are orthogonalized by a Newton–Schulz iteration.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkNumber, checkOptions, checkPositiveInt, checkScheduled } from './checks.js';
import { Optimizer, type ParameterState, type Scheduled } from './optimizer.js';

export interface MuonOptions {
  /** Default 0.95. */
  momentum?: number;
  /** L2 penalty added to the gradient. Default 0.01. */
  weightDecay?: number;
  /** Default true. */
  nesterov?: boolean;
  /** Newton–Schulz iterations. Default 5. */
  nsSteps?: number;
}

/**
 * Momentum SGD whose update for each matrix (2-D and up, flattened past the first axis) is replaced by
 * the nearest semi-orthogonal matrix, scaled by `sqrt(max(1, rows / cols))`. Meant for hidden layers;
 * optimize embeddings, the output layer and 0-D/1-D parameters with another optimizer (MultiOptimizer).
 */
export class Muon extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly nsSteps: number;

  constructor(learningRate: Scheduled, options: MuonOptions = {}) {
    super();
    checkOptions('Muon', options, ['momentum', 'weightDecay', 'nesterov', 'nsSteps']);
    checkScheduled('Muon', 'learningRate', learningRate);
    this.momentum = checkNumber('Muon', 'momentum', options.momentum ?? 0.95);
    this.weightDecay = checkNumber('Muon', 'weightDecay', options.weightDecay ?? 0.01);
    this.nesterov = options.nesterov ?? true;
    this.nsSteps = checkPositiveInt('Muon', 'nsSteps', options.nsSteps ?? 5);
    this.maybeSchedule('learning_rate', learningRate);
  }

  protected initSingle(parameter: Tensor, state: ParameterState): void {
    state.v = mx.zerosLike(parameter);
  }

  protected applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    if (this.weightDecay !== 0) gradient = mx.add(gradient, mx.multiply(this.weightDecay, parameter));
    const v = mx.add(mx.multiply(this.momentum, state.v), mx.multiply(1 - this.momentum, gradient));
    state.v = v;
    let update = this.nesterov ? mx.add(mx.multiply(gradient, 1 - this.momentum), mx.multiply(v, this.momentum)) : v;
    let lr = mx.astype(this.learningRate, gradient.dtype);
    if (update.ndim >= 2) {
      const shape = update.shape;
      update = mx.reshape(orthogonalize(mx.reshape(update, [shape[0], -1]), this.nsSteps), shape);
      lr = mx.multiply(lr, Math.max(1, update.shape[update.ndim - 2] / update.shape[update.ndim - 1]) ** 0.5);
    }
    return mx.subtract(parameter, mx.multiply(lr, update));
  }
}

/** The quintic Newton–Schulz iteration of Muon's reference implementation, on a matrix. */
function orthogonalize(x: Tensor, steps: number): Tensor {
  const [a, b, c] = [3.4445, -4.775, 2.0315];
  const transposed = x.shape[0] > x.shape[1];
  if (transposed) x = mx.transpose(x);
  x = mx.divide(x, mx.add(mx.sqrt(mx.sum(mx.square(x), undefined, true)), 1e-7));
  for (let i = 0; i < steps; i++) {
    const A = mx.matmul(x, mx.transpose(x));
    const B = mx.addmm(mx.multiply(b, A), A, A, c, 1.0);
    x = mx.addmm(mx.multiply(a, x), B, x, 1.0, 1.0);
  }
  return transposed ? mx.transpose(x) : x;
}
