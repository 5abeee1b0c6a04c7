// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkNumber, checkOptions, checkScheduled } from './checks.js';
import { Optimizer, type ParameterState, type Scheduled } from './optimizer.js';

export interface SGDOptions {
  /** Momentum μ. Default 0. */
  momentum?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Dampening τ of the momentum. Default 0. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and no dampening). Default false. */
  nesterov?: boolean;
}

/**
 * `v ← μ v + (1 - τ) g`, `w ← w - λ v` (plain `w ← w - λ g` without momentum).
 *
 * @example
 * ```ts
 * const optimizer = new optim.SGD(0.1, { momentum: 0.9 });
 * ```
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  constructor(learningRate: Scheduled, options: SGDOptions = {}) {
    super();
    checkOptions('SGD', options, ['momentum', 'weightDecay', 'dampening', 'nesterov']);
    checkScheduled('SGD', 'learningRate', learningRate);
    this.momentum = checkNumber('SGD', 'momentum', options.momentum ?? 0);
    this.weightDecay = checkNumber('SGD', 'weightDecay', options.weightDecay ?? 0);
    this.dampening = checkNumber('SGD', 'dampening', options.dampening ?? 0);
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new RangeError('SGD: Nesterov momentum needs momentum > 0 and zero dampening');
    this.maybeSchedule('learning_rate', learningRate);
  }

  protected initSingle(parameter: Tensor, state: ParameterState): void {
    state.v = mx.zerosLike(parameter);
  }

  protected applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    if (this.weightDecay !== 0) gradient = mx.add(gradient, mx.multiply(this.weightDecay, parameter));
    const lr = mx.astype(this.learningRate, gradient.dtype);
    if (this.momentum <= 0) return mx.subtract(parameter, mx.multiply(lr, gradient));
    let v = mx.multiply(this.momentum, state.v);
    v = mx.add(v, this.dampening > 0 ? mx.multiply(1 - this.dampening, gradient) : gradient);
    state.v = v;
    const update = this.nesterov ? mx.add(gradient, mx.multiply(this.momentum, v)) : v;
    return mx.subtract(parameter, mx.multiply(lr, update));
  }
}
