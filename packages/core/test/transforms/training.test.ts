// Transforms used as a training loop uses them: a small MLP fitted by plain gradient descent, and a long
// loop of gradient steps whose live tensors and MLX memory stay flat.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';

interface Params {
  l1: { w: mx.Tensor; b: mx.Tensor };
  l2: { w: mx.Tensor; b: mx.Tensor };
}

function initialParams(hidden: number): Params {
  const normal = (shape: number[], seed: number, scale: number) =>
    mx.tidy(() => mx.multiply(mx.random.normal(shape, 'float32', 0, 1, { key: mx.random.key(seed) }), scale));
  return { l1: { w: normal([1, hidden], 1, 1), b: mx.zeros([hidden]) }, l2: { w: normal([hidden, 1], 2, 0.25), b: mx.zeros([1]) } };
}

const forward = (p: Params, x: mx.Tensor) => mx.add(mx.matmul(mx.tanh(mx.add(mx.matmul(x, p.l1.w), p.l1.b)), p.l2.w), p.l2.b);
const loss = (p: Params, x: mx.Tensor, y: mx.Tensor) => mx.mean(mx.square(mx.subtract(forward(p, x), y)));

/** One gradient-descent step: the new parameters (the old ones are disposed) and the loss before it. */
function step(params: Params, x: mx.Tensor, y: mx.Tensor, rate: number): [Params, mx.Tensor] {
  const [next, value] = mx.tidy(() => {
    const [l, grads] = mx.valueAndGrad(loss)(params, x, y);
    const updated: Params = mx.treeMap((p: mx.Tensor, g: mx.Tensor) => mx.subtract(p, mx.multiply(g, rate)), params, grads);
    return [updated, l] as const;
  });
  for (const [, t] of mx.treeFlatten<mx.Tensor>(params)) t.dispose();
  mx.evalSync(next, value);
  return [next, value];
}

describe('training with valueAndGrad', () => {
  const data = () =>
    mx.tidy(() => {
      const x = mx.reshape(mx.linspace(-2, 2, 64), [64, 1]);
      return { x, y: mx.sin(mx.multiply(x, 1.5)) };
    });

  it('a 2-layer MLP fitted to sin by plain gradient descent: the loss falls', () => {
    const { x, y } = data();
    let params = initialParams(16);
    const losses: number[] = [];
    for (let i = 0; i < 400; i++) {
      let value: mx.Tensor;
      [params, value] = step(params, x, y, 0.1);
      losses.push(value.item() as number);
      value.dispose();
    }
    expect(losses[0]).toBeGreaterThan(0.5);
    expect(losses[100]).toBeLessThan(losses[0] / 5);
    expect(losses[399]).toBeLessThan(losses[0] / 100);
    const falls = losses.slice(1).filter((l, i) => l < losses[i]).length;
    expect(falls).toBeGreaterThan(0.9 * (losses.length - 1));
    for (const t of [x, y, ...mx.treeFlatten<mx.Tensor>(params).map(([, t]) => t)]) t.dispose();
  });

  it('10,000 gradient steps in tidy keep live tensors and active memory flat', () => {
    const { x, y } = data();
    let params = initialParams(16);
    let atStep1000: { liveTensors: number; activeBytes: number } | undefined;
    for (let i = 0; i < 10_000; i++) {
      let value: mx.Tensor;
      [params, value] = step(params, x, y, 0.05);
      value.dispose();
      if (i === 999) atStep1000 = mx.memory();
    }
    const end = mx.memory();
    expect(end.liveTensors).toBe(atStep1000!.liveTensors);
    expect(end.activeBytes).toBe(atStep1000!.activeBytes);
    for (const t of [x, y, ...mx.treeFlatten<mx.Tensor>(params).map(([, t]) => t)]) t.dispose();
  }, 120_000);
});
