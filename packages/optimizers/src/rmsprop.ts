// RMSprop, Adagrad and AdaDelta: per-element step sizes from running sums of squared gradients.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkOptions, checkRange, checkScheduled } from './checks.js';
import { Optimizer, type ParameterState, type Scheduled } from './optimizer.js';

/** `v ← α v + (1 - α) g²`, `w ← w - λ g / (√v + ε)`. Defaults: alpha 0.99, eps 1e-8. */
export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;

  constructor(learningRate: Scheduled, options: { alpha?: number; eps?: number } = {}) {
    super();
    checkOptions('RMSprop', options, ['alpha', 'eps']);
    checkScheduled('RMSprop', 'learningRate', learningRate);
    this.alpha = checkRange('RMSprop', 'alpha', options.alpha ?? 0.99, 0);
    this.eps = checkRange('RMSprop', 'eps', options.eps ?? 1e-8, 0, Infinity, true);
    this.maybeSchedule('learning_rate', learningRate);
  }

  protected initSingle(parameter: Tensor, state: ParameterState): void {
    state.v = mx.zerosLike(parameter);
  }

  protected applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    const lr = mx.astype(this.learningRate, gradient.dtype);
    const v = mx.add(mx.multiply(this.alpha, state.v), mx.multiply(1 - this.alpha, mx.square(gradient)));
    state.v = v;
    return mx.subtract(parameter, mx.divide(mx.multiply(lr, gradient), mx.add(mx.sqrt(v), this.eps)));
  }
}

/** `v ← v + g²`, `w ← w - λ g / (√v + ε)`. Default eps 1e-8. */
export class Adagrad extends Optimizer {
  readonly eps: number;

  constructor(learningRate: Scheduled, options: { eps?: number } = {}) {
    super();
    checkOptions('Adagrad', options, ['eps']);
    checkScheduled('Adagrad', 'learningRate', learningRate);
    this.eps = checkRange('Adagrad', 'eps', options.eps ?? 1e-8, 0, Infinity, true);
    this.maybeSchedule('learning_rate', learningRate);
  }

  protected initSingle(parameter: Tensor, state: ParameterState): void {
    state.v = mx.zerosLike(parameter);
  }

  protected applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    const lr = mx.astype(this.learningRate, gradient.dtype);
    const v = mx.add(state.v, mx.square(gradient));
    state.v = v;
    return mx.subtract(parameter, mx.divide(mx.multiply(lr, gradient), mx.add(mx.sqrt(v), this.eps)));
  }
}

/**
 * `v ← ρ v + (1 - ρ) g²`, `Δ = √(u + ε) / √(v + ε) g`, `u ← ρ u + (1 - ρ) Δ²`, `w ← w - λ Δ`.
 * Defaults: rho 0.9, eps 1e-6.
 */
export class AdaDelta extends Optimizer {
  readonly rho: number;
  readonly eps: number;

  constructor(learningRate: Scheduled, options: { rho?: number; eps?: number } = {}) {
    super();
    checkOptions('AdaDelta', options, ['rho', 'eps']);
    checkScheduled('AdaDelta', 'learningRate', learningRate);
    this.rho = checkRange('AdaDelta', 'rho', options.rho ?? 0.9, 0);
    this.eps = checkRange('AdaDelta', 'eps', options.eps ?? 1e-6, 0, Infinity, true);
    this.maybeSchedule('learning_rate', learningRate);
  }

  protected initSingle(parameter: Tensor, state: ParameterState): void {
    state.v = mx.zerosLike(parameter);
    state.u = mx.zerosLike(parameter);
  }

  protected applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    const lr = mx.astype(this.learningRate, gradient.dtype);
    const v = mx.add(mx.multiply(this.rho, state.v), mx.multiply(1 - this.rho, mx.square(gradient)));
    const d = mx.multiply(mx.divide(mx.sqrt(mx.add(state.u, this.eps)), mx.sqrt(mx.add(v, this.eps))), gradient);
    const u = mx.add(mx.multiply(this.rho, state.u), mx.multiply(1 - this.rho, mx.square(d)));
    state.v = v;
    state.u = u;
    return mx.subtract(parameter, mx.multiply(lr, d));
  }
}
