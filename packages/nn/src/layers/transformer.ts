// Multi-head attention and the Transformer encoder/decoder of "Attention Is All You Need", with MLX
// Python's submodule names (query_proj, self_attention, ln1, ...), which are checkpoint names.
import * as mx from '@mlxts/core';
import type { DType, Tensor } from '@mlxts/core';
import * as fast from '@mlxts/fast';
import { checkBoolean, checkInRange, checkOptions, checkPositiveInt } from '../checks.js';
import { Module } from '../module.js';
import { checkpoint } from '../transforms.js';
import { relu } from './activations.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';

/** An additive mask (0 or `-∞`-like) or a boolean keep-mask, broadcastable to `[B, H, Tq, Tk]`, or `'causal'`. */
export type AttentionMask = Tensor | 'causal';

/** Options of MultiHeadAttention: the input and output sizes default to `dims`. */
export interface MultiHeadAttentionOptions {
  queryInputDims?: number;
  keyInputDims?: number;
  /** Default: `keyInputDims`. */
  valueInputDims?: number;
  valueDims?: number;
  valueOutputDims?: number;
  /** Biases in the projections. Default false. */
  bias?: boolean;
}

/**
 * Scaled dot-product attention over `numHeads` heads, with linear projections of the queries, keys and
 * values (`[B, T, dims]`) and of the output.
 */
export class MultiHeadAttention extends Module {
  readonly numHeads: number;
  query_proj: Linear;
  key_proj: Linear;
  value_proj: Linear;
  out_proj: Linear;

  constructor(dims: number, numHeads: number, options: MultiHeadAttentionOptions = {}) {
    super();
    checkOptions('MultiHeadAttention', options, ['queryInputDims', 'keyInputDims', 'valueInputDims', 'valueDims', 'valueOutputDims', 'bias']);
    checkPositiveInt('MultiHeadAttention', 'dims', dims);
    this.numHeads = checkPositiveInt('MultiHeadAttention', 'numHeads', numHeads);
    if (dims % numHeads !== 0) throw new RangeError(`MultiHeadAttention: dims (${dims}) must be divisible by numHeads (${numHeads})`);
    const keyInputDims = options.keyInputDims ?? dims;
    const valueDims = options.valueDims ?? dims;
    const bias = checkBoolean('MultiHeadAttention', 'bias', options.bias ?? false);
    this.query_proj = new Linear(options.queryInputDims ?? dims, dims, { bias });
    this.key_proj = new Linear(keyInputDims, dims, { bias });
    this.value_proj = new Linear(options.valueInputDims ?? keyInputDims, valueDims, { bias });
    this.out_proj = new Linear(valueDims, options.valueOutputDims ?? dims, { bias });
  }

  forward(queries: Tensor, keys: Tensor, values: Tensor, mask?: AttentionMask): Tensor {
    const heads = (x: Tensor) => mx.transpose(mx.unflatten(x, -1, [this.numHeads, -1]), [0, 2, 1, 3]);
    const q = heads(this.query_proj.forward(queries));
    const k = heads(this.key_proj.forward(keys));
    const v = heads(this.value_proj.forward(values));
    const scale = Math.sqrt(1 / q.shape[q.ndim - 1]);
    const out = fast.scaledDotProductAttention(q, k, v, mask === undefined ? { scale } : { scale, mask });
    return this.out_proj.forward(mx.flatten(mx.transpose(out, [0, 2, 1, 3]), -2, -1));
  }

  /** An additive `[n, n]` mask: 0 on and below the diagonal, the dtype's most negative value above it. */
  static createAdditiveCausalMask(n: number, dtype: DType = 'float32'): Tensor {
    checkPositiveInt('MultiHeadAttention.createAdditiveCausalMask', 'n', n);
    return mx.tidy(() => {
      const indices = mx.arange(n);
      const future = mx.less(mx.expandDims(indices, 1), mx.expandDims(indices, 0));
      return mx.multiply(mx.astype(future, dtype), mx.finfo(dtype).min);
    });
  }
}

/** Options of the Transformer layers and stacks. */
export interface TransformerOptions {
  /** Hidden size of the MLP. Default `4 * dims`. */
  mlpDims?: number;
  /** Dropout after attention and in the MLP. Default 0. */
  dropout?: number;
  /** The MLP's activation. Default `nn.relu`. */
  activation?: (x: Tensor) => Tensor;
  /** Normalize before attention and the MLP (pre-norm, the default) instead of after. */
  normFirst?: boolean;
}

const LAYER_KEYS = ['mlpDims', 'dropout', 'activation', 'normFirst'];

function layerSettings(fn: string, dims: number, numHeads: number, options: TransformerOptions) {
  checkOptions(fn, options, LAYER_KEYS);
  checkPositiveInt(fn, 'dims', dims);
  checkPositiveInt(fn, 'numHeads', numHeads);
  const activation = options.activation ?? relu;
  if (typeof activation !== 'function') throw new TypeError(`${fn}: activation must be a function`);
  return {
    mlpDims: checkPositiveInt(fn, 'mlpDims', options.mlpDims ?? dims * 4),
    dropout: checkInRange(fn, 'dropout', options.dropout ?? 0, 0, 1),
    activation,
    normFirst: checkBoolean(fn, 'normFirst', options.normFirst ?? true),
  };
}

/** Self-attention and an MLP, each with a residual connection and a LayerNorm. */
export class TransformerEncoderLayer extends Module {
  attention: MultiHeadAttention;
  ln1: LayerNorm;
  ln2: LayerNorm;
  linear1: Linear;
  linear2: Linear;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: (x: Tensor) => Tensor;
  readonly normFirst: boolean;

  constructor(dims: number, numHeads: number, options: TransformerOptions = {}) {
    super();
    const s = layerSettings('TransformerEncoderLayer', dims, numHeads, options);
    this.attention = new MultiHeadAttention(dims, numHeads);
    this.ln1 = new LayerNorm(dims);
    this.ln2 = new LayerNorm(dims);
    this.linear1 = new Linear(dims, s.mlpDims);
    this.linear2 = new Linear(s.mlpDims, dims);
    this.dropout1 = new Dropout({ p: s.dropout });
    this.dropout2 = new Dropout({ p: s.dropout });
    this.activation = s.activation;
    this.normFirst = s.normFirst;
  }

  forward(x: Tensor, mask?: AttentionMask): Tensor {
    const mlp = (y: Tensor) => this.linear2.forward(this.dropout2.forward(this.activation(this.linear1.forward(y))));
    if (this.normFirst) {
      const y = this.ln1.forward(x);
      x = mx.add(x, this.dropout1.forward(this.attention.forward(y, y, y, mask)));
      return mx.add(x, mlp(this.ln2.forward(x)));
    }
    x = this.ln1.forward(mx.add(x, this.dropout1.forward(this.attention.forward(x, x, x, mask))));
    return this.ln2.forward(mx.add(x, mlp(x)));
  }
}

/** Options of the Transformer stacks: the layers' options, and gradient checkpointing. */
export interface TransformerStackOptions extends TransformerOptions {
  /** Recompute each layer's activations in the backward pass instead of keeping them (`nn.checkpoint`). Default false. */
  checkpoint?: boolean;
}

function stackSettings(fn: string, numLayers: number, options: TransformerStackOptions) {
  checkPositiveInt(fn, 'numLayers', numLayers);
  const { checkpoint: useCheckpoint = false, ...layer } = options;
  return { checkpoint: checkBoolean(fn, 'checkpoint', useCheckpoint), layer };
}

/** A stack of `numLayers` encoder layers followed by a LayerNorm. */
export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayer[];
  ln: LayerNorm;
  readonly checkpoint: boolean;

  constructor(numLayers: number, dims: number, numHeads: number, options: TransformerStackOptions = {}) {
    super();
    const s = stackSettings('TransformerEncoder', numLayers, options);
    this.layers = Array.from({ length: numLayers }, () => new TransformerEncoderLayer(dims, numHeads, s.layer));
    this.ln = new LayerNorm(dims);
    this.checkpoint = s.checkpoint;
  }

  forward(x: Tensor, mask?: AttentionMask): Tensor {
    for (const layer of this.layers) x = this.checkpoint ? checkpoint(layer)(x, mask) : layer.forward(x, mask);
    return this.ln.forward(x);
  }
}

/** Self-attention, cross-attention over the encoder's output (`memory`) and an MLP, each with a residual and a LayerNorm. */
export class TransformerDecoderLayer extends Module {
  self_attention: MultiHeadAttention;
  cross_attention: MultiHeadAttention;
  ln1: LayerNorm;
  ln2: LayerNorm;
  ln3: LayerNorm;
  linear1: Linear;
  linear2: Linear;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly activation: (x: Tensor) => Tensor;
  readonly normFirst: boolean;

  constructor(dims: number, numHeads: number, options: TransformerOptions = {}) {
    super();
    const s = layerSettings('TransformerDecoderLayer', dims, numHeads, options);
    this.self_attention = new MultiHeadAttention(dims, numHeads);
    this.cross_attention = new MultiHeadAttention(dims, numHeads);
    this.ln1 = new LayerNorm(dims);
    this.ln2 = new LayerNorm(dims);
    this.ln3 = new LayerNorm(dims);
    this.linear1 = new Linear(dims, s.mlpDims);
    this.linear2 = new Linear(s.mlpDims, dims);
    this.dropout1 = new Dropout({ p: s.dropout });
    this.dropout2 = new Dropout({ p: s.dropout });
    this.dropout3 = new Dropout({ p: s.dropout });
    this.activation = s.activation;
    this.normFirst = s.normFirst;
  }

  forward(x: Tensor, memory: Tensor, xMask?: AttentionMask, memoryMask?: AttentionMask): Tensor {
    const mlp = (y: Tensor) => this.linear2.forward(this.dropout3.forward(this.activation(this.linear1.forward(y))));
    if (this.normFirst) {
      let y = this.ln1.forward(x);
      x = mx.add(x, this.dropout1.forward(this.self_attention.forward(y, y, y, xMask)));
      y = this.ln2.forward(x);
      x = mx.add(x, this.dropout2.forward(this.cross_attention.forward(y, memory, memory, memoryMask)));
      return mx.add(x, mlp(this.ln3.forward(x)));
    }
    x = this.ln1.forward(mx.add(x, this.dropout1.forward(this.self_attention.forward(x, x, x, xMask))));
    x = this.ln2.forward(mx.add(x, this.dropout2.forward(this.cross_attention.forward(x, memory, memory, memoryMask))));
    return this.ln3.forward(mx.add(x, mlp(x)));
  }
}

/** A stack of `numLayers` decoder layers followed by a LayerNorm. */
export class TransformerDecoder extends Module {
  layers: TransformerDecoderLayer[];
  ln: LayerNorm;
  readonly checkpoint: boolean;

  constructor(numLayers: number, dims: number, numHeads: number, options: TransformerStackOptions = {}) {
    super();
    const s = stackSettings('TransformerDecoder', numLayers, options);
    this.layers = Array.from({ length: numLayers }, () => new TransformerDecoderLayer(dims, numHeads, s.layer));
    this.ln = new LayerNorm(dims);
    this.checkpoint = s.checkpoint;
  }

  forward(x: Tensor, memory: Tensor, xMask?: AttentionMask, memoryMask?: AttentionMask): Tensor {
    for (const layer of this.layers) {
      x = this.checkpoint ? checkpoint(layer)(x, memory, xMask, memoryMask) : layer.forward(x, memory, xMask, memoryMask);
    }
    return this.ln.forward(x);
  }
}

/** Options of Transformer: the sizes of both stacks, and optional replacements for them. */
export interface TransformerModelOptions extends TransformerStackOptions {
  /** Default 512. */
  dims?: number;
  /** Default 8. */
  numHeads?: number;
  /** Default 6. */
  numEncoderLayers?: number;
  /** Default 6. */
  numDecoderLayers?: number;
  customEncoder?: Module & { forward(src: Tensor, mask?: AttentionMask): Tensor };
  customDecoder?: Module & { forward(x: Tensor, memory: Tensor, xMask?: AttentionMask, memoryMask?: AttentionMask): Tensor };
}

/** An encoder-decoder Transformer. */
export class Transformer extends Module {
  encoder: NonNullable<TransformerModelOptions['customEncoder']>;
  decoder: NonNullable<TransformerModelOptions['customDecoder']>;

  constructor(options: TransformerModelOptions = {}) {
    super();
    checkOptions('Transformer', options, ['dims', 'numHeads', 'numEncoderLayers', 'numDecoderLayers', 'customEncoder', 'customDecoder', 'checkpoint', ...LAYER_KEYS]);
    const { dims = 512, numHeads = 8, numEncoderLayers = 6, numDecoderLayers = 6, customEncoder, customDecoder, ...layer } = options;
    this.encoder = customEncoder ?? new TransformerEncoder(numEncoderLayers, dims, numHeads, layer);
    this.decoder = customDecoder ?? new TransformerDecoder(numDecoderLayers, dims, numHeads, layer);
  }

  forward(src: Tensor, tgt: Tensor, srcMask?: AttentionMask, tgtMask?: AttentionMask, memoryMask?: AttentionMask): Tensor {
    const memory = this.encoder.forward(src, srcMask);
    return this.decoder.forward(tgt, memory, tgtMask, memoryMask);
  }
}
