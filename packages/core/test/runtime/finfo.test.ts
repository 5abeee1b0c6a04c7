// mx.finfo against the IEEE formats' definitions: max is the largest finite value (one more ulp
// overflows to infinity when cast), eps the gap above 1.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';

describe('finfo', () => {
  it.each(['float16', 'bfloat16', 'float32'] as const)('%s: max is finite in the dtype, and 1 + eps is the next value after 1', (dtype) => {
    const info = mx.finfo(dtype);
    expect(info.min).toBe(-info.max);
    mx.tidy(() => {
      expect(mx.array(info.max, 'float64').astype(dtype).astype('float64').item()).toBe(info.max);
      expect(mx.isinf(mx.multiply(mx.array(info.max, 'float64').astype(dtype), 2)).item()).toBe(true);
      expect(mx.array(1 + info.eps, 'float64').astype(dtype).astype('float64').item()).toBe(1 + info.eps);
      expect(mx.array(1 + info.eps / 4, 'float64').astype(dtype).astype('float64').item()).toBe(1);
    });
  });

  it('float64 is JS numbers; integer dtypes are a TypeError', () => {
    expect(mx.finfo('float64')).toEqual({ dtype: 'float64', min: -Number.MAX_VALUE, max: Number.MAX_VALUE, eps: Number.EPSILON });
    expect(() => mx.finfo('int32')).toThrow(TypeError);
  });
});
