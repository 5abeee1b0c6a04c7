// Activation functions and their layer classes, with MLX Python's names, formulas and defaults. Each
// function is written with the same ops in the same order as MLX Python, so results agree to rounding.
import * as mx from '@mlxts/core';
import type { ArrayLike, Tensor } from '@mlxts/core';
import { checkChoice, checkOptions, checkPositiveInt } from '../checks.js';
import { Module } from '../module.js';

/** `1 / (1 + exp(-x))`. */
export function sigmoid(x: ArrayLike): Tensor {
  return mx.sigmoid(x);
}

/** The rectified linear unit, `max(x, 0)`. */
export function relu(x: ArrayLike): Tensor {
  return mx.maximum(x, 0);
}

/** `max(x, 0)²`. */
export function relu2(x: ArrayLike): Tensor {
  return mx.square(mx.maximum(x, 0));
}

/** `min(max(x, 0), 6)`. */
export function relu6(x: ArrayLike): Tensor {
  return mx.minimum(mx.maximum(x, 0), 6);
}

/** `max(negativeSlope * x, x)`. */
export function leakyRelu(x: ArrayLike, negativeSlope = 0.01): Tensor {
  return mx.maximum(mx.multiply(negativeSlope, x), x);
}

/** `x - logsumexp(x)` along `axis`, computed stably. */
export function logSoftmax(x: ArrayLike, axis = -1): Tensor {
  const shifted = mx.subtract(x, mx.stopGradient(mx.max(x, axis, true)));
  return mx.subtract(shifted, mx.logsumexp(shifted, axis, true));
}

/** The exponential linear unit, `x > 0 ? x : alpha * (exp(x) - 1)`. */
export function elu(x: ArrayLike, alpha = 1.0): Tensor {
  return mx.where(mx.greater(x, 0), x, mx.multiply(alpha, mx.subtract(mx.exp(x), 1)));
}

/** `exp(x) / sum(exp(x))` along `axis`. */
export function softmax(x: ArrayLike, axis = -1): Tensor {
  return mx.softmax(x, axis);
}

/** `log(1 + exp(x))`. */
export function softplus(x: ArrayLike): Tensor {
  return mx.logaddexp(x, 0);
}

/** `x / (1 + |x|)`. */
export function softsign(x: ArrayLike): Tensor {
  return mx.divide(x, mx.add(1, mx.abs(x)));
}

/** `x - lambd` above `lambd`, `x + lambd` below `-lambd`, 0 between. */
export function softshrink(x: ArrayLike, lambd = 0.5): Tensor {
  return mx.where(mx.greater(mx.abs(x), lambd), mx.subtract(x, mx.multiply(mx.sign(x), lambd)), 0);
}

/** The continuously differentiable ELU, `max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)`. */
export function celu(x: ArrayLike, alpha = 1.0): Tensor {
  return mx.add(mx.maximum(x, 0), mx.multiply(alpha, mx.subtract(mx.exp(mx.divide(mx.minimum(x, 0), alpha)), 1)));
}

/** The sigmoid linear unit (swish), `x * sigmoid(x)`. */
export function silu(x: ArrayLike): Tensor {
  return mx.multiply(x, mx.sigmoid(x));
}

/** `log(sigmoid(x)) = -softplus(-x)`. */
export function logSigmoid(x: ArrayLike): Tensor {
  return mx.negative(softplus(mx.negative(x)));
}

/** The exact Gaussian error linear unit, `x * Φ(x)` with Φ the standard normal CDF. */
export function gelu(x: ArrayLike): Tensor {
  return mx.divide(mx.multiply(x, mx.add(1, mx.erf(mx.divide(x, Math.SQRT2)))), 2);
}

/** The tanh approximation of GELU (absolute error below 0.0005 on [-6, 6]). */
export function geluApprox(x: ArrayLike): Tensor {
  const inner = mx.multiply(Math.sqrt(2 / Math.PI), mx.add(x, mx.multiply(0.044715, mx.power(x, 3))));
  return mx.multiply(mx.multiply(0.5, x), mx.add(1, mx.tanh(inner)));
}

/** The sigmoid approximation of GELU, `x * sigmoid(1.702 x)` (absolute error below 0.015 on [-6, 6]). */
export function geluFastApprox(x: ArrayLike): Tensor {
  return mx.multiply(x, mx.sigmoid(mx.multiply(1.702, x)));
}

/** The gated linear unit: splits `axis` into halves `a` and `b` and returns `a * sigmoid(b)`. */
export function glu(x: ArrayLike, axis = -1): Tensor {
  const [a, b] = mx.split(x, 2, axis);
  return mx.multiply(a, mx.sigmoid(b));
}

/** 1 (int32) where `x >= threshold`, else 0. */
export function step(x: ArrayLike, threshold = 0.0): Tensor {
  return mx.where(mx.greaterEqual(x, threshold), mx.array(1, 'int32'), mx.array(0, 'int32'));
}

/** The scaled ELU, `1.0507 * elu(x, 1.67326)`. */
export function selu(x: ArrayLike): Tensor {
  return mx.multiply(elu(x, 1.67326), 1.0507);
}

/** The parametric ReLU, `max(0, x) + alpha * min(0, x)`. */
export function prelu(x: ArrayLike, alpha: ArrayLike): Tensor {
  return mx.add(mx.maximum(0, x), mx.multiply(alpha, mx.minimum(0, x)));
}

/** `x * tanh(softplus(x))`. */
export function mish(x: ArrayLike): Tensor {
  return mx.multiply(x, mx.tanh(softplus(x)));
}

/** `x * min(max(x + 3, 0), 6) / 6`. */
export function hardswish(x: ArrayLike): Tensor {
  return mx.divide(mx.multiply(x, mx.minimum(mx.maximum(mx.add(x, 3), 0), 6)), 6);
}

/** `min(max(x, minVal), maxVal)`. */
export function hardTanh(x: ArrayLike, minVal = -1.0, maxVal = 1.0): Tensor {
  return mx.minimum(mx.maximum(x, minVal), maxVal);
}

/** `x` where `|x| > lambd`, else 0. */
export function hardShrink(x: ArrayLike, lambd = 0.5): Tensor {
  return mx.where(mx.greater(mx.abs(x), lambd), x, 0);
}

/** `softmax(-x)` along `axis`. */
export function softmin(x: ArrayLike, axis = -1): Tensor {
  return mx.softmax(mx.negative(x), axis);
}

/** The hyperbolic tangent. */
export function tanh(x: ArrayLike): Tensor {
  return mx.tanh(x);
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class ReLU2 extends Module {
  forward(x: Tensor): Tensor {
    return relu2(x);
  }
}

export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

export class Softplus extends Module {
  forward(x: Tensor): Tensor {
    return softplus(x);
  }
}

export class Softsign extends Module {
  forward(x: Tensor): Tensor {
    return softsign(x);
  }
}

export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return logSigmoid(x);
  }
}

export class Mish extends Module {
  forward(x: Tensor): Tensor {
    return mish(x);
  }
}

export class Hardswish extends Module {
  forward(x: Tensor): Tensor {
    return hardswish(x);
  }
}

export class HardTanh extends Module {
  forward(x: Tensor): Tensor {
    return hardTanh(x);
  }
}

export class SELU extends Module {
  forward(x: Tensor): Tensor {
    return selu(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** Softmax over the last axis. */
export class Softmax extends Module {
  forward(x: Tensor): Tensor {
    return softmax(x);
  }
}

/** Softmin over the last axis. */
export class Softmin extends Module {
  forward(x: Tensor): Tensor {
    return softmin(x);
  }
}

/** Log-softmax over the last axis. */
export class LogSoftmax extends Module {
  forward(x: Tensor): Tensor {
    return logSoftmax(x);
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(options: { negativeSlope?: number } = {}) {
    super();
    checkOptions('LeakyReLU', options, ['negativeSlope']);
    this.negativeSlope = options.negativeSlope ?? 0.01;
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
}

export class ELU extends Module {
  readonly alpha: number;
  constructor(options: { alpha?: number } = {}) {
    super();
    checkOptions('ELU', options, ['alpha']);
    this.alpha = options.alpha ?? 1.0;
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
}

export class CELU extends Module {
  readonly alpha: number;
  constructor(options: { alpha?: number } = {}) {
    super();
    checkOptions('CELU', options, ['alpha']);
    this.alpha = options.alpha ?? 1.0;
  }
  forward(x: Tensor): Tensor {
    return celu(x, this.alpha);
  }
}

export class Softshrink extends Module {
  readonly lambd: number;
  constructor(options: { lambd?: number } = {}) {
    super();
    checkOptions('Softshrink', options, ['lambd']);
    this.lambd = options.lambd ?? 0.5;
  }
  forward(x: Tensor): Tensor {
    return softshrink(x, this.lambd);
  }
}

export class HardShrink extends Module {
  readonly lambd: number;
  constructor(options: { lambd?: number } = {}) {
    super();
    checkOptions('HardShrink', options, ['lambd']);
    this.lambd = options.lambd ?? 0.5;
  }
  forward(x: Tensor): Tensor {
    return hardShrink(x, this.lambd);
  }
}

export class Step extends Module {
  readonly threshold: number;
  constructor(options: { threshold?: number } = {}) {
    super();
    checkOptions('Step', options, ['threshold']);
    this.threshold = options.threshold ?? 0.0;
  }
  forward(x: Tensor): Tensor {
    return step(x, this.threshold);
  }
}

export class GLU extends Module {
  readonly axis: number;
  constructor(options: { axis?: number } = {}) {
    super();
    checkOptions('GLU', options, ['axis']);
    this.axis = options.axis ?? -1;
  }
  forward(x: Tensor): Tensor {
    return glu(x, this.axis);
  }
}

/** The parametric ReLU with a learned slope per channel (`numParameters` of them, starting at `init`). */
export class PReLU extends Module {
  weight: Tensor;
  constructor(options: { numParameters?: number; init?: number } = {}) {
    super();
    checkOptions('PReLU', options, ['numParameters', 'init']);
    this.weight = mx.full([checkPositiveInt('PReLU', 'numParameters', options.numParameters ?? 1)], options.init ?? 0.25);
  }
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
}

/** Which GELU `GELU` computes: exact (`'none'`), the tanh approximation (`'precise'`, alias `'tanh'`) or `'fast'`. */
export type GeluApproximation = 'none' | 'precise' | 'tanh' | 'fast';

export class GELU extends Module {
  readonly approx: GeluApproximation;
  constructor(options: { approx?: GeluApproximation } = {}) {
    super();
    checkOptions('GELU', options, ['approx']);
    this.approx = checkChoice('GELU', 'approx', options.approx ?? 'none', ['none', 'precise', 'tanh', 'fast']);
  }
  forward(x: Tensor): Tensor {
    if (this.approx === 'none') return gelu(x);
    return this.approx === 'fast' ? geluFastApprox(x) : geluApprox(x);
  }
}
