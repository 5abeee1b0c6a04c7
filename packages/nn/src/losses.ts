// Loss functions, as MLX Python's nn.losses has them: the same formulas, defaults and reductions.
// Required arguments are positional; the rest go in an options object with MLX Python's names.
import * as mx from '@mlxts/core';
import type { ArrayLike, Tensor } from '@mlxts/core';
import { checkChoice, checkInRange, checkNumber, checkOptions, checkPositive, mlxError } from './checks.js';

/** How a loss reduces its elementwise values: not at all, to their mean, or to their sum. */
export type Reduction = 'none' | 'mean' | 'sum';

export interface ReductionOptions {
  reduction?: Reduction;
}

function reduce(fn: string, loss: Tensor, reduction: Reduction): Tensor {
  const r = checkChoice(fn, 'reduction', reduction, ['none', 'mean', 'sum']);
  if (r === 'mean') return mx.mean(loss);
  if (r === 'sum') return mx.sum(loss);
  return loss;
}

function asTensor(x: ArrayLike): Tensor {
  return mx.isTensor(x) ? x : mx.array(x as never);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function requireSameShape(fn: string, a: Tensor, aName: string, b: Tensor, bName: string): void {
  if (!sameShape(a.shape, b.shape)) throw mlxError(fn, `${aName} shape [${a.shape}] does not match ${bName} shape [${b.shape}]`);
}

function applyWeights(fn: string, loss: Tensor, weights: ArrayLike | undefined): Tensor {
  if (weights === undefined) return loss;
  const w = asTensor(weights);
  if (!sameShape(w.shape, loss.shape)) throw mlxError(fn, `weights shape [${w.shape}] does not match the loss shape [${loss.shape}]`);
  return mx.multiply(loss, w);
}

export interface CrossEntropyOptions extends ReductionOptions {
  /** A weight per target (the loss's shape before reduction). */
  weights?: ArrayLike;
  /** The class axis. Default -1. */
  axis?: number;
  /** Mixes the targets with the uniform distribution: in [0, 1). Default 0. */
  labelSmoothing?: number;
}

/**
 * Cross entropy between `logits` and `targets`, which are class indices (the logits' shape without
 * `axis`) or probabilities (the logits' shape). Reduction `'none'` by default.
 *
 * @example
 * ```ts
 * const loss = nn.losses.crossEntropy(logits, labels, { reduction: 'mean' });
 * ```
 */
export function crossEntropy(logits: Tensor, targets: ArrayLike, options: CrossEntropyOptions = {}): Tensor {
  const fn = 'crossEntropy';
  checkOptions(fn, options, ['weights', 'axis', 'labelSmoothing', 'reduction']);
  const { axis = -1, reduction = 'none' } = options;
  const labelSmoothing = checkInRange(fn, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  const t = asTensor(targets);
  const asProbabilities = t.ndim === logits.ndim;
  const classAxis = axis < 0 ? axis + logits.ndim : axis;
  if (classAxis < 0 || classAxis >= logits.ndim) throw mlxError(fn, `axis ${axis} is out of range for logits with ${logits.ndim} dimensions`);
  const expected = asProbabilities ? logits.shape : logits.shape.filter((_, i) => i !== classAxis);
  if (!sameShape(t.shape, expected)) throw mlxError(fn, `targets shape [${t.shape}] does not match logits shape [${logits.shape}]`);
  const shifted = mx.subtract(logits, mx.stopGradient(mx.max(logits, axis, true)));
  const score = asProbabilities ? mx.sum(mx.multiply(shifted, t), axis) : mx.squeeze(mx.takeAlongAxis(shifted, mx.expandDims(t, axis), axis), axis);
  const logSumExp = mx.logsumexp(shifted, axis);
  let loss: Tensor;
  if (labelSmoothing > 0) {
    const smoothed = mx.multiply(mx.negative(mx.mean(shifted, axis)), labelSmoothing);
    loss = mx.add(mx.subtract(logSumExp, mx.multiply(1 - labelSmoothing, score)), smoothed);
  } else {
    loss = mx.subtract(logSumExp, score);
  }
  return reduce(fn, applyWeights(fn, loss, options.weights), reduction);
}

export interface BinaryCrossEntropyOptions extends ReductionOptions {
  weights?: ArrayLike;
  /** Whether `inputs` are logits (default) or probabilities (whose logs are clipped at -100). */
  withLogits?: boolean;
}

/** Binary cross entropy of `inputs` (logits by default) against targets in {0, 1}. Reduction `'mean'` by default. */
export function binaryCrossEntropy(inputs: Tensor, targets: ArrayLike, options: BinaryCrossEntropyOptions = {}): Tensor {
  const fn = 'binaryCrossEntropy';
  checkOptions(fn, options, ['weights', 'withLogits', 'reduction']);
  const t = asTensor(targets);
  requireSameShape(fn, inputs, 'inputs', t, 'targets');
  let loss: Tensor;
  if (options.withLogits ?? true) {
    loss = mx.subtract(mx.logaddexp(0, inputs), mx.multiply(inputs, t));
  } else {
    const logP = mx.clip(mx.log(inputs), -100);
    const log1mP = mx.clip(mx.log(mx.subtract(1, inputs)), -100);
    loss = mx.negative(mx.add(mx.multiply(t, logP), mx.multiply(mx.subtract(1, t), log1mP)));
  }
  return reduce(fn, applyWeights(fn, loss, options.weights), options.reduction ?? 'mean');
}

/** Mean absolute error. Reduction `'mean'` by default. */
export function l1Loss(predictions: Tensor, targets: ArrayLike, options: ReductionOptions = {}): Tensor {
  const fn = 'l1Loss';
  checkOptions(fn, options, ['reduction']);
  const t = asTensor(targets);
  requireSameShape(fn, predictions, 'predictions', t, 'targets');
  return reduce(fn, mx.abs(mx.subtract(predictions, t)), options.reduction ?? 'mean');
}

/** Mean squared error. Reduction `'mean'` by default. */
export function mseLoss(predictions: Tensor, targets: ArrayLike, options: ReductionOptions = {}): Tensor {
  const fn = 'mseLoss';
  checkOptions(fn, options, ['reduction']);
  const t = asTensor(targets);
  requireSameShape(fn, predictions, 'predictions', t, 'targets');
  return reduce(fn, mx.square(mx.subtract(predictions, t)), options.reduction ?? 'mean');
}

/** Negative log likelihood of class indices `targets` under log-probabilities `inputs`. Reduction `'none'` by default. */
export function nllLoss(inputs: Tensor, targets: ArrayLike, options: ReductionOptions & { axis?: number } = {}): Tensor {
  const fn = 'nllLoss';
  checkOptions(fn, options, ['axis', 'reduction']);
  const axis = options.axis ?? -1;
  const loss = mx.negative(mx.squeeze(mx.takeAlongAxis(inputs, mx.expandDims(targets, axis), axis), axis));
  return reduce(fn, loss, options.reduction ?? 'none');
}

export interface GaussianNllOptions extends ReductionOptions {
  /** Include the constant `log(2π) / 2`. Default false. */
  full?: boolean;
  /** The smallest variance used. Default 1e-6. */
  eps?: number;
}

/** Negative log likelihood of `targets` under Gaussians with means `inputs` and variances `vars`. Reduction `'mean'` by default. */
export function gaussianNllLoss(inputs: Tensor, targets: ArrayLike, vars: ArrayLike, options: GaussianNllOptions = {}): Tensor {
  const fn = 'gaussianNllLoss';
  checkOptions(fn, options, ['full', 'eps', 'reduction']);
  const t = asTensor(targets);
  const v = asTensor(vars);
  requireSameShape(fn, inputs, 'inputs', t, 'targets');
  requireSameShape(fn, inputs, 'inputs', v, 'vars');
  const clipped = mx.maximum(v, checkPositive(fn, 'eps', options.eps ?? 1e-6));
  let loss = mx.multiply(0.5, mx.add(mx.log(clipped), mx.divide(mx.square(mx.subtract(t, inputs)), clipped)));
  if (options.full) loss = mx.add(loss, 0.5 * Math.log(2 * Math.PI));
  return reduce(fn, loss, options.reduction ?? 'mean');
}

/** Kullback–Leibler divergence `sum(exp(targets) * (targets - inputs))` of log-probabilities along `axis`. Reduction `'none'` by default. */
export function klDivLoss(inputs: Tensor, targets: ArrayLike, options: ReductionOptions & { axis?: number } = {}): Tensor {
  const fn = 'klDivLoss';
  checkOptions(fn, options, ['axis', 'reduction']);
  const loss = mx.sum(mx.multiply(mx.exp(targets), mx.subtract(targets, inputs)), options.axis ?? -1);
  return reduce(fn, loss, options.reduction ?? 'none');
}

/** Squared error below `beta`, absolute error above it (default beta 1). Reduction `'mean'` by default. */
export function smoothL1Loss(predictions: Tensor, targets: ArrayLike, options: ReductionOptions & { beta?: number } = {}): Tensor {
  const fn = 'smoothL1Loss';
  checkOptions(fn, options, ['beta', 'reduction']);
  const beta = checkNumber(fn, 'beta', options.beta ?? 1.0);
  const t = asTensor(targets);
  requireSameShape(fn, predictions, 'predictions', t, 'targets');
  const diff = mx.abs(mx.subtract(predictions, t));
  const loss = mx.where(mx.less(diff, beta), mx.divide(mx.multiply(0.5, mx.square(diff)), beta), mx.subtract(mx.abs(diff), 0.5 * beta));
  return reduce(fn, loss, options.reduction ?? 'mean');
}

export interface TripletLossOptions extends ReductionOptions {
  /** The feature axis. Default -1. */
  axis?: number;
  /** The norm's degree. Default 2. */
  p?: number;
  /** Default 1. */
  margin?: number;
  /** Added inside the norm's root. Default 1e-6. */
  eps?: number;
}

/** `max(‖a - p‖ - ‖a - n‖ + margin, 0)` with p-norms along `axis`. Reduction `'none'` by default. */
export function tripletLoss(anchors: Tensor, positives: ArrayLike, negatives: ArrayLike, options: TripletLossOptions = {}): Tensor {
  const fn = 'tripletLoss';
  checkOptions(fn, options, ['axis', 'p', 'margin', 'eps', 'reduction']);
  const { axis = -1, p = 2, margin = 1.0, eps = 1e-6 } = options;
  const distance = (other: ArrayLike) => mx.power(mx.add(mx.sum(mx.power(mx.abs(mx.subtract(anchors, other)), p), axis), eps), 1 / p);
  const loss = mx.maximum(mx.add(mx.subtract(distance(positives), distance(negatives)), margin), 0);
  return reduce(fn, loss, options.reduction ?? 'none');
}

/** `max(0, 1 - inputs * targets)` for targets in {-1, 1}. Reduction `'none'` by default. */
export function hingeLoss(inputs: Tensor, targets: ArrayLike, options: ReductionOptions = {}): Tensor {
  const fn = 'hingeLoss';
  checkOptions(fn, options, ['reduction']);
  return reduce(fn, mx.maximum(mx.subtract(1, mx.multiply(inputs, targets)), 0), options.reduction ?? 'none');
}

/** Quadratic for errors up to `delta`, linear beyond (default delta 1). Reduction `'none'` by default. */
export function huberLoss(inputs: Tensor, targets: ArrayLike, options: ReductionOptions & { delta?: number } = {}): Tensor {
  const fn = 'huberLoss';
  checkOptions(fn, options, ['delta', 'reduction']);
  const delta = checkNumber(fn, 'delta', options.delta ?? 1.0);
  const absErrors = mx.abs(mx.subtract(inputs, targets));
  const quadratic = mx.minimum(absErrors, delta);
  const linear = mx.subtract(absErrors, quadratic);
  return reduce(fn, mx.add(mx.multiply(0.5, mx.power(quadratic, 2)), mx.multiply(delta, linear)), options.reduction ?? 'none');
}

/** `log(cosh(inputs - targets))`, computed stably. Reduction `'none'` by default. */
export function logCoshLoss(inputs: Tensor, targets: ArrayLike, options: ReductionOptions = {}): Tensor {
  const fn = 'logCoshLoss';
  checkOptions(fn, options, ['reduction']);
  const errors = mx.subtract(inputs, targets);
  return reduce(fn, mx.subtract(mx.logaddexp(errors, mx.negative(errors)), Math.log(2)), options.reduction ?? 'none');
}

/** `x1·x2 / max(‖x1‖ ‖x2‖, eps)` along `axis` (default 1, eps 1e-8). Reduction `'none'` by default. */
export function cosineSimilarityLoss(x1: Tensor, x2: ArrayLike, options: ReductionOptions & { axis?: number; eps?: number } = {}): Tensor {
  const fn = 'cosineSimilarityLoss';
  checkOptions(fn, options, ['axis', 'eps', 'reduction']);
  const { axis = 1, eps = 1e-8 } = options;
  const norm = (x: ArrayLike) => mx.sqrt(mx.sum(mx.square(x), axis));
  const loss = mx.divide(mx.sum(mx.multiply(x1, x2), axis), mx.maximum(mx.multiply(norm(x1), norm(x2)), eps));
  return reduce(fn, loss, options.reduction ?? 'none');
}

/** `max(0, -targets * (inputs1 - inputs2) + margin)` for targets in {-1, 1}. Reduction `'none'` by default. */
export function marginRankingLoss(inputs1: Tensor, inputs2: ArrayLike, targets: ArrayLike, options: ReductionOptions & { margin?: number } = {}): Tensor {
  const fn = 'marginRankingLoss';
  checkOptions(fn, options, ['margin', 'reduction']);
  const i2 = asTensor(inputs2);
  const t = asTensor(targets);
  if (!sameShape(inputs1.shape, i2.shape) || !sameShape(inputs1.shape, t.shape)) {
    throw mlxError(fn, `the shapes differ: inputs1 [${inputs1.shape}], inputs2 [${i2.shape}], targets [${t.shape}]`);
  }
  const loss = mx.maximum(0, mx.add(mx.multiply(mx.negative(t), mx.subtract(inputs1, i2)), options.margin ?? 0));
  return reduce(fn, loss, options.reduction ?? 'none');
}
