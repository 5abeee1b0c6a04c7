// Losses and initializers against MLX Python 0.32.4 (fixtures from scripts/record-reference.py). The
// initializers draw from MLX's generator, so with the same seed they must give the same values.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';
import { expectClose, referenceCases } from './support/reference.js';

const L = nn.losses;
type Loss = (...inputs: mx.Tensor[]) => mx.Tensor;

const LOSSES: Record<string, Loss> = {
  cross_entropy: (a, b) => L.crossEntropy(a, b),
  cross_entropy_mean: (a, b) => L.crossEntropy(a, b, { reduction: 'mean' }),
  cross_entropy_smoothing: (a, b) => L.crossEntropy(a, b, { labelSmoothing: 0.2, reduction: 'sum' }),
  cross_entropy_weights: (a, b, w) => L.crossEntropy(a, b, { weights: w }),
  cross_entropy_probs: (a, b) => L.crossEntropy(a, b),
  cross_entropy_axis0: (a, b) => L.crossEntropy(a, b, { axis: 0, labelSmoothing: 0.1 }),
  binary_cross_entropy: (a, b) => L.binaryCrossEntropy(a, b),
  binary_cross_entropy_probs: (a, b, w) => L.binaryCrossEntropy(a, b, { weights: w, withLogits: false, reduction: 'none' }),
  l1_loss: (a, b) => L.l1Loss(a, b),
  l1_loss_sum: (a, b) => L.l1Loss(a, b, { reduction: 'sum' }),
  mse_loss: (a, b) => L.mseLoss(a, b),
  mse_loss_none: (a, b) => L.mseLoss(a, b, { reduction: 'none' }),
  nll_loss: (a, b) => L.nllLoss(a, b),
  nll_loss_mean: (a, b) => L.nllLoss(a, b, { reduction: 'mean' }),
  gaussian_nll_loss: (a, b, v) => L.gaussianNllLoss(a, b, v),
  gaussian_nll_loss_full: (a, b, v) => L.gaussianNllLoss(a, b, v, { full: true, eps: 0.5, reduction: 'sum' }),
  kl_div_loss: (a, b) => L.klDivLoss(a, b),
  kl_div_loss_mean: (a, b) => L.klDivLoss(a, b, { axis: 0, reduction: 'mean' }),
  smooth_l1_loss: (a, b) => L.smoothL1Loss(a, b),
  smooth_l1_loss_beta: (a, b) => L.smoothL1Loss(a, b, { beta: 0.5, reduction: 'none' }),
  triplet_loss: (a, p, n) => L.tripletLoss(a, p, n),
  triplet_loss_p1: (a, p, n) => L.tripletLoss(a, p, n, { axis: 0, p: 1, margin: 0.5, reduction: 'mean' }),
  hinge_loss: (a, b) => L.hingeLoss(a, b),
  hinge_loss_mean: (a, b) => L.hingeLoss(a, b, { reduction: 'mean' }),
  huber_loss: (a, b) => L.huberLoss(a, b),
  huber_loss_delta: (a, b) => L.huberLoss(a, b, { delta: 0.3, reduction: 'sum' }),
  log_cosh_loss: (a, b) => L.logCoshLoss(a, b),
  cosine_similarity_loss: (a, b) => L.cosineSimilarityLoss(a, b),
  cosine_similarity_loss_axis: (a, b) => L.cosineSimilarityLoss(a, b, { axis: 0, eps: 1e-3, reduction: 'mean' }),
  margin_ranking_loss: (a, b, t) => L.marginRankingLoss(a, b, t),
  margin_ranking_loss_margin: (a, b, t) => L.marginRankingLoss(a, b, t, { margin: 0.4, reduction: 'mean' }),
};

const like = () => mx.zeros([6, 3, 2, 5]);
const INITS: Record<string, () => mx.Tensor> = {
  constant: () => nn.init.constant(0.25)(mx.zeros([4, 10])),
  normal: () => nn.init.normal({ mean: 1.0, std: 0.5 })(like()),
  uniform: () => nn.init.uniform({ low: -2, high: 3 })(like()),
  identity: () => nn.init.identity()(mx.zeros([5, 5])),
  glorot_normal: () => nn.init.glorotNormal()(like(), { gain: 2.0 }),
  glorot_uniform: () => nn.init.glorotUniform()(mx.zeros([4, 10])),
  he_normal: () => nn.init.heNormal()(like(), { mode: 'fan_out' }),
  he_uniform: () => nn.init.heUniform()(like(), { gain: 0.5 }),
  sparse: () => nn.init.sparse(0.3, { mean: 1.0, std: 0.1 })(mx.zeros([4, 10])),
  normal_float16: () => nn.init.normal({ dtype: 'float16' })(mx.zeros([4, 10])),
};

describe('losses against MLX Python', () => {
  const cases = referenceCases('losses.safetensors');
  it('the fixture and this table name the same cases', () => {
    expect([...cases.keys()].sort()).toEqual(Object.keys(LOSSES).sort());
  });
  for (const [name, ref] of cases) {
    it(name, () => mx.tidy(() => expectClose(LOSSES[name](...ref.inputs), ref.outputs[0], 2e-6, name)));
  }
});

describe('initializers against MLX Python', () => {
  const cases = referenceCases('init.safetensors');
  it('the fixture and this table name the same cases', () => {
    expect([...cases.keys()].sort()).toEqual(Object.keys(INITS).sort());
  });
  for (const [name, ref] of cases) {
    it(name, () => {
      mx.random.seed(ref.settings.seed!);
      mx.tidy(() => expectClose(INITS[name](), ref.outputs[0], 1e-6, name));
    });
  }
});

describe('loss and initializer arguments', () => {
  it('shape mismatches are MlxErrors naming the loss; bad options are TypeErrors; out-of-range numbers RangeErrors', () => {
    mx.tidy(() => {
      expect(() => L.mseLoss(mx.zeros([2, 3]), mx.zeros([3, 2]))).toThrow(/^mseLoss: predictions shape \[2,3\] does not match targets shape \[3,2\]/);
      expect(() => L.mseLoss(mx.zeros([2, 3]), mx.zeros([3, 2]))).toThrow(mx.MlxError);
      expect(() => L.crossEntropy(mx.zeros([2, 3]), mx.zeros([3], 'int32'))).toThrow(mx.MlxError);
      expect(() => L.crossEntropy(mx.zeros([2, 3]), mx.zeros([2], 'int32'), { reduction: 'avg' as never })).toThrow(TypeError);
      expect(() => L.crossEntropy(mx.zeros([2, 3]), mx.zeros([2], 'int32'), { labelSmoothing: 1 })).toThrow(RangeError);
      expect(() => L.l1Loss(mx.zeros([2]), mx.zeros([2]), { reduce: 'mean' } as never)).toThrow(/unknown option 'reduce'/);
      expect(() => nn.init.identity()(mx.zeros([2, 3]))).toThrow(mx.MlxError);
      expect(() => nn.init.glorotUniform()(mx.zeros([3]))).toThrow(mx.MlxError);
    });
  });
});
