// customFunction (custom vjp, jvp and vmap rules, used by the transforms in place of the defaults) and
// checkpoint (the same values and gradients, with less memory held for the backward pass).
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';

const close = (t: mx.Tensor, expected: number[], tolerance = 1e-5) => {
  const got = Array.from(t.toTypedArray() as Float32Array);
  got.forEach((v, i) => expect(Math.abs(v - expected[i]), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance));
};

describe('customFunction', () => {
  it('without rules it is the function itself', () =>
    withoutLeaks(() => {
      const f = mx.customFunction((x: mx.Tensor) => mx.square(x));
      expect(f(mx.array([3])).toArray()).toEqual([9]);
      expect(mx.grad((x: mx.Tensor) => mx.sum(f(x)))(mx.array([3])).toArray()).toEqual([6]);
    }));

  it('grad uses the custom vjp (a gradient clipped on the way back)', () =>
    withoutLeaks(() => {
      const clipGrad = mx.customFunction((x: mx.Tensor) => x).vjp((_x: mx.Tensor, cotangent: mx.Tensor) => mx.clip(cotangent, -1, 1));
      const loss = (x: mx.Tensor) => mx.sum(mx.multiply(clipGrad(x), mx.array([5, 0.5, -3])));
      expect(loss(mx.array([1, 2, 3])).item()).toBe(-3); // forward unchanged: 5 + 1 - 9
      expect(mx.grad(loss)(mx.array([1, 2, 3])).toArray()).toEqual([1, 0.5, -1]);
    }));

  it('the vjp rule gets the primals, the cotangents and the outputs, shaped like the arguments and result', () =>
    withoutLeaks(() => {
      const calls: { primals: (readonly number[])[]; cotangent: readonly number[]; output: readonly number[] }[] = [];
      const f = mx
        .customFunction((x: mx.Tensor, y: mx.Tensor) => mx.multiply(mx.sin(x), y))
        .vjp(([x, y]: mx.Tensor[], cotangent: mx.Tensor, output: mx.Tensor) => {
          // Tracers cannot be read here; what they are made of can be returned and checked afterwards.
          calls.push({ primals: [x.shape, y.shape], cotangent: cotangent.shape, output: output.shape });
          return [mx.multiply(mx.multiply(cotangent, mx.cos(x)), y), mx.multiply(cotangent, mx.sin(x))];
        });
      const xs = [0.5, 1];
      const ys = [2, -3];
      const [gx, gy] = mx.grad((x: mx.Tensor, y: mx.Tensor) => mx.sum(f(x, y)), [0, 1])(mx.array(xs), mx.array(ys));
      close(gx, xs.map((x, i) => Math.cos(x) * ys[i]));
      close(gy, xs.map(Math.sin));
      expect(calls).toEqual([{ primals: [[2], [2]], cotangent: [2], output: [2] }]);
    }));

  it('jvp uses the custom jvp rule, and the vjp rule is not called for it', () =>
    withoutLeaks(() => {
      let vjpCalls = 0;
      const f = mx
        .customFunction((x: mx.Tensor) => mx.exp(x))
        .vjp(() => {
          vjpCalls++;
          return mx.array(0);
        })
        .jvp((x: mx.Tensor, tangent: mx.Tensor) => mx.multiply(mx.multiply(mx.exp(x), tangent), 10));
      const [[y], [dy]] = mx.jvp((x: mx.Tensor) => f(x), [mx.array([0, 1])], [mx.array([1, 1])]) as mx.Tensor[][];
      close(y, [1, Math.E]);
      close(dy, [10, 10 * Math.E], 1e-4);
      expect(vjpCalls).toBe(0);
    }));

  it('the jvp rule gets null for arguments that carry no tangent', () =>
    withoutLeaks(() => {
      const seen: unknown[] = [];
      const f = mx.customFunction((a: mx.Tensor, b: mx.Tensor) => mx.multiply(a, b)).jvp(([a, b]: mx.Tensor[], [da, db]: (mx.Tensor | null)[]) => {
        seen.push([da === null, db === null]);
        return da === null ? mx.multiply(a, db!) : mx.multiply(da, b);
      });
      // jvp through a function that differentiates only along `a` (b is a constant inside).
      const b = mx.array([4, 5]);
      const [, [d]] = mx.jvp((a: mx.Tensor) => f(a, b), [mx.array([1, 2])], [mx.array([1, 1])]) as mx.Tensor[][];
      expect(d.toArray()).toEqual([4, 5]);
      expect(seen).toEqual([[false, true]]);
    }));

  it('vmap uses the custom vmap rule with the mapped axes', () =>
    withoutLeaks(() => {
      const seen: unknown[] = [];
      const f = mx
        .customFunction((x: mx.Tensor, y: mx.Tensor) => mx.add(x, y))
        .vmap(([x, y]: mx.Tensor[], [ax, ay]: (number | null)[]) => {
          seen.push([ax, ay]);
          // Map y onto x's batch axis, and mark the result by adding 100.
          return [mx.add(mx.add(x, ay === null ? y : mx.moveaxis(y, ay, ax ?? 0)), 100), ax ?? ay];
        });
      const out = mx.vmap((x: mx.Tensor, y: mx.Tensor) => f(x, y), [0, null])(mx.array([[1, 2], [3, 4]]), mx.array([10, 20]));
      expect(out.toArray()).toEqual([[111, 122], [113, 124]]);
      expect(seen).toEqual([[0, null]]);
    }));

  it('tree arguments with constants: the rule sees the same tree', () =>
    withoutLeaks(() => {
      const f = mx
        .customFunction((p: { w: mx.Tensor; scale: number }) => mx.multiply(p.w, p.scale))
        .vjp((p: { w: mx.Tensor; scale: number }, cotangent: mx.Tensor) => ({ w: mx.multiply(cotangent, p.scale * 2), scale: null }));
      const g = mx.grad((w: mx.Tensor) => mx.sum(f({ w, scale: 3 })))(mx.array([1, 2]));
      expect(g.toArray()).toEqual([6, 6]);
    }));

  it('rules that return the wrong tensors are MlxErrors; rules that are not functions are TypeErrors', () =>
    withoutLeaks(() => {
      const twoArgs = (a: mx.Tensor, b: mx.Tensor) => mx.multiply(a, b);
      const tooFew = mx.customFunction(twoArgs).vjp(([a]: mx.Tensor[], c: mx.Tensor) => [mx.multiply(c, a)]);
      const loss = (f: typeof twoArgs) => (a: mx.Tensor) => mx.sum(f(a, mx.array([1, 2])));
      expect(() => mx.grad(loss(tooFew))(mx.array([3, 4]))).toThrow('customFunction: the vjp rule returned 1 tensor(s); it must return one per argument tensor (2)');
      const badShape = mx.customFunction(twoArgs).vjp(() => [mx.array(1), mx.array(2)]);
      expect(() => mx.grad(loss(badShape))(mx.array([3, 4]))).toThrow(mx.MlxError);
      expect(() => mx.grad(loss(badShape))(mx.array([3, 4]))).toThrow('the vjp rule returned shape [] where argument tensor 0 has shape [2]');
      expect(() => mx.customFunction(twoArgs).vjp(3 as never)).toThrow('customFunction.vjp: rule must be a function');
      const badVmap = mx.customFunction((x: mx.Tensor) => x).vmap((x: mx.Tensor) => x as never);
      expect(() => mx.vmap((x: mx.Tensor) => badVmap(x))(mx.ones([2, 2]))).toThrow('customFunction: the vmap rule must return [outputs, outAxes]');
      const badAxis = mx.customFunction((x: mx.Tensor) => x).vmap((x: mx.Tensor) => [x, 2]);
      expect(() => mx.vmap((x: mx.Tensor) => badAxis(x))(mx.ones([2, 2]))).toThrow('customFunction: the vmap rule gave axis 2 for output 0, which has 2 axes');
    }));
});

describe('checkpoint', () => {
  const S = 1 << 13;
  const W = 64;
  const blocks = 16;
  const key = (seed: number) => mx.random.key(seed);
  // Each block expands its [S, 1] input to [S, W] and reduces it again: its intermediates are W times
  // larger than its output, which is what checkpointing saves keeping for the backward pass.
  const block = (h: mx.Tensor, w: mx.Tensor) => {
    const z = mx.matmul(h, w);
    const a = mx.sigmoid(z);
    return mx.mean(mx.sin(mx.add(mx.multiply(a, a), z)), 1, true);
  };
  const stack = (b: typeof block, n: number) => (w: mx.Tensor, x: mx.Tensor) => {
    let h = x;
    for (let i = 0; i < n; i++) h = b(h, w);
    return mx.sum(mx.multiply(h, h));
  };

  it('gives the same values and gradients', () =>
    withoutLeaks(() => {
      const x = mx.random.normal([5, 1], 'float32', 0, 1, { key: key(0) });
      const w = mx.random.normal([1, 4], 'float32', 0, 1, { key: key(1) });
      const checkpointed = mx.checkpoint(block);
      expect(mx.allclose(checkpointed(x, w), block(x, w)).item()).toBe(true);
      const [v1, g1] = mx.valueAndGrad(stack(block, 3))(w, x);
      const [v2, g2] = mx.valueAndGrad(stack(checkpointed, 3))(w, x);
      expect(v2.item()).toBeCloseTo(v1.item() as number, 5);
      expect(mx.allclose(g1, g2, 1e-5, 1e-6).item()).toBe(true);
      expect(mx.max(mx.abs(g1)).item()).toBeGreaterThan(1e-2); // a gradient worth comparing
    }));

  it('holds less memory at peak while computing the gradient', async () => {
    const x = mx.random.normal([S, 1], 'float32', 0, 1, { key: key(0) });
    const peakOf = async (b: typeof block) => {
      const w = mx.random.normal([1, W], 'float32', 0, 1, { key: key(1) });
      await mx.eval(x, w);
      mx.clearCache();
      const base = mx.memory().activeBytes;
      mx.resetPeakMemory();
      const g = mx.grad(stack(b, blocks))(w, x);
      await g.eval();
      const peak = mx.memory().peakBytes - base;
      const values = g.toTypedArray();
      g.dispose();
      w.dispose();
      return { peak, values };
    };
    const plain = await peakOf(block);
    const checkpointed = await peakOf(mx.checkpoint(block));
    expect(Array.from(checkpointed.values)).toEqual(Array.from(plain.values));
    // One [S, W] float32 intermediate is 2 MB; the plain backward pass keeps at least two per block
    // (about 49 in all, measured), the checkpointed one about 31.
    expect(plain.peak).toBeGreaterThan(2 * blocks * S * W * 4);
    expect(checkpointed.peak).toBeLessThan(0.75 * plain.peak);
    x.dispose();
  });
});
