// grad, valueAndGrad, vjp and jvp: values against derivatives worked out by hand in float64, trees and
// argnums, auxiliary outputs, higher-order gradients, and every way a call can go wrong.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';

const live = () => mx.memory().liveTensors;
const values = (t: mx.Tensor) => Array.from(mx.astype(t, 'float64').toTypedArray() as Float64Array);

function expectClose(actual: mx.Tensor, expected: number[], tolerance = 1e-5): void {
  const got = values(actual);
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(Math.abs(v - expected[i]), `element ${i}: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance * (1 + Math.abs(expected[i]))));
}

const xs = [-1.5, -0.2, 0.4, 1.3];

describe('grad', () => {
  it('of sum(sin(x)) is cos(x)', () =>
    withoutLeaks(() => {
      expectClose(mx.grad((x: mx.Tensor) => mx.sum(mx.sin(x)))(mx.array(xs)), xs.map(Math.cos));
    }));

  it('of a 0-d function of a 0-d input', () =>
    withoutLeaks(() => {
      const g = mx.grad((x: mx.Tensor) => mx.multiply(x, mx.multiply(x, x)))(mx.array(2));
      expect(g.shape).toEqual([]);
      expect(g.item()).toBeCloseTo(12, 5);
    }));

  it('higher order: grad of grad of x^3 is 6x, and three levels of sin give -cos', () =>
    withoutLeaks(() => {
      const cube = (x: mx.Tensor) => mx.sum(mx.power(x, 3));
      const second = mx.grad((x: mx.Tensor) => mx.sum(mx.grad(cube)(x)));
      expectClose(second(mx.array(xs)), xs.map((x) => 6 * x));
      const d1 = mx.grad((x: mx.Tensor) => mx.sum(mx.sin(x)));
      const d2 = mx.grad((x: mx.Tensor) => mx.sum(d1(x)));
      const d3 = mx.grad((x: mx.Tensor) => mx.sum(d2(x)));
      expectClose(d3(mx.array(xs)), xs.map((x) => -Math.cos(x)));
    }));

  it('in float64', () =>
    withoutLeaks(() => {
      const g = mx.grad((x: mx.Tensor) => mx.sum(mx.log(x)))(mx.array(new Float64Array([0.5, 2, 4]), 'float64'));
      expect(g.dtype).toBe('float64');
      expect(values(g)).toEqual([2, 0.5, 0.25]);
    }));

  it('through stopGradient is zero on the stopped path', () =>
    withoutLeaks(() => {
      const g = mx.grad((x: mx.Tensor) => mx.sum(mx.add(mx.square(x), mx.stopGradient(mx.multiply(x, 100)))))(mx.array(xs));
      expectClose(g, xs.map((x) => 2 * x));
    }));

  it('with a list of one argnum gives that gradient alone, as MLX Python does', () =>
    withoutLeaks(() => {
      const g = mx.grad((a: mx.Tensor, b: mx.Tensor) => mx.sum(mx.multiply(a, b)), [1])(mx.array([2, 3]), mx.array([5, 7]));
      expect(mx.isTensor(g)).toBe(true);
      expect(g.toArray()).toEqual([2, 3]);
    }));
});

describe('valueAndGrad', () => {
  // loss = mean((x·w + b - y)^2) over 3 rows: dL/dw = 2/3 xᵀr, dL/db = 2/3 Σ r, with r = x·w + b - y.
  const xData = [[1, 2], [0.5, -1], [-2, 0.25]];
  const yData = [1, -1, 0.5];
  const wData = [0.3, -0.7];
  const bData = 0.2;
  const residuals = xData.map((row, i) => row[0] * wData[0] + row[1] * wData[1] + bData - yData[i]);
  const lossValue = residuals.reduce((s, r) => s + r * r, 0) / 3;
  const dw = [0, 1].map((j) => (2 / 3) * xData.reduce((s, row, i) => s + row[j] * residuals[i], 0));
  const db = (2 / 3) * residuals.reduce((s, r) => s + r, 0);
  const loss = (params: { w: mx.Tensor; b: mx.Tensor[] }, x: mx.Tensor, y: mx.Tensor) =>
    mx.mean(mx.square(mx.subtract(mx.add(mx.matmul(x, params.w), params.b[0]), y)));

  it('gives the value and a gradient shaped like the parameter tree', () =>
    withoutLeaks(() => {
      const params = { w: mx.array(wData), b: [mx.array(bData)] };
      const [value, grads] = mx.valueAndGrad(loss)(params, mx.array(xData), mx.array(yData));
      expect(value.item()).toBeCloseTo(lossValue, 5);
      expect(Object.keys(grads)).toEqual(['w', 'b']);
      expectClose(grads.w, dw);
      expect(grads.b).toHaveLength(1);
      expectClose(grads.b[0], [db]);
    }));

  it('argnums lists give an array of gradients in increasing argument order', () =>
    withoutLeaks(() => {
      const f = (a: mx.Tensor, scale: number, b: { v: mx.Tensor }) => mx.sum(mx.multiply(mx.multiply(a, b.v), scale));
      const a = mx.array([1, 2]);
      const b = { v: mx.array([3, 4]) };
      for (const argnums of [[0, 2], [2, 0]]) {
        const [value, [ga, gb]] = mx.valueAndGrad(f, argnums)(a, 10, b);
        expect(value.item()).toBe(110);
        expect(ga.toArray()).toEqual([30, 40]);
        expect(gb.v.toArray()).toEqual([10, 20]);
      }
      // Only argument 2.
      const [, only] = mx.valueAndGrad(f, 2)(a, 10, b);
      expect(only.v.toArray()).toEqual([10, 20]);
    }));

  it('returns auxiliary outputs as they are, without differentiating them', () =>
    withoutLeaks(() => {
      const f = (w: mx.Tensor) => {
        const loss = mx.sum(mx.square(w));
        return [loss, { scaled: mx.multiply(mx.sum(w), 100), label: 'step', count: 3 }] as const;
      };
      const [[loss, aux], g] = mx.valueAndGrad(f)(mx.array([1, 2]));
      expect(loss.item()).toBe(5);
      expect(aux.scaled.item()).toBe(300);
      expect(aux.label).toBe('step');
      expect(aux.count).toBe(3);
      expect(g.toArray()).toEqual([2, 4]);
    }));

  it('leaves only its results alive: the tracers and intermediates are disposed', () => {
    const w = mx.array([1, 2, 3]);
    const before = live();
    let leaked: mx.Tensor | undefined;
    const [value, g] = mx.valueAndGrad((x: mx.Tensor) => {
      leaked = x;
      const y = mx.exp(x);
      return mx.sum(mx.multiply(y, y));
    })(w);
    expect(live()).toBe(before + 2);
    expect(leaked!.disposed).toBe(true);
    expect(w.disposed).toBe(false);
    value.dispose();
    g.dispose();
    w.dispose();
  });

  it('inside tidy, its results belong to the tidy scope', () => {
    const before = live();
    const w = mx.array([1, 2]);
    const kept = mx.tidy(() => {
      const [, g] = mx.valueAndGrad((x: mx.Tensor) => mx.sum(mx.square(x)))(w);
      return g;
    });
    expect(live()).toBe(before + 2);
    expect(kept.toArray()).toEqual([2, 4]);
    kept.dispose();
    w.dispose();
  });
});

describe('vjp and jvp', () => {
  it('vjp of a two-argument function pulls a cotangent back to both arguments', () =>
    withoutLeaks(() => {
      const [outputs, [da, db]] = mx.vjp((a: mx.Tensor, b: mx.Tensor) => mx.multiply(a, mx.sin(b)), [mx.array([2, 3]), mx.array([0.5, 1])], [mx.array([1, -1])]);
      expectClose(outputs[0] as mx.Tensor, [2 * Math.sin(0.5), 3 * Math.sin(1)]);
      expectClose(da as mx.Tensor, [Math.sin(0.5), -Math.sin(1)]);
      expectClose(db as mx.Tensor, [2 * Math.cos(0.5), -3 * Math.cos(1)]);
    }));

  it('vjp over trees: tree primals and several outputs', () =>
    withoutLeaks(() => {
      const f = (p: { a: mx.Tensor; b: mx.Tensor }) => [mx.add(p.a, p.b), mx.multiply(p.a, p.b)];
      const [[sum, product], [grads]] = mx.vjp(f, [{ a: mx.array(2), b: mx.array(5) }], [mx.array(1), mx.array(10)]) as [mx.Tensor[], { a: mx.Tensor; b: mx.Tensor }[]];
      expect([sum.item(), product.item()]).toEqual([7, 10]);
      // d/da = 1·1 + 10·b, d/db = 1·1 + 10·a
      expect([grads.a.item(), grads.b.item()]).toEqual([51, 21]);
    }));

  it('jvp gives the directional derivative of each output', () =>
    withoutLeaks(() => {
      const [[y, z], [dy, dz]] = mx.jvp((x: mx.Tensor) => [mx.square(x), mx.exp(x)], [mx.array([1, 2])], [mx.array([1, 0.5])]) as mx.Tensor[][];
      expect(y.toArray()).toEqual([1, 4]);
      expectClose(z, [Math.E, Math.exp(2)]);
      expect(dy.toArray()).toEqual([2, 2]);
      expectClose(dz, [Math.E, 0.5 * Math.exp(2)]);
    }));
});

describe('errors', () => {
  const x = () => mx.array([1, 2]);

  it('a non-scalar loss is an MlxError naming its shape', () =>
    withoutLeaks(() => {
      expect(() => mx.grad((v: mx.Tensor) => mx.square(v))(x())).toThrow(mx.MlxError);
      expect(() => mx.grad((v: mx.Tensor) => mx.square(v))(x())).toThrow('grad: the function must return a scalar (0-d) loss to differentiate; it returned shape [2]');
    }));

  it('a result that is not a tensor is a TypeError', () =>
    withoutLeaks(() => {
      expect(() => mx.grad((_v: mx.Tensor) => 3 as never)(x())).toThrow(TypeError);
      expect(() => mx.valueAndGrad((_v: mx.Tensor) => [] as never)(x())).toThrow(/valueAndGrad: the function must return a scalar tensor/);
    }));

  it('a number in a differentiated argument is a TypeError naming its path', () =>
    withoutLeaks(() => {
      expect(() => mx.grad((p: { w: mx.Tensor; s: number }) => mx.sum(p.w))({ w: x(), s: 2 })).toThrow("grad: argument 0 at 's' must be a tensor, got 2");
    }));

  it('an integer input is an MlxError', () =>
    withoutLeaks(() => {
      expect(() => mx.grad((v: mx.Tensor) => mx.sum(v))(mx.array([1, 2], 'int32'))).toThrow(mx.MlxError);
      expect(() => mx.grad((v: mx.Tensor) => mx.sum(v))(mx.array([1, 2], 'int32'))).toThrow('grad: argument 0 has dtype int32; gradients need floating-point');
    }));

  it('an async function is a TypeError', () =>
    withoutLeaks(() => {
      expect(() => mx.grad((async (v: mx.Tensor) => mx.sum(v)) as never)(x())).toThrow('grad: the function returned a Promise');
    }));

  it('argnums out of range, negative, repeated or not integers', () =>
    withoutLeaks(() => {
      const f = (a: mx.Tensor, b: mx.Tensor) => mx.sum(mx.add(a, b));
      expect(() => mx.grad(f, 2)(x(), x())).toThrow(RangeError);
      expect(() => mx.grad(f, 2)(x(), x())).toThrow('grad: argnums names argument 2, but the function was called with 2 argument(s)');
      expect(() => mx.grad(f, -1)).toThrow(RangeError);
      expect(() => mx.grad(f, [0, 0])).toThrow(RangeError);
      expect(() => mx.grad(f, [])).toThrow(RangeError);
      expect(() => mx.grad(f, 0.5)).toThrow(TypeError);
      expect(() => mx.grad(f, '0' as never)).toThrow(TypeError);
    }));

  it('a function that is not a function, and a disposed tensor argument, are TypeErrors', () =>
    withoutLeaks(() => {
      expect(() => mx.grad(3 as never)).toThrow('grad: fn must be a function, got 3');
      expect(() => mx.vmap(null as never)).toThrow(TypeError);
      const gone = x();
      gone.dispose();
      expect(() => mx.grad((v: mx.Tensor) => mx.sum(v))(gone)).toThrow('grad: argument 0 is a disposed tensor');
    }));

  it('an exception inside the function propagates as itself, leaves nothing alive, and the next transform works', () => {
    const w = x();
    const before = live();
    const boom = new RangeError('boom');
    for (const transform of [
      () => mx.grad((v: mx.Tensor) => (mx.exp(v), (() => { throw boom; })()))(w),
      () => mx.vjp((v: mx.Tensor) => (mx.exp(v), (() => { throw boom; })()), [w], [w]),
      () => mx.jvp((v: mx.Tensor) => (mx.exp(v), (() => { throw boom; })()), [w], [w]),
      () => mx.vmap((v: mx.Tensor) => (mx.exp(v), (() => { throw boom; })()))(w),
      () => mx.compile((v: mx.Tensor) => (mx.exp(v), (() => { throw boom; })()))(w),
      () => mx.checkpoint((v: mx.Tensor) => (mx.exp(v), (() => { throw boom; })()))(w),
    ]) {
      let thrown: unknown;
      try {
        transform();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBe(boom);
      expect(live()).toBe(before);
    }
    const g = mx.grad((v: mx.Tensor) => mx.sum(mx.square(v)))(w);
    expect(g.toArray()).toEqual([2, 4]);
    g.dispose();
    w.dispose();
  });

  it('reading a tensor inside a traced function is an MlxError, not a hang', async () => {
    const w = x();
    const message = /cannot evaluate or read a tensor inside a function that a transform .* is tracing/;
    expect(() => mx.grad((v: mx.Tensor) => (mx.sum(v).item(), mx.sum(v)))(w)).toThrow(message);
    expect(() => mx.grad((v: mx.Tensor) => (v.toArray(), mx.sum(v)))(w)).toThrow(message);
    expect(() => mx.grad((v: mx.Tensor) => (mx.evalSync(v), mx.sum(v)))(w)).toThrow(message);
    expect(() => mx.grad((v: mx.Tensor) => (void mx.eval(v), mx.sum(v)))(w)).toThrow(message);
    expect(() => mx.compile((v: mx.Tensor) => (v.toArray(), v))(w)).toThrow(mx.MlxError);
    // Evaluation works again afterwards, on the eval thread.
    await w.eval();
    expect(w.toArray()).toEqual([1, 2]);
    w.dispose();
  });

  it('vjp and jvp check their lists', () =>
    withoutLeaks(() => {
      const f = (v: mx.Tensor) => mx.square(v);
      expect(() => mx.vjp(f, x() as never, [x()])).toThrow('vjp: primals must be an array');
      expect(() => mx.vjp(f, [x()], [x(), x()])).toThrow('vjp: the function returned 1 output tensor(s) but 2 cotangent(s) were given');
      expect(() => mx.vjp(f, [x()], [mx.array([1, 2, 3])])).toThrow(mx.MlxError);
      expect(() => mx.jvp(f, [x()], [])).toThrow(mx.MlxError);
      expect(() => mx.jvp(f, [x()], [mx.array([1, 2, 3])])).toThrow(/jvp: .*shape/);
    }));
});
