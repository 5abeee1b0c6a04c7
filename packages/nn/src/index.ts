// @mlxts/nn: Module, layers, activations, losses and initializers, with MLX Python's names and defaults.
export { Module } from './module.js';
export type { FreezeOptions, ModuleFilter, ParameterTree, Parameters, StrictOptions, Weights } from './module.js';
export * from './layers/activations.js';
export { Sequential } from './layers/containers.js';
export type { UnaryLayer } from './layers/containers.js';
export { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from './layers/convolution.js';
export type { ConvOptions, ConvTransposeOptions, GroupedConvOptions } from './layers/convolution.js';
export { Dropout, Dropout2d, Dropout3d } from './layers/dropout.js';
export { Embedding } from './layers/embedding.js';
export { Bilinear, Identity, Linear } from './layers/linear.js';
export { BatchNorm, GroupNorm, InstanceNorm, LayerNorm, RMSNorm } from './layers/normalization.js';
export { AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d } from './layers/pooling.js';
export type { PoolOptions } from './layers/pooling.js';
export { ALiBi, RoPE, SinusoidalPositionalEncoding } from './layers/positional-encoding.js';
export { QuantizedEmbedding, QuantizedLinear, quantize } from './layers/quantized.js';
export type { Quantizable, QuantizeLayerOptions, QuantizeModelOptions } from './layers/quantized.js';
export { GRU, LSTM, RNN } from './layers/recurrent.js';
export {
  MultiHeadAttention,
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
} from './layers/transformer.js';
export type { AttentionMask, MultiHeadAttentionOptions, TransformerModelOptions, TransformerOptions, TransformerStackOptions } from './layers/transformer.js';
export { Upsample } from './layers/upsample.js';
export type { UpsampleMode } from './layers/upsample.js';
export * as init from './init.js';
export * as losses from './losses.js';
export { checkpoint, valueAndGrad } from './transforms.js';
export { averageGradients, type AverageGradientsOptions } from './distributed.js';
