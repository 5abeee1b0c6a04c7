// Lion: updates by the sign of an interpolated momentum.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkBetas, checkNumber, checkOptions, checkScheduled } from './checks.js';
import { Optimizer, type ParameterState, type Scheduled } from './optimizer.js';

/**
 * `c = β₁ m + (1 - β₁) g`, `m ← β₂ m + (1 - β₂) g`, `w ← w (1 - λ wd) - λ sign(c)`. Defaults: betas
 * [0.9, 0.99], weightDecay 0. Use a learning rate 3-10x smaller than AdamW's.
 */
export class Lion extends Optimizer {
  readonly betas: [number, number];
  readonly weightDecay: number;

  constructor(learningRate: Scheduled, options: { betas?: [number, number]; weightDecay?: number } = {}) {
    super();
    checkOptions('Lion', options, ['betas', 'weightDecay']);
    checkScheduled('Lion', 'learningRate', learningRate);
    this.betas = checkBetas('Lion', options.betas ?? [0.9, 0.99]);
    this.weightDecay = checkNumber('Lion', 'weightDecay', options.weightDecay ?? 0);
    this.maybeSchedule('learning_rate', learningRate);
  }

  protected initSingle(parameter: Tensor, state: ParameterState): void {
    state.m = mx.zerosLike(parameter);
  }

  protected applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    const lr = mx.astype(this.learningRate, gradient.dtype);
    const [b1, b2] = this.betas;
    const c = mx.add(mx.multiply(b1, state.m), mx.multiply(1 - b1, gradient));
    state.m = mx.add(mx.multiply(b2, state.m), mx.multiply(1 - b2, gradient));
    if (this.weightDecay > 0) parameter = mx.multiply(mx.subtract(1, mx.multiply(lr, this.weightDecay)), parameter);
    return mx.subtract(parameter, mx.multiply(lr, mx.sign(c)));
  }
}
