// @mlxts/lm: language models on MLX. Load a llama-family model (GGUF, or a Hugging Face directory in MLX's
// layout), tokenize with its own tokenizer and chat template, and generate text with a KV cache and sampling.
export { Generation, LanguageModel, loadModel } from './language-model.js';
export type { GenerationChunk, GenerationResult, Prompt } from './language-model.js';
export { checkGenerateOptions, generateTokens } from './generate.js';
export type { FinishReason, GenerateOptions, GenerationStats, TokenStep } from './generate.js';
export { applyMinP, applyRepetitionPenalty, applyTopK, applyTopP, categorical, checkSamplingOptions, greedy, logSoftmax, sampleToken } from './sample.js';
export type { SamplingOptions } from './sample.js';
export { KVCache } from './kv-cache.js';
export { loadModelFiles } from './load.js';
export type { LoadedModel, LoadModelOptions } from './load.js';
export { LlamaModel } from './models/llama.js';
export type { ForwardOptions, Projection, QuantizationOf } from './models/llama.js';
export { kvHeadShares, shardModel } from './models/tensor-parallel.js';
export { ARCHITECTURES, configFromGguf, configFromHf } from './models/config.js';
export type { LlamaConfig } from './models/config.js';
export { buildLlama, ggufToModelName } from './models/build.js';
export { StreamDecoder, Tokenizer } from './tokenizer/tokenizer.js';
export type { DecodeOptions, EncodeOptions } from './tokenizer/tokenizer.js';
export { ChatTemplate } from './tokenizer/chat-template.js';
export type { ChatMessage, ChatTemplateOptions } from './tokenizer/chat-template.js';
export { tokenizerFromGguf } from './tokenizer/from-gguf.js';
export type { TokenizerSettings, TokenizerSource } from './tokenizer/from-gguf.js';
export { cachedDefaultModelPath, DEFAULT_MODEL, defaultModelPath } from './default-model.js';
export { cachedModelPath, fetchModel, MODELS, modelCacheDir, modelPath } from './model-cache.js';
export type { ModelSpec } from './model-cache.js';
export type { DefaultModelOptions } from './default-model.js';
export { MetadataReader } from './metadata.js';
export type { Metadata, MetadataValue } from './metadata.js';
