// The shape of a llama-family model (Llama, SmolLM, TinyLlama, Qwen2, Qwen3), read from a GGUF file's
// metadata or a Hugging Face config.json. Both sources are mapped onto one config, so the model code does
// not care where the weights came from.
import type { MetadataReader } from '../metadata.js';

/** A llama-family decoder's hyperparameters. */
export interface LlamaConfig {
  /** `llama`, `qwen2` or `qwen3`. */
  architecture: string;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  /**
   * Rotate adjacent feature pairs (true) or the two halves of each head (false). GGUF files need true:
   * llama.cpp's converter permutes the rows of the query and key projections for its pairwise rotation.
   */
  ropeTraditional: boolean;
  /** Positions the model was trained on (a limit for the KV cache, not enforced beyond it). */
  contextLength: number;
  /** The output projection is the token embedding (no separate `lm_head`). */
  tieWordEmbeddings: boolean;
  /** Positions are multiplied by this before RoPE (linear RoPE scaling: 1 / factor). */
  ropeScale: number;
  /**
   * Per-frequency periods `[headDim / 2]` replacing `ropeTheta^(2i / headDim)` (Llama 3.1's scaled RoPE),
   * or undefined for the plain ones.
   */
  ropeFreqs?: number[];
  /** Bias vectors on the query, key and value projections (Qwen2). */
  attentionBias: boolean;
  /** RMSNorm on each query and key head before RoPE (Qwen3). */
  qkNorm: boolean;
}

/** The architectures this package runs. */
export const ARCHITECTURES = ['llama', 'qwen2', 'qwen3'] as const;

function checkArchitecture(meta: MetadataReader, architecture: string): void {
  if (!(ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw meta.error(`architecture '${architecture}' is not supported (supported: ${ARCHITECTURES.join(', ')})`);
  }
}

/** The plain RoPE periods `theta^(2i / dims)`, i < dims / 2. */
export function ropePeriods(theta: number, dims: number): number[] {
  return Array.from({ length: dims / 2 }, (_, i) => theta ** ((2 * i) / dims));
}

/**
 * Llama 3.1's RoPE scaling: periods longer than the original context's low-frequency wavelength are
 * stretched by `factor`, short ones kept, and those between blended smoothly.
 */
function llama3Periods(meta: MetadataReader, theta: number, dims: number): number[] {
  const factor = meta.number('rope_scaling.factor');
  const low = meta.number('rope_scaling.low_freq_factor');
  const high = meta.number('rope_scaling.high_freq_factor');
  const original = meta.number('rope_scaling.original_max_position_embeddings');
  const lowWavelength = original / low;
  const highWavelength = original / high;
  return ropePeriods(theta, dims).map((period) => {
    const wavelength = 2 * Math.PI * period;
    if (wavelength > lowWavelength) return period * factor;
    if (wavelength < highWavelength) return period;
    const smooth = (original / wavelength - low) / (high - low);
    return period / ((1 - smooth) / factor + smooth);
  });
}

/**
 * The config of a GGUF file (llama.cpp's `<arch>.*` keys). `hasOutput`: whether it has `output.weight`;
 * `ropeFactors`: its `rope_freqs.weight` (Llama 3.1's per-frequency factors), if any.
 */
export function configFromGguf(meta: MetadataReader, hasOutput: boolean, ropeFactors?: number[]): LlamaConfig {
  const arch = meta.string('general.architecture');
  checkArchitecture(meta, arch);
  const key = (name: string) => `${arch}.${name}`;
  const hiddenSize = meta.integer(key('embedding_length'));
  const numHeads = meta.integer(key('attention.head_count'));
  const tokens = meta.has('tokenizer.ggml.tokens') ? meta.strings('tokenizer.ggml.tokens').length : undefined;
  return {
    architecture: arch,
    vocabSize: meta.optionalInteger(key('vocab_size')) ?? tokens ?? meta.integer(key('vocab_size')),
    hiddenSize,
    intermediateSize: meta.integer(key('feed_forward_length')),
    numLayers: meta.integer(key('block_count')),
    numHeads,
    numKvHeads: meta.optionalInteger(key('attention.head_count_kv')) ?? numHeads,
    headDim: meta.optionalInteger(key('attention.key_length')) ?? hiddenSize / numHeads,
    rmsNormEps: meta.number(key('attention.layer_norm_rms_epsilon')),
    ropeTheta: meta.optionalNumber(key('rope.freq_base')) ?? 10000,
    ropeTraditional: arch === 'llama',
    contextLength: meta.optionalInteger(key('context_length')) ?? 2048,
    ropeScale: 1 / (meta.optionalNumber(key('rope.scaling.factor')) ?? 1),
    ropeFreqs: ropeFactors && ropePeriods(meta.optionalNumber(key('rope.freq_base')) ?? 10000, ropeFactors.length * 2).map((p, i) => p * ropeFactors[i]),
    tieWordEmbeddings: !hasOutput,
    attentionBias: arch === 'qwen2',
    qkNorm: arch === 'qwen3',
  };
}

/**
 * The config of a Hugging Face model directory's config.json (rope_scaling flattened into
 * `rope_scaling.<name>` keys). Whether the embeddings are tied is config.json's `tie_word_embeddings`;
 * a loader that finds no `lm_head.weight` ties them.
 */
export function configFromHf(meta: MetadataReader): LlamaConfig {
  const arch = meta.string('model_type');
  checkArchitecture(meta, arch);
  const hiddenSize = meta.integer('hidden_size');
  const numHeads = meta.integer('num_attention_heads');
  const headDim = meta.optionalInteger('head_dim') ?? hiddenSize / numHeads;
  const theta = meta.optionalNumber('rope_theta') ?? 10000;
  const scaling = meta.optionalString('rope_scaling.rope_type') ?? meta.optionalString('rope_scaling.type') ?? 'default';
  if (!['default', 'linear', 'llama3'].includes(scaling)) throw meta.error(`rope_scaling type '${scaling}' is not supported (supported: default, linear, llama3)`);
  return {
    architecture: arch,
    vocabSize: meta.integer('vocab_size'),
    hiddenSize,
    intermediateSize: meta.integer('intermediate_size'),
    numLayers: meta.integer('num_hidden_layers'),
    numHeads,
    numKvHeads: meta.optionalInteger('num_key_value_heads') ?? numHeads,
    headDim,
    rmsNormEps: meta.number('rms_norm_eps'),
    ropeTheta: theta,
    ropeTraditional: meta.boolean('rope_traditional', false),
    contextLength: meta.optionalInteger('max_position_embeddings') ?? 2048,
    ropeScale: scaling === 'linear' ? 1 / meta.number('rope_scaling.factor') : 1,
    ropeFreqs: scaling === 'llama3' ? llama3Periods(meta, theta, headDim) : undefined,
    tieWordEmbeddings: meta.boolean('tie_word_embeddings', false),
    attentionBias: meta.boolean('attention_bias', arch === 'qwen2'),
    qkNorm: arch === 'qwen3',
  };
}
