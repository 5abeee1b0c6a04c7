// Bytes in and out, strides, zero-copy export and raw pointers.
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';

describe('bytes', () => {
  it('fromBytes/toBytes round-trip every dtype', () =>
    withoutLeaks(() => {
      const dtypes: mx.DType[] = ['bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64', 'complex64'];
      for (const dtype of dtypes) {
        const t = mx.array([[0, 1, 1], [1, 0, 1]], dtype);
        const bytes = t.toBytes();
        expect(bytes.length, dtype).toBe(t.nbytes);
        const back = mx.fromBytes(bytes, [2, 3], dtype);
        expect(back.dtype).toBe(dtype);
        expect(back.toArray(), dtype).toEqual(t.toArray());
      }
    }));

  it('reads any ArrayBufferView and checks the size', () =>
    withoutLeaks(() => {
      const f = new Float32Array([1, 2, 3, 4]);
      expect(mx.fromBytes(f, [2, 2], 'float32').toArray()).toEqual([[1, 2], [3, 4]]);
      expect(mx.fromBytes(new DataView(f.buffer, 4, 8), [2], 'float32').toArray()).toEqual([2, 3]);
      expect(() => mx.fromBytes(f, [3], 'float32')).toThrow(/fromBytes: 16 bytes do not hold a float32 tensor of 3 elements/);
      expect(() => mx.fromBytes('abc' as never, [1], 'uint8')).toThrow(TypeError);
    }));

  it('toBytes of a view is its logical row-major content', () =>
    withoutLeaks(() => {
      const t = mx.transpose(mx.array([[1, 2], [3, 4]], 'int32'));
      expect(Array.from(new Int32Array(t.toBytes().buffer.slice(t.toBytes().byteOffset, t.toBytes().byteOffset + 16)))).toEqual([1, 3, 2, 4]);
    }));
});

describe('layout and pointers', () => {
  it('strides are in elements and describe views after evaluation', () =>
    withoutLeaks(() => {
      const x = mx.reshape(mx.arange(6), [2, 3]);
      expect(x.strides).toEqual([3, 1]);
      expect(mx.transpose(x).strides).toEqual([1, 3]);
      expect(mx.broadcastTo(mx.array([1, 2, 3]), [4, 3]).strides).toEqual([0, 1]);
    }));

  it('dataPointer gives the address and extent of the evaluated memory', () =>
    withoutLeaks(() => {
      const x = mx.add(mx.zeros([4, 4]), 1);
      const p = x.dataPointer();
      expect(typeof p.address).toBe('bigint');
      expect(p.address).not.toBe(0n);
      expect(p.byteLength).toBe(64);
      expect(p.rowContiguous).toBe(true);
      expect(x.dataPointer().address).toBe(p.address);
    }));

  it('toArrayBuffer shares the memory and outlives the tensor', async () => {
    const x = mx.multiply(mx.arange(0, 8, 1, 'float32'), 2);
    const buffer = x.toArrayBuffer();
    x.dispose();
    if (global.gc) global.gc();
    await new Promise((r) => setTimeout(r, 10));
    expect(Array.from(new Float32Array(buffer))).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(mx.zeros([0]).toArrayBuffer().byteLength).toBe(0);
  });
});
