// The compiled decode step against the eager one: the same logits at every position (across the cache
// growing past 256 positions, for the block variants the model supports), the same tokens from
// generateTokens, and the option's checks.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import type { LlamaConfig } from '../src/index.js';
import { CompiledDecodeStep, generateTokens, KVCache } from '../src/index.js';
import { tinyModel } from './tiny-model.js';

const variants: [string, Partial<LlamaConfig>][] = [
  ['grouped-query attention, untied head', {}],
  ['per-head q/k norms (Qwen3), tied embeddings', { qkNorm: true, tieWordEmbeddings: true }],
  ['RoPE with explicit periods (Llama 3.1), traditional', { ropeFreqs: Array.from({ length: 8 }, (_, i) => 10000 ** (i / 8) * (1 + i / 4)), ropeTraditional: true }],
];

/** The last row of logits of decoding `tokens` one at a time after `prefill`, at every step, with `step` (compiled) or eagerly. */
function decodeLogits(model: ReturnType<typeof tinyModel>, prefill: number[], tokens: number[], compiled?: CompiledDecodeStep): number[][] {
  using cache = new KVCache(2, 2, 16);
  return mx.tidy(() => {
    model.forward(mx.array(Int32Array.from(prefill)).reshape([1, prefill.length]), cache, { lastOnly: true });
    return tokens.map((t) => {
      const x = mx.array([[t]], 'int32');
      const logits = compiled ? compiled.run(x, cache) : model.forward(x, cache, { lastOnly: true });
      return (logits.toArray() as number[][][])[0][0];
    });
  });
}

describe('CompiledDecodeStep', () => {
  it.each(variants)('gives the eager step\'s logits at every position, past the cache\'s first 256 (%s)', (_, overrides) => {
    const model = tinyModel(2, overrides);
    try {
      const prefill = Array.from({ length: 250 }, (_, i) => (i * 31) % 96);
      const tokens = Array.from({ length: 10 }, (_, i) => (i * 7 + 3) % 96);
      const eager = decodeLogits(model, prefill, tokens);
      const compiled = decodeLogits(model, prefill, tokens, new CompiledDecodeStep(model));
      compiled.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(eager[i][j], 4)));
    } finally {
      model.dispose();
    }
  });

  it('advances the cache by one position and keeps only its buffers', () => {
    const model = tinyModel(3);
    using cache = new KVCache(2, 2, 16);
    const step = new CompiledDecodeStep(model);
    const before = mx.memory().liveTensors;
    mx.tidy(() => {
      step.run(mx.array([[1]], 'int32'), cache);
      step.run(mx.array([[2]], 'int32'), cache);
    });
    expect(cache.offset).toBe(2);
    expect(cache.capacity).toBe(256);
    expect(mx.memory().liveTensors - before).toBe(4); // keys and values of the 2 layers
    cache.dispose();
    model.dispose();
  });
});

describe('generateTokens with compile', () => {
  const model = tinyModel(4);
  const prompt = [5, 17, 42, 8, 91, 3, 60];
  const tokensOf = async (options: Parameters<typeof generateTokens>[2]) => {
    const out: number[] = [];
    for await (const step of generateTokens(model, prompt, options)) out.push(step.token);
    return out;
  };

  it('gives the tokens of eager decoding, greedy and sampled', async () => {
    expect(await tokensOf({ maxTokens: 20 })).toEqual(await tokensOf({ maxTokens: 20, compile: false }));
    const sampled = { maxTokens: 20, temperature: 1, topK: 20, seed: 5 };
    expect(await tokensOf(sampled)).toEqual(await tokensOf({ ...sampled, compile: false }));
    const penalised = { maxTokens: 12, repetitionPenalty: 1.5 };
    expect(await tokensOf(penalised)).toEqual(await tokensOf({ ...penalised, compile: false }));
  });

  it('rejects a compile option that is not a boolean', async () => {
    await expect(generateTokens(model, prompt, { compile: 'yes' } as never).next()).rejects.toThrow(/generate: compile must be a boolean/);
  });
});
