// compile: results equal the uncompiled function's; one trace per input signature (shapes, dtypes, tree
// structure, constants), shapeless mode, captured tensors, captured state, and the cache's lifetime.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';

const same = (a: mx.Tensor, b: mx.Tensor) => {
  expect(a.shape).toEqual(b.shape);
  expect(a.dtype).toBe(b.dtype);
  expect(mx.allclose(a, b, 1e-6, 1e-6).item()).toBe(true);
};

/** A GELU-like chain of elementwise ops: what compile fuses into one kernel. */
const gelu = (x: mx.Tensor) => mx.multiply(mx.multiply(x, 0.5), mx.add(mx.tanh(mx.multiply(mx.add(x, mx.multiply(mx.power(x, 3), 0.044715)), 0.7978845608)), 1));

const input = (shape: number[], seed = 0) => {
  const key = mx.random.key(seed);
  const t = mx.random.normal(shape, 'float32', 0, 1, { key });
  key.dispose();
  return t;
};

afterEach(() => mx.enableCompile());

describe('compile gives the same results', () => {
  it('an elementwise chain, on several shapes and dtypes', () =>
    withoutLeaks(() => {
      const compiled = mx.compile(gelu);
      // (Few shapes: on the CPU each new fused kernel is built by the system C++ compiler once.)
      for (const shape of [[7], [3, 5], [2, 0, 4]]) {
        const x = input(shape);
        same(compiled(x), gelu(x));
      }
      const half = mx.astype(input([3, 5]), 'float16');
      same(compiled(half), gelu(half));
    }));

  it('trees in and out, with constants, broadcasting and reductions', () =>
    withoutLeaks(() => {
      const fn = (p: { w: mx.Tensor; b: mx.Tensor }, x: mx.Tensor, scale: number) => {
        const h = mx.add(mx.matmul(x, p.w), p.b);
        return { out: mx.multiply(mx.softmax(h, -1), scale), norms: [mx.sum(mx.square(h), -1)], scale };
      };
      const compiled = mx.compile(fn);
      const args = [{ w: input([4, 3], 1), b: input([3], 2) }, input([2, 4], 3), 2] as const;
      const got = compiled(...args);
      const want = fn(...args);
      same(got.out, want.out);
      same(got.norms[0], want.norms[0]);
      expect(got.scale).toBe(2);
    }));

  it('gradients of compiled functions, and compiled gradient functions', () =>
    withoutLeaks(() => {
      const loss = (w: mx.Tensor) => mx.sum(gelu(w));
      const x = input([5]);
      same(mx.grad(mx.compile(loss))(x), mx.grad(loss)(x));
      same(mx.compile(mx.grad(loss))(x), mx.grad(loss)(x));
      const [v1, g1] = mx.compile(mx.valueAndGrad(loss))(x);
      const [v2, g2] = mx.valueAndGrad(loss)(x);
      same(v1, v2);
      same(g1, g2);
    }));
});

describe('tracing and the cache', () => {
  it('traces once per signature: shapes, dtypes, structure and constants', () =>
    withoutLeaks(() => {
      let traces = 0;
      const compiled = mx.compile((x: mx.Tensor, k: number | string) => {
        traces++;
        return mx.multiply(x, typeof k === 'number' ? k : 1);
      });
      compiled(mx.ones([2]), 3);
      compiled(mx.ones([2]), 3);
      compiled(mx.zeros([2]), 3);
      expect(traces).toBe(1);
      expect(compiled(mx.ones([2]), 4).toArray()).toEqual([4, 4]); // new constant
      expect(traces).toBe(2);
      compiled(mx.ones([3]), 4); // new shape
      compiled(mx.ones([3], 'float16'), 4); // new dtype
      compiled(mx.ones([3]), 'a'); // a string constant
      expect(traces).toBe(5);
      compiled(mx.ones([3]), 4);
      expect(traces).toBe(5);
    }));

  it('the first call of a signature runs the function; later ones replay the graph without it', () =>
    withoutLeaks(() => {
      const seen: (readonly number[])[] = [];
      const compiled = mx.compile((x: mx.Tensor) => {
        seen.push(x.shape);
        return mx.exp(x);
      });
      same(compiled(mx.array([0, 1])), mx.exp(mx.array([0, 1])));
      same(compiled(mx.array([2, 3])), mx.exp(mx.array([2, 3])));
      expect(seen).toEqual([[2]]);
    }));

  it('shapeless: one trace for every shape of the same rank and dtype', () =>
    withoutLeaks(() => {
      let traces = 0;
      const compiled = mx.compile(
        (x: mx.Tensor) => {
          traces++;
          return gelu(x);
        },
        { shapeless: true },
      );
      for (const n of [3, 8, 1]) {
        const x = input([2, n]);
        same(compiled(x), gelu(x));
      }
      expect(traces).toBe(1);
      compiled(input([4])); // another rank
      expect(traces).toBe(2);
    }));

  it('a tensor the function captures is a constant; options.inputs makes it an input read on every call', () =>
    withoutLeaks(() => {
      const state = { bias: mx.array([1, 1]) };
      const asConstant = mx.compile((x: mx.Tensor) => mx.add(x, state.bias));
      const asInput = mx.compile((x: mx.Tensor) => mx.add(x, state.bias), { inputs: state });
      expect(asConstant(mx.zeros([2])).toArray()).toEqual([1, 1]);
      expect(asInput(mx.zeros([2])).toArray()).toEqual([1, 1]);
      state.bias = mx.array([5, 6]);
      expect(asConstant(mx.zeros([2])).toArray()).toEqual([1, 1]); // baked in at the first trace
      expect(asInput(mx.zeros([2])).toArray()).toEqual([5, 6]);
      expect(state.bias.toArray()).toEqual([5, 6]); // the state holds the real tensor again
    }));

  it('options.outputs: state updated inside the function holds the new values after each call', () => {
    const state = { count: mx.array(0), total: [mx.array(0)] };
    const step = mx.compile(
      (x: mx.Tensor) => {
        state.count = mx.add(state.count, 1);
        state.total[0] = mx.add(state.total[0], mx.sum(x));
        return mx.multiply(x, 2);
      },
      { inputs: state, outputs: state },
    );
    for (let i = 1; i <= 3; i++) {
      const y = step(mx.array([i, i]));
      expect(y.toArray()).toEqual([2 * i, 2 * i]);
      expect(state.count.item()).toBe(i);
      y.dispose();
    }
    expect(state.total[0].item()).toBe(12);
    state.count.dispose();
    state.total[0].dispose();
  });

  it('disableCompile calls the function every time; enableCompile compiles again', () =>
    withoutLeaks(() => {
      let calls = 0;
      const compiled = mx.compile((x: mx.Tensor) => (calls++, mx.exp(x)));
      mx.disableCompile();
      compiled(mx.ones([2]));
      compiled(mx.ones([2]));
      expect(calls).toBe(2);
      mx.enableCompile();
      compiled(mx.ones([2]));
      compiled(mx.ones([2]));
      expect(calls).toBe(3);
    }));

  it('a failed first trace is retried on the next call', () =>
    withoutLeaks(() => {
      let fail = true;
      const compiled = mx.compile((x: mx.Tensor) => {
        if (fail) throw new Error('not yet');
        return mx.negative(x);
      });
      expect(() => compiled(mx.ones([2]))).toThrow('not yet');
      fail = false;
      expect(compiled(mx.ones([2])).toArray()).toEqual([-1, -1]);
    }));

  it('releases its graphs (and the tensors they captured) when the compiled function is collected', () => {
    const script = fileURLToPath(new URL('./fixtures/compile-release.mjs', import.meta.url));
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8' })) as Record<string, number>;
    expect(out.held).toBeGreaterThanOrEqual(4 << 20); // the 4 MB captured tensor, kept by the cache
    expect(out.released).toBe(0);
    expect(out.afterOthers).toBe(0);
    expect(out.live).toBe(0);
  }, 60_000);
});

describe('compile errors', () => {
  it('bad arguments and options', () =>
    withoutLeaks(() => {
      expect(() => mx.compile('f' as never)).toThrow('compile: fn must be a function');
      expect(() => mx.compile(gelu, { shapless: true } as never)).toThrow("compile: unknown option 'shapless'");
      expect(() => mx.compile(gelu, { shapeless: 1 } as never)).toThrow(TypeError);
      expect(() => mx.compile(gelu, { inputs: mx.ones([1]) } as never)).toThrow('compile: options.inputs must be an array or object');
      const f = mx.compile((x: mx.Tensor, _o: unknown) => x);
      expect(() => f(mx.ones([1]), new Map())).toThrow("compile: arguments must be trees of tensors and constants (numbers, strings, booleans, bigints, null, undefined); '1' is an instance of Map");
      expect(() => mx.compile(async (x: mx.Tensor) => x)(mx.ones([1]))).toThrow('compile: the function returned a Promise');
    }));
});
