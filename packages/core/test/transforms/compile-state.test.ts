// mx.compile with captured state whose entries the function leaves unchanged (a constant learning rate
// in an optimizer's state): the unchanged entries are identity outputs and keep their values.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';

describe('compile with inputs and outputs', () => {
  it('keeps state entries the function does not change, and updates the others', () => {
    const state = { w: mx.array([1, 2]), lr: mx.array(0.5) };
    const step = mx.compile(
      (g: mx.Tensor) => {
        state.w = mx.subtract(state.w, mx.multiply(state.lr, g));
        return mx.sum(state.w);
      },
      { inputs: state, outputs: state },
    );
    for (let i = 0; i < 3; i++) mx.tidy(() => step(mx.array([2, 2])).dispose());
    expect(state.w.toArray()).toEqual([-2, -1]);
    expect(state.lr.item()).toBe(0.5);
  });
});
