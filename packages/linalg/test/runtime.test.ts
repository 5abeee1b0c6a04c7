// Linalg beyond the generated identity tests: kernel errors under concurrency, the CPU-stream rule,
// half-precision inputs, the documented permutation-matrix recipe for lu, and the tuple types of results.
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as linalg from '../src/index.js';

describe('kernel errors', () => {
  it('a singular inverse rejects its own promise, every time, and never disturbs other evals', async () => {
    const singular = mx.zeros([4, 4]);
    const good = mx.add(mx.eye(4), 1);
    const jobs: Promise<string>[] = [];
    for (let i = 0; i < 40; i++) {
      const bad = linalg.inv(singular);
      const fine = linalg.inv(good);
      jobs.push(bad.eval().then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`));
      jobs.push(fine.data().then((d) => (Math.abs(d[0] as number - 0.8) < 1e-5 ? 'ok' : `wrong ${d[0]}`)));
    }
    const outcomes = await Promise.all(jobs);
    outcomes.forEach((o, i) => {
      if (i % 2 === 0) expect(o).toMatch(/^MlxError: eval: .*LU factorization failed/);
      else expect(o).toBe('ok');
    });
    // The blocking path reports the same error, and the next evaluation is clean.
    expect(() => linalg.inv(singular).toArray()).toThrow(/LU factorization failed/);
    expect(mx.sum(linalg.inv(good)).item()).toBeCloseTo(0.8 * 4 - 0.2 * 12, 5);
  });
});

describe('streams and dtypes', () => {
  it('runs on the CPU stream by default and with an explicit one', () =>
    withoutLeaks(() => {
      const a = mx.array([[4, 7], [2, 6]]);
      expect(linalg.inv(a).toArray()).toEqual(linalg.inv(a, { stream: 'cpu' }).toArray());
      expect(() => linalg.inv(a, { stream: 'tpu' as never })).toThrow(/stream must be/);
    }));

  it('computes float16 and bfloat16 inputs in float32', () =>
    withoutLeaks(() => {
      for (const dtype of ['float16', 'bfloat16'] as const) {
        const x = linalg.inv(mx.array([[4, 7], [2, 6]], dtype));
        expect(x.dtype).toBe('float32');
        expect((x.toArray() as number[][])[0][0]).toBeCloseTo(0.6, 6);
      }
    }));
});

describe('lu', () => {
  it('the documented permutation matrix gives a = P L U', () =>
    withoutLeaks(() => {
      const a = mx.array([[1, 2, 0], [3, 4, 1], [0, 1, 5]]);
      const [p, l, u] = linalg.lu(a);
      const P = mx.equal(mx.reshape(p, [3, 1]), mx.arange(3)).astype(l.dtype);
      expect(mx.max(mx.abs(mx.subtract(mx.matmul(P, mx.matmul(l, u)), a))).item()).toBeLessThan(1e-6);
      expect(mx.max(mx.abs(mx.subtract(mx.take(mx.matmul(l, u), p, -2), a))).item()).toBeLessThan(1e-6);
    }));
});

describe('tuple results', () => {
  it('are typed by their number of tensors, which for svd follows computeUv', () =>
    withoutLeaks(() => {
      const a = mx.array([[3, 0], [0, -4]]);
      const [q, r] = linalg.qr(a);
      expectTypeOf(linalg.qr(a)).toEqualTypeOf<[mx.Tensor, mx.Tensor]>();
      expectTypeOf(linalg.svd(a)).toEqualTypeOf<[mx.Tensor, mx.Tensor, mx.Tensor]>();
      expectTypeOf(linalg.svd(a, false)).toEqualTypeOf<[mx.Tensor]>();
      const computeUv: boolean = q.ndim === 2;
      expectTypeOf(linalg.svd(a, computeUv)).toEqualTypeOf<[mx.Tensor, mx.Tensor, mx.Tensor] | [mx.Tensor]>();
      expect([linalg.qr(a).length, linalg.svd(a).length, linalg.svd(a, false).length, linalg.svd(a, computeUv).length]).toEqual([2, 3, 1, 3]);
      expect(r.shape).toEqual([2, 2]);
    }));
});
