// The model against a float64 reference written independently of MLX (test/reference/): the GGUF's
// Q4_1/Q8_0 blocks dequantized in TypeScript from the format's definition and a plain forward pass. The
// first step's logits of two prompts agree within 1e-3 (absolute; the logits reach about 30): both sides
// use the same dequantized weights, so only float32 rounding over 30 blocks separates them (about 1e-4
// when this was written). The top five tokens must be the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { KVCache, loadModel } from '../src/index.js';
import type { LanguageModel } from '../src/index.js';
import { GgufBlocks } from './reference/gguf-blocks.js';
import { referenceLogits } from './reference/llama-f64.js';
import { hasModel, modelPath } from './model-file.js';

// SmolLM2-135M-Instruct's shape, as published (not read through the code under test).
const SMOLLM2 = { layers: 30, dim: 576, heads: 9, kvHeads: 3, ffn: 1536, ropeBase: 1e5, eps: 1e-5, vocab: 49152 };
const PROMPTS = {
  'The quick brown fox': [504, 2365, 6354, 16438],
  '<|im_start|>user\nHi<|im_end|>\n': [1, 4093, 198, 26843, 2, 198],
};

describe.skipIf(!hasModel)('first-step logits against a float64 reference', () => {
  let lm: LanguageModel;
  let file: GgufBlocks;
  beforeAll(async () => {
    lm = await loadModel(modelPath);
    file = new GgufBlocks(modelPath);
  });
  afterAll(() => lm?.dispose());

  it.each(Object.entries(PROMPTS))('%j', async (_text, tokens) => {
    const expected = referenceLogits(file, SMOLLM2, tokens);
    using cache = new KVCache(30, 3, 64);
    const got = mx.tidy(() => lm.model.forward(mx.array(Int32Array.from(tokens)).reshape([1, tokens.length]), cache, { lastOnly: true }).reshape([-1]).toArray() as number[]);
    expect(got.length).toBe(SMOLLM2.vocab);
    const worst = Math.max(...got.map((g, i) => Math.abs(g - expected[i])));
    expect(worst).toBeLessThanOrEqual(1e-3);
    const top = (values: ArrayLike<number>) => Array.from(values, (v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, 5).map(([, i]) => i);
    expect(top(got)).toEqual(top(expected));
  });
});
