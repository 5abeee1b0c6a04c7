// mx.matmul(x, q) in @mlxts/core runs the quantized kernel when q is a QuantizedTensor.
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';
import * as quant from '../src/index.js';

describe('mx.matmul with a quantized right operand', () => {
  it('dispatches to the quantized kernel and matches matmul with the dequantized weights', () =>
    withoutLeaks(() => {
      const w = mx.divide(mx.reshape(mx.arange(0, 64 * 32, 1, 'float32'), [64, 32]), 64 * 32);
      const q = quant.quantize(w, { mode: 'affine', bits: 8, groupSize: 32 });
      const x = mx.subtract(mx.ones([3, 64]), 0.25);
      const viaDispatch = mx.matmul(x, q);
      const viaMethod = x.matmul(q);
      const dense = mx.matmul(x, quant.dequantize(q));
      expect(viaDispatch.shape).toEqual([3, 32]);
      expect(mx.max(mx.abs(mx.subtract(viaDispatch, dense))).item()).toBeLessThan(1e-4);
      expect(mx.max(mx.abs(mx.subtract(viaMethod, dense))).item()).toBeLessThan(1e-4);
      q.dispose();
    }));

  it('a quantized left operand, or another op, is a clear error', () =>
    withoutLeaks(() => {
      const q = quant.quantize(mx.ones([64, 64]), { mode: 'affine', bits: 4, groupSize: 64 });
      expect(() => mx.matmul(q, mx.ones([64, 2]))).toThrow(/matmul: only the right operand can be quantized/);
      expect(() => mx.add(mx.ones([64, 64]), q as never)).toThrow(TypeError);
      q.dispose();
    }));
});
