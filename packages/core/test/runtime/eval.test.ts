// The evaluation design's promises: many concurrent evals over shared graphs stay correct, and
// construction errors never poison later evals. (The event-loop test is in test/timing/.)
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';

describe('async evaluation', () => {
  it('200 concurrent evals over overlapping graphs, interleaved with graph building, are all correct', async () => {
    const base = mx.arange(0, 256, 1, 'float32');
    const pending: Promise<void>[] = [];
    const results: { t: mx.Tensor; expected: number }[] = [];
    let shared = base;
    let sharedSum = (255 * 256) / 2;
    for (let i = 0; i < 200; i++) {
      // Each graph reuses the previous one (still being evaluated) and adds to it.
      shared = mx.add(shared, 1);
      sharedSum += 256;
      const t = mx.sum(mx.multiply(shared, 2));
      results.push({ t, expected: 2 * sharedSum });
      pending.push(i % 2 === 0 ? t.eval() : mx.eval([t, shared]));
      // More graph building while those evals are in flight.
      mx.sum(mx.add(base, i));
    }
    await Promise.all(pending);
    const values = await Promise.all(results.map(({ t }) => t.data()));
    values.forEach((v, i) => expect(v[0]).toBe(results[i].expected));
  });

  it('evalSync and async reads agree; errors at construction leave later evals working', async () => {
    for (let i = 0; i < 20; i++) {
      expect(() => mx.add(mx.ones([2]), mx.ones([3]))).toThrow(mx.MlxError);
      expect(() => mx.zeros([1e5, 1e5])).toThrow(/memory limit/);
    }
    // 2^64 elements: MLX's element count wraps to 0, so the size is computed from the shape.
    expect(() => mx.zeros([65536, 65536, 65536, 65536])).toThrow(/memory limit/);
    const t = mx.add(mx.arange(4), 1);
    mx.evalSync(t);
    expect(Array.from((await t.data()) as Int32Array)).toEqual([1, 2, 3, 4]);
    await expect(mx.eval({ a: [t] })).resolves.toBeUndefined();
  });

  it('reading a computed tensor does not wait for evaluations submitted after it', async () => {
    const ready = mx.sum(mx.arange(10));
    await mx.eval(ready);
    // A graph of chained matrix products that takes a while on any machine.
    const slow = () => mx.tidy(() => {
      const w = mx.divide(mx.ones([768, 768]), 768);
      let m = w;
      for (let i = 0; i < 24; i++) m = mx.matmul(m, w);
      return m;
    });
    const alone = slow();
    let started = performance.now();
    await mx.eval(alone);
    const slowMs = performance.now() - started;
    alone.dispose();

    const busy = slow();
    const evaluating = mx.eval(busy);
    started = performance.now();
    expect(ready.item()).toBe(45);
    const readMs = performance.now() - started;
    await evaluating;
    // Every product keeps each entry at 1/768 (up to float32 rounding), so the sum stays about 768.
    expect(Math.abs(Number(mx.sum(busy).item()) - 768)).toBeLessThan(8);
    busy.dispose();
    // Before, the read queued behind the whole evaluation; now it does not wait for it at all.
    expect(readMs).toBeLessThan(slowMs / 2);
  });
});
