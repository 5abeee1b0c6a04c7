// Adafactor: Adam-like steps with a factored (row and column) second moment, so its state is sublinear
// in the size of matrices, and relative step sizes by default.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkNumber, checkOptions, checkScheduled } from './checks.js';
import { Optimizer, type ParameterState, type Scheduled } from './optimizer.js';

export interface AdafactorOptions {
  /** A fixed or scheduled learning rate; used only with `relativeStep: false`. */
  learningRate?: Scheduled;
  /** [ε₁ added to the squared gradients, ε₂ the smallest parameter scale]. Default [1e-30, 1e-3]. */
  eps?: [number, number];
  /** Clip the unscaled update's RMS at this value. Default 1. */
  clipThreshold?: number;
  /** Exponent of the second moment's decay, `β₂ = 1 - tᵈᵉᶜᵃʸ`. Default -0.8. */
  decayRate?: number;
  /** Keep a first moment with this coefficient (none by default). */
  beta1?: number;
  /** Default 0. */
  weightDecay?: number;
  /** Scale the step by the parameter's RMS (at least ε₂). Default true. */
  scaleParameter?: boolean;
  /** Use the relative step `min(1e-2, 1/√t)` instead of the learning rate. Default true. */
  relativeStep?: boolean;
  /** With relativeStep, start from `1e-6 t` instead of 1e-2. Default false. */
  warmupInit?: boolean;
}

export class Adafactor extends Optimizer {
  readonly eps: [number, number];
  readonly clipThreshold: number;
  readonly decayRate: number;
  readonly beta1: number | undefined;
  readonly weightDecay: number;
  readonly scaleParameter: boolean;
  readonly relativeStep: boolean;
  readonly warmupInit: boolean;

  constructor(options: AdafactorOptions = {}) {
    super();
    const fn = 'Adafactor';
    checkOptions(fn, options, ['learningRate', 'eps', 'clipThreshold', 'decayRate', 'beta1', 'weightDecay', 'scaleParameter', 'relativeStep', 'warmupInit']);
    if (options.learningRate !== undefined) {
      checkScheduled(fn, 'learningRate', options.learningRate);
      this.maybeSchedule('learning_rate', options.learningRate);
    }
    const eps = options.eps ?? [1e-30, 1e-3];
    if (!Array.isArray(eps) || eps.length !== 2) throw new TypeError(`${fn}: eps must be a pair of numbers`);
    this.eps = [checkNumber(fn, 'eps[0]', eps[0]), checkNumber(fn, 'eps[1]', eps[1])];
    this.clipThreshold = checkNumber(fn, 'clipThreshold', options.clipThreshold ?? 1.0);
    this.decayRate = checkNumber(fn, 'decayRate', options.decayRate ?? -0.8);
    this.beta1 = options.beta1 === undefined ? undefined : checkNumber(fn, 'beta1', options.beta1);
    this.weightDecay = checkNumber(fn, 'weightDecay', options.weightDecay ?? 0);
    this.scaleParameter = options.scaleParameter ?? true;
    this.relativeStep = options.relativeStep ?? true;
    this.warmupInit = options.warmupInit ?? false;
    if (!this.relativeStep && options.learningRate === undefined) throw new TypeError(`${fn}: relativeStep: false needs a learningRate`);
  }

  protected initSingle(parameter: Tensor, state: ParameterState): void {
    if (parameter.ndim >= 2) {
      const shape = parameter.shape;
      state.exp_avg_sq_row = mx.zeros(shape.slice(0, -1), parameter.dtype);
      state.exp_avg_sq_col = mx.zeros([...shape.slice(0, -2), shape[shape.length - 1]], parameter.dtype);
    } else {
      state.exp_avg_sq = mx.zerosLike(parameter);
    }
    if (this.beta1 !== undefined) state.exp_avg = mx.zerosLike(parameter);
  }

  protected applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor {
    const step = this.step;
    const parameterRms = rms(parameter);
    const learningRate = this.#learningRate(step, parameterRms);
    const beta2 = mx.subtract(1, mx.astype(mx.power(step, this.decayRate), parameterRms.dtype));
    let update = mx.add(mx.square(gradient), this.eps[0]);
    const average = (previous: Tensor, current: Tensor) => mx.add(mx.multiply(beta2, previous), mx.multiply(mx.subtract(1, beta2), current));
    if (gradient.ndim >= 2) {
      const row = average(state.exp_avg_sq_row, mx.mean(update, -1));
      const col = average(state.exp_avg_sq_col, mx.mean(update, -2));
      state.exp_avg_sq_row = row;
      state.exp_avg_sq_col = col;
      const rowFactor = mx.rsqrt(mx.divide(row, mx.mean(row, -1, true)));
      const colFactor = mx.rsqrt(col);
      update = mx.multiply(mx.multiply(mx.expandDims(rowFactor, -1), mx.expandDims(colFactor, -2)), gradient);
    } else {
      const avg = average(state.exp_avg_sq, update);
      state.exp_avg_sq = avg;
      update = mx.multiply(mx.rsqrt(avg), gradient);
    }
    update = mx.divide(update, mx.maximum(1.0, mx.divide(rms(update), this.clipThreshold)));
    update = mx.multiply(learningRate, update);
    if (this.beta1 !== undefined) {
      const avg = mx.add(mx.multiply(this.beta1, state.exp_avg), mx.multiply(1 - this.beta1, update));
      state.exp_avg = avg;
      update = avg;
    }
    if (this.weightDecay !== 0) parameter = mx.add(parameter, mx.multiply(parameter, mx.multiply(-this.weightDecay, learningRate)));
    return mx.subtract(parameter, update);
  }

  #learningRate(step: Tensor, parameterRms: Tensor): Tensor {
    let relative: Tensor;
    if (this.relativeStep) {
      const minStep = this.warmupInit ? mx.multiply(1e-6, step) : 1e-2;
      relative = mx.minimum(minStep, mx.rsqrt(step));
    } else {
      relative = this.learningRate;
    }
    relative = mx.astype(relative, parameterRms.dtype);
    return this.scaleParameter ? mx.multiply(mx.maximum(this.eps[1], parameterRms), relative) : relative;
  }
}

function rms(x: Tensor): Tensor {
  return mx.sqrt(mx.mean(mx.square(x)));
}
