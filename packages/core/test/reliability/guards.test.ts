// Inputs that crashed the process, hung it, exhausted memory or returned wrong values without an error
// (found by the fuzzer in test/reliability/fuzz), each with the behaviour it has now.
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';

describe('reshape and unflatten', () => {
  it('refuses -1 beside a 0 (MLX divides by zero inferring it) and negative entries other than -1', () => {
    expect(() => mx.unflatten(mx.zeros([2, 2]), -1, [-1, 0])).toThrow(RangeError);
    expect(() => mx.unflatten(mx.zeros([0, 2]), 0, [-1, 0])).toThrow('unflatten: cannot infer the -1 entry of shape when another entry is 0');
    // MLX 0.32.4 builds a tensor of shape [-2, -2] from this.
    expect(() => mx.unflatten(mx.zeros([4]), 0, [-2, -2])).toThrow('unflatten: shape entries must be >= 0, or -1 for the one inferred entry, got -2');
    expect(() => mx.reshape(mx.zeros([4]), [-2, -2])).toThrow(RangeError);
    expect(() => mx.reshape(mx.zeros([0]), [-1, 0])).toThrow('reshape: cannot infer the -1 entry');
  });

  it('still infers -1 and unflattens empty axes', () =>
    withoutLeaks(() => {
      expect(mx.unflatten(mx.arange(6), 0, [-1, 3]).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
      expect(mx.unflatten(mx.zeros([0, 2]), 0, [0, 5]).shape).toEqual([0, 5, 2]);
      expect(mx.reshape(mx.arange(6), [3, -1]).toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
    }));
});
