// grad, vjp and jvp of a representative set of ops against central finite differences in float64
// (elementwise, broadcasting, reductions, matmul, indexing and shape ops). Inputs stay away from the
// kinks of non-smooth ops (abs, max, maximum, clip), where derivatives are one-sided.
//
// MLX's CPU kernels compute exp, sin, cos, sigmoid and erf in float64 with float32-accurate
// approximations (about 1e-8 absolute error; mx.exp(1.1) is off by 1e-7 in float64, measured here): a
// 1e-6 finite-difference step would turn that into a 10% error, so those ops (and the reductions built
// on exp) use a 1e-2 step and a 1e-3 tolerance. The derivatives checked are still exact formulas, off by
// O(1) when wrong.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { checkGradients, type GradientCheckOptions, type GradientInput } from '@mlxts/testing';

type Case = [name: string, fn: (...xs: mx.Tensor[]) => mx.Tensor, inputs: GradientInput[], options?: GradientCheckOptions];

const approximate: GradientCheckOptions = { step: 1e-2, tolerance: 1e-3 };

const m23: GradientInput = { shape: [2, 3] };
const positive: GradientInput = { shape: [2, 3], min: 0.5, max: 2 };

const elementwise: Case[] = [
  ['sin', (x) => mx.sin(x), [m23], approximate],
  ['cos', (x) => mx.cos(x), [m23], approximate],
  ['tan', (x) => mx.tan(x), [{ shape: [2, 3], min: -1, max: 1 }]],
  ['exp', (x) => mx.exp(x), [m23], approximate],
  ['log', (x) => mx.log(x), [positive]],
  ['log1p', (x) => mx.log1p(x), [positive]],
  ['sqrt', (x) => mx.sqrt(x), [positive]],
  ['rsqrt', (x) => mx.rsqrt(x), [positive]],
  ['tanh', (x) => mx.tanh(x), [m23]],
  ['sigmoid', (x) => mx.sigmoid(x), [m23], approximate],
  ['erf', (x) => mx.erf(x), [m23], approximate],
  ['arcsin', (x) => mx.arcsin(x), [{ shape: [2, 3], min: -0.8, max: 0.8 }]],
  ['arctan', (x) => mx.arctan(x), [m23]],
  ['square', (x) => mx.square(x), [m23]],
  ['reciprocal', (x) => mx.reciprocal(x), [positive]],
  ['abs (away from 0)', (x) => mx.abs(mx.subtract(x, 3)), [positive]],
  ['negative', (x) => mx.negative(x), [m23]],
];

const binary: Case[] = [
  ['add with broadcasting', (a, b) => mx.add(a, b), [m23, { shape: [3] }]],
  ['subtract', (a, b) => mx.subtract(a, b), [m23, m23]],
  ['multiply with broadcasting', (a, b) => mx.multiply(a, b), [{ shape: [2, 1] }, m23]],
  ['divide', (a, b) => mx.divide(a, b), [m23, positive]],
  ['power', (a, b) => mx.power(a, b), [positive, m23]],
  ['maximum', (a, b) => mx.maximum(a, b), [m23, m23]],
  ['arctan2', (a, b) => mx.arctan2(a, b), [m23, positive]],
  ['logaddexp', (a, b) => mx.logaddexp(a, b), [m23, m23], approximate],
  ['where', (a, b) => mx.where(mx.array([[true, false, true], [false, true, false]]), a, b), [m23, m23]],
  ['clip (inside the bounds)', (x) => mx.clip(x, -5, 5), [m23]],
];

const reductions: Case[] = [
  ['sum over an axis', (x) => mx.sum(x, 1), [m23]],
  ['sum of everything', (x) => mx.sum(x), [m23]],
  ['mean', (x) => mx.mean(x, 0), [m23]],
  ['prod', (x) => mx.prod(x, -1), [positive]],
  ['max', (x) => mx.max(x, 1), [m23]],
  ['logsumexp', (x) => mx.logsumexp(x, 1), [m23], approximate],
  ['variance', (x) => mx.variance(x, 1), [m23]],
  ['cumsum', (x) => mx.cumsum(x, 1), [m23]],
  ['softmax', (x) => mx.softmax(x, -1), [m23], approximate],
];

const linear: Case[] = [
  ['matmul', (a, b) => mx.matmul(a, b), [m23, { shape: [3, 4] }]],
  ['batched matmul', (a, b) => mx.matmul(a, b), [{ shape: [2, 2, 3] }, { shape: [3, 2] }]],
  ['addmm', (c, a, b) => mx.addmm(c, a, b), [{ shape: [2, 4] }, m23, { shape: [3, 4] }]],
  ['einsum', (a, b) => mx.einsum('ij,jk->ik', a, b), [m23, { shape: [3, 2] }]],
];

const indexing: Case[] = [
  ['take along an axis (repeated index)', (x) => mx.take(x, mx.array([2, 0, 2], 'int32'), 1), [m23]],
  ['takeAlongAxis', (x) => mx.takeAlongAxis(x, mx.array([[1], [0]], 'int32'), 1), [m23]],
  ['slice with a stride', (x) => mx.slice(x, [0, 0], [2, 3], [1, 2]), [m23]],
  ['scatterAdd into a tensor', (x, u) => mx.scatterAdd(x, [mx.array([0, 0], 'int32')], u, [0]), [m23, { shape: [2, 1, 3] }], { skipJvp: 'MLX 0.32 has no JVP rule for scatter' }],
  ['concatenate', (a, b) => mx.concatenate([a, b], 0), [m23, { shape: [1, 3] }]],
  ['transpose and reshape', (x) => mx.reshape(mx.transpose(x), [6]), [m23]],
  ['broadcastTo', (x) => mx.broadcastTo(x, [4, 3]), [{ shape: [1, 3] }]],
];

describe('gradients match finite differences (float64)', () => {
  for (const [group, cases] of Object.entries({ elementwise, binary, reductions, linear, indexing })) {
    describe(group, () => {
      for (const [name, fn, inputs, options] of cases) it(name, () => checkGradients(name, fn, inputs, options));
    });
  }
});

describe('the finite-difference check', () => {
  it('catches a wrong derivative (a custom vjp off by a factor of 2)', () => {
    const wrongSin = mx.customFunction((x: mx.Tensor) => mx.sin(x)).vjp((x: mx.Tensor, cotangent: mx.Tensor) => mx.multiply(mx.multiply(mx.cos(x), cotangent), 2));
    expect(() => checkGradients('wrong sin', (x) => wrongSin(x), [m23], approximate)).toThrow(/wrong sin: grad of input 0, element 0/);
  });
});
