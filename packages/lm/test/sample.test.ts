// The samplers against plain float64 references written from their definitions: top-k keeps the k largest
// scores, top-p the smallest most-likely set whose probability exceeds p, min-p the tokens at least p times
// as likely as the best, the repetition penalty divides positive and multiplies negative logits of seen
// tokens; categorical draws follow softmax(scores / temperature).
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { applyMinP, applyRepetitionPenalty, applyTopK, applyTopP, categorical, checkSamplingOptions, greedy, logSoftmax, sampleToken } from '../src/index.js';

/** Seeded rows of logits with distinct values. */
function randomLogits(rows: number, vocab: number, seed: number): number[][] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 8 - 4;
  return Array.from({ length: rows }, () => Array.from({ length: vocab }, next));
}

const logSoftmaxRef = (row: number[]) => {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
  return row.map((v) => v - lse);
};

/** Indices sorted by score, highest first. */
const ranked = (row: number[]) => row.map((_, i) => i).sort((a, b) => row[b] - row[a]);

const run = (f: (t: mx.Tensor) => mx.Tensor, rows: number[][]) => mx.tidy(() => f(mx.array(rows)).toArray() as number[][]);

describe('samplers', () => {
  const rows = randomLogits(4, 50, 11);

  it('logSoftmax and greedy', () => {
    run(logSoftmax, rows).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(logSoftmaxRef(rows[i])[j], 5)));
    expect(mx.tidy(() => greedy(mx.array(rows)).toArray())).toEqual(rows.map((r) => ranked(r)[0]));
  });

  it.each([1, 3, 49, 50, 80])('applyTopK keeps exactly the %i highest', (k) => {
    run((t) => applyTopK(t, k), rows).forEach((row, i) => {
      const keep = new Set(ranked(rows[i]).slice(0, k));
      row.forEach((v, j) => expect(v).toBe(keep.has(j) ? Math.fround(rows[i][j]) : -Infinity));
    });
  });

  it.each([0.1, 0.5, 0.9, 0.999])('applyTopP(%f) keeps the smallest most likely set with probability above p', (p) => {
    const logprobs = rows.map(logSoftmaxRef);
    run((t) => applyTopP(t, p), logprobs).forEach((row, i) => {
      const order = ranked(logprobs[i]);
      const keep = new Set<number>();
      let mass = 0;
      for (const j of order) {
        if (mass > p) break; // the tokens before already cover p
        keep.add(j);
        mass += Math.exp(logprobs[i][j]);
      }
      row.forEach((v, j) => expect(v).toBe(keep.has(j) ? Math.fround(logprobs[i][j]) : -Infinity));
    });
  });

  it.each([0.05, 0.3, 0.9])('applyMinP(%f) keeps tokens at least p times as likely as the best', (p) => {
    const logprobs = rows.map(logSoftmaxRef);
    run((t) => applyMinP(t, p), logprobs).forEach((row, i) => {
      const best = Math.max(...logprobs[i]);
      row.forEach((v, j) => expect(v).toBe(Math.exp(logprobs[i][j] - best) >= p ? Math.fround(logprobs[i][j]) : -Infinity));
    });
    const kept3 = run((t) => applyMinP(t, 0.999, 3), logprobs);
    kept3.forEach((row, i) => {
      const kept = row.map((v, j) => (v > -Infinity ? j : -1)).filter((j) => j >= 0);
      expect(new Set(kept)).toEqual(new Set(ranked(logprobs[i]).slice(0, 3)));
    });
  });

  it('applyRepetitionPenalty divides positive and multiplies negative logits of seen tokens', () => {
    const seen = [3, 7, 7, 20, 41];
    run((t) => applyRepetitionPenalty(t, seen, 1.5), rows).forEach((row, i) => {
      row.forEach((v, j) => {
        const x = rows[i][j];
        const want = seen.includes(j) ? (x < 0 ? x * 1.5 : x / 1.5) : x;
        expect(v).toBeCloseTo(want, 5);
      });
    });
    expect(run((t) => applyRepetitionPenalty(t, [], 2), rows)[0][0]).toBeCloseTo(rows[0][0], 6);
  });

  it('categorical draws follow softmax(scores / temperature) and a key reproduces them', () => {
    const logits = [0, Math.log(2), Math.log(5), -Infinity];
    const n = 4000;
    for (const temperature of [1, 0.5]) {
      const draws = mx.tidy(() => categorical(mx.broadcastTo(mx.array(logits), [n, 4]), temperature, mx.random.key(5)).toArray() as number[]);
      const weights = logits.map((l) => Math.exp(l / temperature));
      const total = weights.reduce((a, b) => a + b, 0);
      weights.forEach((w, j) => {
        const expected = (n * w) / total;
        const count = draws.filter((d) => d === j).length;
        // Five standard deviations of a binomial count.
        expect(Math.abs(count - expected)).toBeLessThanOrEqual(5 * Math.sqrt(expected * (1 - w / total)) + 1e-9);
      });
      const again = mx.tidy(() => categorical(mx.broadcastTo(mx.array(logits), [n, 4]), temperature, mx.random.key(5)).toArray() as number[]);
      expect(again).toEqual(draws);
    }
  });

  it('sampleToken is greedy at temperature 0 and only draws kept tokens otherwise', () => {
    const row = rows[0];
    expect(mx.tidy(() => sampleToken(mx.array(row)).item())).toBe(ranked(row)[0]);
    const top3 = new Set(ranked(row).slice(0, 3));
    for (let s = 0; s < 20; s++) {
      const t = mx.tidy(() => sampleToken(mx.array(row), { temperature: 2, topK: 3 }, [], mx.random.key(s)).item() as number);
      expect(top3.has(t)).toBe(true);
    }
    // A repetition penalty strong enough to change the greedy choice.
    const best = ranked(row)[0];
    const penalized = mx.tidy(() => sampleToken(mx.array(row), { repetitionPenalty: 1e6 }, [best]).item());
    expect(penalized).toBe(ranked(row)[1]);
  });

  it('leaves no tensors behind', () => {
    const before = mx.memory().liveTensors;
    const logits = mx.array(rows);
    for (const t of [applyTopK(logits, 5), applyTopP(logits, 0.5), applyMinP(logits, 0.1, 2), applyRepetitionPenalty(logits, [1], 2), logSoftmax(logits), greedy(logits)]) t.dispose();
    const key = mx.random.key(0);
    sampleToken(logits, { temperature: 1, topK: 4, topP: 0.9, minP: 0.1, repetitionPenalty: 1.2 }, [1, 2], key).dispose();
    key.dispose();
    logits.dispose();
    expect(mx.memory().liveTensors).toBe(before);
  });

  it('checks its options', () => {
    expect(() => checkSamplingOptions({ temperature: -1 })).toThrow(RangeError);
    expect(() => checkSamplingOptions({ topK: 1.5 })).toThrow(TypeError);
    expect(() => checkSamplingOptions({ minP: 1.5 })).toThrow(/sampleToken: minP must be in \[0, 1\]/);
    expect(() => checkSamplingOptions({ topk: 3 } as never)).toThrow(/unknown option 'topk'/);
    expect(() => checkSamplingOptions({ seed: -2 })).toThrow(RangeError);
  });
});
