// grad, vjp and jvp of the fused kernels against central finite differences in float64 (see
// packages/core/test/transforms/finite-differences.test.ts for the method). MLX's fused kernels work in
// float32 inside even for float64 tensors (rmsNorm's float64 result differs from the composed formula by
// about 1e-7, measured here), and exp is float32-accurate in float64 on the CPU, so every case uses the
// wider finite-difference step and tolerance.
import { describe, it } from 'vitest';
import { checkGradients, type GradientCheckOptions } from '@mlxts/testing';
import * as fast from '../src/index.js';

const approximate: GradientCheckOptions = { step: 1e-2, tolerance: 1e-3 };

describe('fused kernels: gradients match finite differences (float64)', () => {
  it('rmsNorm, input and weight', () =>
    checkGradients('rmsNorm', (x, w) => fast.rmsNorm(x, w, 1e-5), [{ shape: [2, 4] }, { shape: [4] }], approximate));

  it('layerNorm, input, weight and bias', () =>
    checkGradients('layerNorm', (x, w, b) => fast.layerNorm(x, w, b, 1e-5), [{ shape: [2, 4] }, { shape: [4] }, { shape: [4] }], approximate));

  it('rope', () => checkGradients('rope', (x) => fast.rope(x, 4, { offset: 2 }), [{ shape: [1, 1, 3, 4] }], approximate));

  it('scaledDotProductAttention, causal', () =>
    checkGradients(
      'scaledDotProductAttention',
      (q, k, v) => fast.scaledDotProductAttention(q, k, v, { scale: 0.5, mask: 'causal' }),
      [{ shape: [1, 1, 3, 2] }, { shape: [1, 1, 3, 2] }, { shape: [1, 1, 3, 2] }],
      approximate,
    ));
});
