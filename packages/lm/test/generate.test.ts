// Generation on a tiny random model: the cache gives the logits of recomputing the whole sequence,
// chunked prefill changes nothing, options are honoured (max tokens, stop tokens, abort, seeds), bad
// options are clear errors, and live tensors stay flat over a long generation.
import { afterAll, describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { generateTokens, KVCache } from '../src/index.js';
import { tinyModel } from './tiny-model.js';

const model = tinyModel(1);
afterAll(() => model.dispose());
const prompt = [5, 17, 42, 8, 91, 3, 60];

async function tokensOf(options: Parameters<typeof generateTokens>[2], p: number[] = prompt): Promise<number[]> {
  const out: number[] = [];
  for await (const step of generateTokens(model, p, options)) out.push(step.token);
  return out;
}

/** Logits of every position of `tokens` computed in one pass with a fresh cache. */
function fullLogits(tokens: number[]): number[][] {
  using cache = new KVCache(2, 2, 16);
  return mx.tidy(() => (model.forward(mx.array(Int32Array.from(tokens)).reshape([1, tokens.length]), cache).toArray() as number[][][])[0]);
}

describe('KV cache', () => {
  it('decoding one token at a time gives the logits of the whole sequence at once', () => {
    const tokens = [...prompt, 11, 12, 13, 14];
    const expected = fullLogits(tokens);
    using cache = new KVCache(2, 2, 16);
    const got: number[][] = [];
    mx.tidy(() => {
      const first = model.forward(mx.array(Int32Array.from(prompt)).reshape([1, prompt.length]), cache);
      got.push(...(first.toArray() as number[][][])[0]);
    });
    for (const t of tokens.slice(prompt.length)) {
      mx.tidy(() => got.push((model.forward(mx.array([[t]], 'int32'), cache).toArray() as number[][][])[0][0]));
    }
    expect(got.length).toBe(tokens.length);
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 4)));
  });

  it('grows past its first 256 positions without changing the results', () => {
    const long = Array.from({ length: 300 }, (_, i) => (i * 37) % 96);
    const expected = fullLogits(long).at(-1)!;
    using cache = new KVCache(2, 2, 16);
    const last = mx.tidy(() => {
      model.forward(mx.array(Int32Array.from(long.slice(0, 250))).reshape([1, 250]), cache);
      let logits: number[] = [];
      for (const t of long.slice(250)) logits = (model.forward(mx.array([[t]], 'int32'), cache).toArray() as number[][][])[0][0];
      return logits;
    });
    expect(cache.capacity).toBe(512);
    last.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 4));
  });
});

describe('generateTokens', () => {
  it('greedy decoding picks the argmax of the full-sequence logits at every step', async () => {
    const tokens = await tokensOf({ maxTokens: 6 });
    expect(tokens.length).toBe(6);
    const sequence = [...prompt];
    for (const t of tokens) {
      const row = fullLogits(sequence).at(-1)!;
      expect(t).toBe(row.indexOf(Math.max(...row)));
      sequence.push(t);
    }
  });

  it('chunked prefill gives the same tokens as one prefill', async () => {
    expect(await tokensOf({ maxTokens: 8, prefillStepSize: 3 })).toEqual(await tokensOf({ maxTokens: 8 }));
  });

  it('stops at maxTokens, at a stop token (not yielded), and when aborted', async () => {
    const free = await tokensOf({ maxTokens: 10 });
    expect(await tokensOf({ maxTokens: 0 })).toEqual([]);
    const stopAt = free[4];
    const stopped = await tokensOf({ maxTokens: 10, stopTokens: [stopAt] });
    expect(stopped).toEqual(free.slice(0, free.indexOf(stopAt)));
    const controller = new AbortController();
    const out: number[] = [];
    const gen = generateTokens(model, prompt, { maxTokens: 10, signal: controller.signal });
    let result;
    while (!(result = await gen.next()).done) {
      out.push(result.value.token);
      if (out.length === 3) controller.abort();
    }
    expect(out.length).toBe(3);
    expect(result.value.finishReason).toBe('abort');
  });

  it('reports why it stopped and its stats', async () => {
    const gen = generateTokens(model, prompt, { maxTokens: 5 });
    let result;
    while (!(result = await gen.next()).done);
    const { stats, finishReason } = result.value;
    expect(finishReason).toBe('length');
    expect(stats.promptTokens).toBe(prompt.length);
    expect(stats.generationTokens).toBe(5);
    expect(stats.promptTps).toBeGreaterThan(0);
    expect(stats.generationTps).toBeGreaterThan(0);
    expect(stats.peakMemory).toBeGreaterThan(0);
  });

  it('samples reproducibly from a seed, differently from another seed', async () => {
    const a = await tokensOf({ maxTokens: 12, temperature: 1.5, seed: 7 });
    expect(await tokensOf({ maxTokens: 12, temperature: 1.5, seed: 7 })).toEqual(a);
    expect(await tokensOf({ maxTokens: 12, temperature: 1.5, seed: 8 })).not.toEqual(a);
    const filtered = await tokensOf({ maxTokens: 12, temperature: 0.8, topK: 5, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3, seed: 1 });
    expect(filtered.length).toBe(12);
  });

  it('keeps live tensors flat over a long generation', async () => {
    await tokensOf({ maxTokens: 5 });
    const before = mx.memory().liveTensors;
    const gen = generateTokens(model, prompt, { maxTokens: 1000, temperature: 1, topP: 0.9, seed: 3 });
    const counts: number[] = [];
    let n = 0;
    for await (const _ of gen) if (++n % 100 === 50) counts.push(mx.memory().liveTensors);
    expect(n).toBe(1000);
    // The cache (2 layers x keys and values), the sampling key and the token of the step computed ahead
    // are the only tensors kept between steps.
    expect(new Set(counts).size).toBe(1);
    expect(counts[0] - before).toBeLessThanOrEqual(6);
    expect(mx.memory().liveTensors).toBe(before);
  });

  it('frees its cache when the caller stops iterating early', async () => {
    const before = mx.memory().liveTensors;
    for await (const step of generateTokens(model, prompt, { maxTokens: 50 })) if (step.token >= 0) break;
    expect(mx.memory().liveTensors).toBe(before);
  });

  it('rejects bad prompts and options with TypeError or RangeError', async () => {
    const first = (p: number[], o: object) => generateTokens(model, p, o as never).next();
    await expect(first([], {})).rejects.toThrow(RangeError);
    await expect(first([96], {})).rejects.toThrow(/token ids must be integers in \[0, 96\)/);
    await expect(first(prompt, { maxTokens: 1.5 })).rejects.toThrow(TypeError);
    await expect(first(prompt, { maxTokens: -1 })).rejects.toThrow(RangeError);
    await expect(first(prompt, { temprature: 1 })).rejects.toThrow(/generate: unknown option 'temprature'/);
    await expect(first(prompt, { topP: 2 })).rejects.toThrow(RangeError);
    await expect(first(prompt, { topK: 'many' })).rejects.toThrow(TypeError);
    await expect(first(prompt, { signal: {} })).rejects.toThrow(/signal must be an AbortSignal/);
    await expect(first(prompt, { stopTokens: 2 })).rejects.toThrow(TypeError);
  });
});
