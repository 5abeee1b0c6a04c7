// A small llama-family model with random weights, for tests that need a model but not a real one: its
// shapes exercise grouped-query attention, tied and untied heads, and the cache growing past one step.
import * as mx from '@mlxts/core';
import type { LlamaConfig } from '../src/index.js';
import { LlamaModel } from '../src/index.js';

export function tinyConfig(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    architecture: 'llama',
    vocabSize: 96,
    hiddenSize: 64,
    intermediateSize: 128,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 16,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    ropeTraditional: false,
    contextLength: 1024,
    ropeScale: 1,
    tieWordEmbeddings: false,
    attentionBias: false,
    qkNorm: false,
    ...overrides,
  };
}

/** A tiny model with seeded random weights, evaluated. */
export function tinyModel(seed = 0, overrides: Partial<LlamaConfig> = {}): LlamaModel {
  mx.random.seed(seed);
  const model = new LlamaModel(tinyConfig(overrides));
  // An output projection that spreads the logits (std ~2), so that sampling has several likely tokens.
  model.lm_head?.update({ weight: mx.random.normal([96, 64], 'float32', 0, 0.25) });
  mx.evalSync(model.parameters());
  return model;
}
