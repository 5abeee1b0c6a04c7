// Adam and its variants AdamW (decoupled weight decay) and Adamax (infinity norm).
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkBetas, checkNumber, checkOptions, checkRange, checkScheduled } from './checks.js';
import { Optimizer, type ParameterState, type Scheduled } from './optimizer.js';

export interface AdamOptions {
  /** (β₁, β₂) of the running averages of the gradient and its square. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** Divide the averages by `1 - βᵗ`. Default false, as in MLX Python. */
  biasCorrection?: boolean;
}

/**
 * `m ← β₁ m + (1 - β₁) g`, `v ← β₂ v + (1 - β₂) g²`, `w ← w - λ m / (√v + ε)`.
 *
 * @example
 * ```ts
 * const optimizer = new optim.Adam(1e-3);
 * ```
 */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly biasCorrection: boolean;

  constructor(learningRate: Scheduled, options: AdamOptions = {}) {
    super();
    // AdamW and Adamax check their own options and pass on only Adam's.
    checkOptions(new.target.name, options, ['betas', 'eps', 'biasCorrection']);
    checkScheduled(new.target.name, 'learningRate', learningRate);
    this.betas = checkBetas(new.target.name, options.betas ?? [0.9, 0.999]);
    this.eps = checkRange(new.target.name, 'eps', options.eps ?? 1e-8, 0);
    this.biasCorrection = options.biasCorrection ?? false;
    this.maybeSchedule('learning_rate', learningRate);
  }

  protected initSingle(parameter: Tensor, state: ParameterState): void {
    state.m = mx.zerosLike(parameter);
    state.v = mx.zerosLike(parameter);
  }

  protected applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    const lr = mx.astype(this.learningRate, gradient.dtype);
    const [b1, b2] = this.betas;
    const m = mx.add(mx.multiply(b1, state.m), mx.multiply(1 - b1, gradient));
    const v = mx.add(mx.multiply(b2, state.v), mx.multiply(1 - b2, mx.square(gradient)));
    state.m = m;
    state.v = v;
    if (this.biasCorrection) {
      const c1 = mx.astype(mx.divide(lr, mx.subtract(1, mx.power(b1, this.step))), gradient.dtype);
      const c2 = mx.astype(mx.rsqrt(mx.subtract(1, mx.power(b2, this.step))), gradient.dtype);
      return mx.subtract(parameter, mx.divide(mx.multiply(c1, m), mx.add(mx.multiply(mx.sqrt(v), c2), this.eps)));
    }
    return mx.subtract(parameter, mx.divide(mx.multiply(lr, m), mx.add(mx.sqrt(v), this.eps)));
  }
}

/** Adam with decoupled weight decay: `w ← w (1 - λ wd)` before the Adam step. Default weightDecay 0.01. */
export class AdamW extends Adam {
  readonly weightDecay: number;

  constructor(learningRate: Scheduled, options: AdamOptions & { weightDecay?: number } = {}) {
    const { weightDecay = 0.01, ...adam } = options;
    checkOptions('AdamW', options, ['betas', 'eps', 'weightDecay', 'biasCorrection']);
    super(learningRate, adam);
    this.weightDecay = checkNumber('AdamW', 'weightDecay', weightDecay);
  }

  protected override applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    const lr = mx.astype(this.learningRate, gradient.dtype);
    return super.applySingle(gradient, mx.multiply(parameter, mx.subtract(1, mx.multiply(lr, this.weightDecay))), state);
  }
}

/** `m ← β₁ m + (1 - β₁) g`, `v ← max(β₂ v, |g|)`, `w ← w - λ m / (v + ε)`. */
export class Adamax extends Adam {
  constructor(learningRate: Scheduled, options: { betas?: [number, number]; eps?: number } = {}) {
    checkOptions('Adamax', options, ['betas', 'eps']);
    super(learningRate, options);
  }

  protected override applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    const lr = mx.astype(this.learningRate, gradient.dtype);
    const [b1, b2] = this.betas;
    const m = mx.add(mx.multiply(b1, state.m), mx.multiply(1 - b1, gradient));
    const v = mx.maximum(mx.multiply(b2, state.v), mx.abs(gradient));
    state.m = m;
    state.v = v;
    return mx.subtract(parameter, mx.divide(mx.multiply(lr, m), mx.add(v, this.eps)));
  }
}
