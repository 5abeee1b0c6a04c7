// Every layer against MLX Python 0.32.4: the same weights (loaded with loadWeights, which also checks
// that the parameter names and shapes are MLX Python's) and inputs must give the same outputs. Where the
// script recorded a freshly constructed layer after mx.random.seed, the construction must draw the same
// weights; dropout with the same seed must drop the same elements.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';
import { expectClose, expectSameParameters, referenceCases } from './support/reference.js';

type Layer = nn.Module & { forward(...args: never[]): unknown };
interface Maker {
  make: () => Layer;
  call?: (layer: any, ...inputs: mx.Tensor[]) => unknown;
}

const ACTIVATIONS: Record<string, () => Layer> = {
  sigmoid: () => new nn.Sigmoid(),
  relu: () => new nn.ReLU(),
  relu2: () => new nn.ReLU2(),
  relu6: () => new nn.ReLU6(),
  softplus: () => new nn.Softplus(),
  softsign: () => new nn.Softsign(),
  silu: () => new nn.SiLU(),
  log_sigmoid: () => new nn.LogSigmoid(),
  mish: () => new nn.Mish(),
  hardswish: () => new nn.Hardswish(),
  hard_tanh: () => new nn.HardTanh(),
  selu: () => new nn.SELU(),
  tanh: () => new nn.Tanh(),
  softmax: () => new nn.Softmax(),
  softmin: () => new nn.Softmin(),
  log_softmax: () => new nn.LogSoftmax(),
  gelu: () => new nn.GELU(),
  gelu_precise: () => new nn.GELU({ approx: 'precise' }),
  gelu_tanh: () => new nn.GELU({ approx: 'tanh' }),
  gelu_fast: () => new nn.GELU({ approx: 'fast' }),
  leaky_relu: () => new nn.LeakyReLU({ negativeSlope: 0.2 }),
  elu: () => new nn.ELU({ alpha: 0.7 }),
  celu: () => new nn.CELU({ alpha: 1.3 }),
  softshrink: () => new nn.Softshrink({ lambd: 0.3 }),
  hard_shrink: () => new nn.HardShrink({ lambd: 0.3 }),
  step: () => new nn.Step({ threshold: 0.1 }),
  glu: () => new nn.GLU(),
  prelu: () => new nn.PReLU({ numParameters: 8, init: 0.1 }),
};

const quantized = (mode: 'affine' | 'mxfp4' | 'nvfp4' | 'mxfp8', groupSize?: number, bits?: number): Maker => ({
  make: () => new nn.QuantizedLinear(64, 16, { mode, groupSize, bits }),
});

const LAYERS: Record<string, Maker> = {
  ...Object.fromEntries(Object.entries(ACTIVATIONS).map(([name, make]) => [`act_${name}`, { make }])),
  linear: { make: () => new nn.Linear(8, 5) },
  linear_no_bias: { make: () => new nn.Linear(8, 5, { bias: false }) },
  bilinear: { make: () => new nn.Bilinear(8, 6, 4) },
  identity: { make: () => new nn.Identity() },
  embedding: { make: () => new nn.Embedding(10, 8) },
  embedding_as_linear: { make: () => new nn.Embedding(10, 8), call: (l: nn.Embedding, x) => l.asLinear(x) },
  quantized_linear_affine_32_4: quantized('affine', 32, 4),
  quantized_linear_affine_64_8: quantized('affine', 64, 8),
  quantized_linear_mxfp4: quantized('mxfp4'),
  quantized_linear_nvfp4: quantized('nvfp4'),
  quantized_linear_mxfp8: quantized('mxfp8'),
  quantized_embedding: { make: () => new nn.QuantizedEmbedding(10, 64, { groupSize: 32, bits: 4 }) },
  quantized_embedding_as_linear: { make: () => new nn.QuantizedEmbedding(10, 64, { groupSize: 32, bits: 4 }), call: (l: nn.QuantizedEmbedding, x) => l.asLinear(x) },
  conv1d: { make: () => new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1 }) },
  conv1d_groups: { make: () => new nn.Conv1d(4, 6, 3, { dilation: 2, groups: 2, bias: false }) },
  conv2d: { make: () => new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: 1 }) },
  conv2d_groups: { make: () => new nn.Conv2d(4, 2, 3, { padding: [1, 0], dilation: [1, 2], groups: 2 }) },
  conv3d: { make: () => new nn.Conv3d(2, 3, 2, { stride: [1, 2, 1], padding: [1, 0, 1] }) },
  conv_transpose1d: { make: () => new nn.ConvTranspose1d(4, 3, 3, { stride: 2, padding: 1, outputPadding: 1 }) },
  conv_transpose2d: { make: () => new nn.ConvTranspose2d(4, 3, [2, 3], { stride: 2, padding: [0, 1], dilation: [1, 2] }) },
  conv_transpose3d: { make: () => new nn.ConvTranspose3d(2, 3, 2, { stride: [2, 1, 1] }) },
  rms_norm: { make: () => new nn.RMSNorm(8, { eps: 1e-4 }) },
  layer_norm: { make: () => new nn.LayerNorm(8) },
  layer_norm_no_affine: { make: () => new nn.LayerNorm(8, { affine: false }) },
  layer_norm_no_bias: { make: () => new nn.LayerNorm(8, { bias: false }) },
  group_norm: { make: () => new nn.GroupNorm(2, 4) },
  group_norm_pytorch: { make: () => new nn.GroupNorm(2, 4, { pytorchCompatible: true }) },
  instance_norm: { make: () => new nn.InstanceNorm(4, { affine: true }) },
  batch_norm_train: { make: () => new nn.BatchNorm(4, { momentum: 0.2 }) },
  batch_norm_eval: { make: () => new nn.BatchNorm(4) },
  batch_norm_2d_input: { make: () => new nn.BatchNorm(8) },
  dropout_train: { make: () => new nn.Dropout({ p: 0.3 }) },
  dropout_eval: { make: () => new nn.Dropout({ p: 0.3 }) },
  dropout2d_train: { make: () => new nn.Dropout2d({ p: 0.4 }) },
  dropout3d_train: { make: () => new nn.Dropout3d({ p: 0.4 }) },
  rope: { make: () => new nn.RoPE(8) },
  rope_traditional_offset: { make: () => new nn.RoPE(6, { traditional: true, base: 500, scale: 0.5 }), call: (l: nn.RoPE, x) => l.forward(x, 3) },
  sinusoidal: { make: () => new nn.SinusoidalPositionalEncoding(8) },
  sinusoidal_options: { make: () => new nn.SinusoidalPositionalEncoding(6, { minFreq: 0.01, maxFreq: 2, scale: 1.0, cosFirst: true, fullTurns: true }) },
  alibi: { make: () => new nn.ALiBi() },
  alibi_offset_mask: { make: () => new nn.ALiBi(), call: (l: nn.ALiBi, s, m) => l.forward(s, 2, m) },
  multi_head_attention: { make: () => new nn.MultiHeadAttention(8, 2) },
  multi_head_attention_dims: {
    make: () => new nn.MultiHeadAttention(8, 4, { queryInputDims: 6, keyInputDims: 5, valueInputDims: 7, valueDims: 12, valueOutputDims: 3, bias: true }),
  },
  transformer_encoder: { make: () => new nn.TransformerEncoder(2, 8, 2, { mlpDims: 16 }) },
  transformer_encoder_post_norm: { make: () => new nn.TransformerEncoder(1, 8, 2, { normFirst: false, activation: nn.gelu }) },
  transformer_decoder: { make: () => new nn.TransformerDecoder(1, 8, 2, { mlpDims: 12 }) },
  transformer_decoder_post_norm: { make: () => new nn.TransformerDecoder(1, 8, 2, { normFirst: false }) },
  transformer: {
    make: () => new nn.Transformer({ dims: 8, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1, mlpDims: 16 }),
    call: (l: nn.Transformer, src, tgt, mask) => l.forward(src, tgt, undefined, mask, undefined),
  },
  rnn: { make: () => new nn.RNN(4, 6) },
  rnn_hidden_relu: { make: () => new nn.RNN(4, 6, { bias: false, nonlinearity: nn.relu }) },
  rnn_unbatched: { make: () => new nn.RNN(4, 6) },
  gru: { make: () => new nn.GRU(4, 6) },
  gru_hidden: { make: () => new nn.GRU(4, 6) },
  gru_no_bias: { make: () => new nn.GRU(4, 6, { bias: false }) },
  lstm: { make: () => new nn.LSTM(4, 6) },
  lstm_state: { make: () => new nn.LSTM(4, 6, { bias: false }) },
  max_pool1d: { make: () => new nn.MaxPool1d(2) },
  avg_pool1d: { make: () => new nn.AvgPool1d(3, { stride: 2, padding: 1 }) },
  max_pool2d: { make: () => new nn.MaxPool2d(2) },
  max_pool2d_strided: { make: () => new nn.MaxPool2d([3, 2], { stride: [2, 1], padding: 1 }) },
  avg_pool2d: { make: () => new nn.AvgPool2d(2, { stride: 1, padding: [0, 1] }) },
  max_pool3d: { make: () => new nn.MaxPool3d(2, { stride: 1 }) },
  avg_pool3d: { make: () => new nn.AvgPool3d([2, 3, 2], { padding: [1, 1, 0] }) },
  upsample_nearest: { make: () => new nn.Upsample(2) },
  upsample_nearest_fraction: { make: () => new nn.Upsample([1.5, 0.5]) },
  upsample_linear: { make: () => new nn.Upsample(2, { mode: 'linear' }) },
  upsample_linear_corners: { make: () => new nn.Upsample([2, 3], { mode: 'linear', alignCorners: true }) },
  upsample_cubic: { make: () => new nn.Upsample(2, { mode: 'cubic' }) },
  upsample_cubic_corners: { make: () => new nn.Upsample(1.5, { mode: 'cubic', alignCorners: true }) },
  upsample_linear_antialias: { make: () => new nn.Upsample(0.5, { mode: 'linear', antialias: true }) },
  upsample_cubic_antialias: { make: () => new nn.Upsample([0.5, 1.5], { mode: 'cubic', antialias: true }) },
  upsample_linear_1d: { make: () => new nn.Upsample(2.5, { mode: 'linear' }) },
  sequential: { make: () => new nn.Sequential(new nn.Linear(8, 6), nn.relu, new nn.Linear(6, 3)) },
};

// Cases checked separately below, and the causal mask (an output of a static method).
const SEPARATE = new Set(['quantize_model', 'causal_mask']);

const cases = referenceCases('layers.safetensors');

describe('layers against MLX Python', () => {
  it('the fixture and this table name the same cases', () => {
    expect([...cases.keys()].filter((name) => !SEPARATE.has(name)).sort()).toEqual(Object.keys(LAYERS).sort());
  });

  for (const [name, ref] of cases) {
    if (SEPARATE.has(name)) continue;
    it(name, () => {
      const maker = LAYERS[name];
      mx.tidy(() => {
        using layer = maker.make();
        layer.loadWeights(ref.weights.map(([k, t]) => [k, mx.copy(t)] as const));
        layer.train(ref.settings.train ?? false);
        mx.random.seed(ref.settings.seed ?? 0);
        const result = maker.call ? maker.call(layer, ...ref.inputs) : (layer.forward as (...xs: mx.Tensor[]) => unknown)(...ref.inputs);
        const outputs = Array.isArray(result) ? result : [result];
        expect(outputs.length, 'number of outputs').toBe(ref.outputs.length);
        ref.outputs.forEach((expected, i) => expectClose(outputs[i] as mx.Tensor, expected, 2e-5, `${name} output ${i}`));
        if (ref.after.length > 0) expectSameParameters(mx.treeFlatten(layer.parameters()), ref.after, 2e-5, `${name} after the forward pass`);
      });
    });
  }
});

describe('construction draws the same weights as MLX Python for the same seed', () => {
  for (const [name, ref] of cases) {
    if (ref.init.length === 0) continue;
    it(name, () => {
      mx.random.seed(ref.settings.init_seed!);
      using layer = LAYERS[name].make();
      expectSameParameters(mx.treeFlatten(layer.parameters()), ref.init, 0, name);
    });
  }
});

describe('nn.quantize against MLX Python', () => {
  it('packs the same weights and computes the same output', () => {
    const ref = cases.get('quantize_model')!;
    using model = new nn.Sequential(new nn.Linear(64, 16), new nn.ReLU(), new nn.Embedding(10, 64));
    model.loadWeights(ref.weights.map(([k, t]) => [k, mx.copy(t)] as const));
    nn.quantize(model, { groupSize: 32, bits: 4 });
    expect(model.layers[0]).toBeInstanceOf(nn.QuantizedLinear);
    expect(model.layers[2]).toBeInstanceOf(nn.QuantizedEmbedding);
    expectSameParameters(mx.treeFlatten(model.parameters()), ref.after, 0, 'quantized parameters');
    mx.tidy(() => expectClose((model.layers[0] as nn.QuantizedLinear).forward(ref.inputs[0]), ref.outputs[0], 1e-5, 'output'));
  });

  it('MultiHeadAttention.createAdditiveCausalMask', () => {
    mx.tidy(() => expectClose(nn.MultiHeadAttention.createAdditiveCausalMask(3), cases.get('causal_mask')!.outputs[0], 0, 'mask'));
  });
});
