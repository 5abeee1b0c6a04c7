// examples/decode.mjs, the LLM-style decoder: generation is deterministic for a seed, frees everything
// but the model, and decoding with the KV cache gives the logits of recomputing the whole sequence.
import * as mx from '@mlxts/core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs example, without type declarations
import { buildModel, emptyCaches, generateTokens, step } from '../../examples/decode.mjs';

describe('examples/decode.mjs', () => {
  const model = buildModel(0);
  const prompt = [5, 17, 300, 2, 41, 999];

  it('generates the same tokens for the same seed and leaves only the model alive', () => {
    const before = mx.memory().liveTensors;
    const a = generateTokens(model, prompt, 6).tokens;
    const b = generateTokens(model, prompt, 6).tokens;
    expect(a).toEqual(b);
    expect(a.every((t: number) => Number.isInteger(t) && t >= 0 && t < 1024)).toBe(true);
    expect(mx.memory().liveTensors).toBe(before);
  });

  it('decoding token by token with the cache matches recomputing the whole sequence', () => {
    const tokens = [...prompt, ...generateTokens(model, prompt, 5).tokens];
    // Incremental: the prompt, then one token at a time, each appended to the caches.
    let caches = emptyCaches();
    let result = step(model, prompt, 0, caches);
    for (let i = prompt.length; i < tokens.length; i++) {
      result.logits.dispose();
      caches = result.caches;
      result = step(model, [tokens[i]], i, caches);
    }
    // From scratch: the whole sequence in one pass over empty caches.
    const full = step(model, tokens, 0, emptyCaches());
    const a = result.logits.toTypedArray() as Float32Array;
    const b = full.logits.toTypedArray() as Float32Array;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
    expect(worst).toBeLessThan(1e-4);
    expect(result.token).toBe(full.token);
    for (const r of [result, full]) {
      r.logits.dispose();
      for (const c of r.caches) {
        c.k.dispose();
        c.v.dispose();
      }
    }
  });
});
