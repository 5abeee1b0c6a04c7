// Gradient checks against central finite differences in float64. The reference is the forward function
// itself, evaluated at points a small step apart: it shares nothing with the vjp and jvp rules under test.
//
// A function with a tensor output is made scalar by a fixed random projection r:
// L(x) = sum(f(x) * r). Then grad(L) and vjp(f, x, [r]) must match dL/dx_j ~ (L(x + h e_j) - L(x - h e_j)) / 2h
// element by element, and jvp(f, x, v) · r must match (L(x + h v) - L(x - h v)) / 2h.
import { expect } from 'vitest';
import * as mx from '@mlxts/core';
import { prng } from './random.js';

/** One input of a checked function: its shape and the interval its float64 values are drawn from. */
export interface GradientInput {
  shape: number[];
  min?: number;
  max?: number;
}

export interface GradientCheckOptions {
  /** Finite-difference step (default 1e-6). */
  step?: number;
  /** Allowed |analytic - numeric| relative to 1 + |numeric| (default 1e-6). */
  tolerance?: number;
  /** Seed of the input values, projection and tangents. */
  seed?: number;
  /** Why grad and the vjp are not checked (an op whose MLX VJP rule is missing or wrong). */
  skipVjp?: string;
  /** Why the jvp is not checked (an op MLX has no JVP rule for). */
  skipJvp?: string;
  /** The dtype of the inputs: float32 for an op without a float64 CPU kernel (default float64). */
  dtype?: 'float64' | 'float32';
}

/** A tensor of `dtype` (float64 unless given) holding `values`, of the given shape. */
export function tensorOf(values: ArrayLike<number>, shape: readonly number[], dtype: 'float64' | 'float32' = 'float64'): mx.Tensor {
  return mx.reshape(mx.astype(mx.array(Float64Array.from(values), 'float64'), dtype), [...shape]);
}

/** `count` random values in [min, max) (default [-2, 2)) from `random`. */
export function drawValues(random: () => number, count: number, min = -2, max = 2): Float64Array {
  return Float64Array.from({ length: count }, () => min + (max - min) * random());
}

function values64(t: mx.Tensor): Float64Array {
  return Float64Array.from(mx.astype(t, 'float64').toTypedArray() as Float64Array);
}

/**
 * Checks grad, vjp and jvp of `fn` at random float64 inputs against central finite differences.
 * `name` prefixes every failure message.
 */
export function checkGradients(name: string, fn: (...inputs: mx.Tensor[]) => mx.Tensor, inputs: GradientInput[], options: GradientCheckOptions = {}): void {
  const step = options.step ?? 1e-6;
  const tolerance = options.tolerance ?? 1e-6;
  const random = prng(options.seed ?? 1);
  const dtype = options.dtype ?? 'float64';
  const tensor = (values: ArrayLike<number>, shape: readonly number[]) => tensorOf(values, shape, dtype);
  mx.tidy(() => {
    const points = inputs.map(({ shape, min, max }) => drawValues(random, shape.reduce((a, b) => a * b, 1), min, max));
    const xs = points.map((p, i) => tensor(p, inputs[i].shape));
    const out = fn(...xs);
    expect(out.dtype, `${name}: the output dtype`).toBe(dtype);
    const r = tensor(Array.from({ length: out.size }, () => random() * 2 - 1), out.shape);
    const loss = (...args: mx.Tensor[]) => mx.sum(mx.multiply(fn(...args), r));
    const argnums = inputs.map((_, i) => i);

    // Numeric partial derivatives: two shifted losses per element, all evaluated at once.
    const shifted: mx.Tensor[] = [];
    points.forEach((p, i) => {
      for (let j = 0; j < p.length; j++) {
        for (const sign of [1, -1]) {
          const moved = Float64Array.from(p);
          moved[j] += sign * step;
          shifted.push(loss(...xs.map((x, k) => (k === i ? tensor(moved, inputs[i].shape) : x))));
        }
      }
    });
    // A random tangent per input and the two losses along it.
    const tangents = points.map((p, i) => tensor(Array.from(p, () => random() * 2 - 1), inputs[i].shape));
    const along = [1, -1].map((sign) => loss(...xs.map((x, i) => mx.add(x, mx.multiply(tangents[i], sign * step)))));
    mx.evalSync(shifted, along);

    if (!options.skipVjp) {
      const grads = mx.grad(loss, argnums)(...xs) as mx.Tensor | mx.Tensor[];
      const gradList = Array.isArray(grads) ? grads : [grads];
      const [, vjps] = mx.vjp(fn, xs, [r]) as [unknown, mx.Tensor[]];
      let next = 0;
      points.forEach((p, i) => {
        const g = values64(gradList[i]);
        const v = values64(vjps[i]);
        for (let j = 0; j < p.length; j++) {
          const numeric = (Number(shifted[next].item()) - Number(shifted[next + 1].item())) / (2 * step);
          next += 2;
          expectClose(g[j], numeric, tolerance, `${name}: grad of input ${i}, element ${j}`);
          expectClose(v[j], numeric, tolerance, `${name}: vjp of input ${i}, element ${j}`);
        }
      });
    }

    if (options.skipJvp) return;
    const [, jvps] = mx.jvp(fn, xs, tangents) as [unknown, mx.Tensor[]];
    const directional = Number(mx.sum(mx.multiply(jvps[0], r)).item());
    const numeric = (Number(along[0].item()) - Number(along[1].item())) / (2 * step);
    expectClose(directional, numeric, tolerance, `${name}: jvp along a random tangent`);
  });
}

function expectClose(actual: number, expected: number, tolerance: number, context: string): void {
  if (!(Math.abs(actual - expected) <= tolerance * (1 + Math.abs(expected)))) {
    throw new Error(`${context}: ${actual}, finite differences give ${expected} (tolerance ${tolerance})`);
  }
}
