// Creation from every kind of JS data and read-back in every dtype (ARCHITECTURE §6 mapping).
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';

const typedArrays: [string, ArrayBufferView, mx.DType][] = [
  ['Int8Array', new Int8Array([-3, 7]), 'int8'],
  ['Uint8Array', new Uint8Array([3, 250]), 'uint8'],
  ['Uint8ClampedArray', new Uint8ClampedArray([3, 250]), 'uint8'],
  ['Int16Array', new Int16Array([-300, 7]), 'int16'],
  ['Uint16Array', new Uint16Array([3, 60000]), 'uint16'],
  ['Int32Array', new Int32Array([-70000, 7]), 'int32'],
  ['Uint32Array', new Uint32Array([3, 4000000000]), 'uint32'],
  ['Float32Array', new Float32Array([1.5, -2.25]), 'float32'],
  ['Float64Array', new Float64Array([1.1, -2.2]), 'float64'],
  ['BigInt64Array', new BigInt64Array([-5n, 2n ** 40n]), 'int64'],
  ['BigUint64Array', new BigUint64Array([5n, 2n ** 63n]), 'uint64'],
];

describe('creation from TypedArrays', () => {
  for (const [name, data, dtype] of typedArrays) {
    it(`${name} keeps its element type (${dtype}) and values`, () =>
      withoutLeaks(() => {
        const t = mx.array(data);
        expect(t.dtype).toBe(dtype);
        expect(t.shape).toEqual([2]);
        const back = t.toTypedArray();
        expect(Array.from(back as ArrayLike<number | bigint>)).toEqual(Array.from(data as unknown as ArrayLike<number | bigint>));
      }));
  }

  it('converts values when a dtype is given', () =>
    withoutLeaks(() => {
      expect(mx.array(new Int32Array([1, -2]), 'float32').toArray()).toEqual([1, -2]);
      expect(mx.array(new Float32Array([1.9, -1.9]), 'int32').toArray()).toEqual([1, -1]);
    }));

  it('reads a subarray view from its byte offset', () =>
    withoutLeaks(() => {
      const whole = new Float32Array([1, 2, 3, 4]);
      expect(mx.array(whole.subarray(1, 3)).toArray()).toEqual([2, 3]);
    }));
});

describe('creation from JS values', () => {
  it('numbers are float32, booleans bool, bigints int64', () =>
    withoutLeaks(() => {
      expect(mx.array(2.5).dtype).toBe('float32');
      expect(mx.array(true).dtype).toBe('bool');
      expect(mx.array(7n).dtype).toBe('int64');
      expect(mx.array(2n ** 63n).dtype).toBe('uint64');
      expect(mx.array([[1, 2], [3, 4]]).dtype).toBe('float32');
      expect(mx.array([true, false]).dtype).toBe('bool');
      expect(mx.array([1n, -2n]).toArray()).toEqual([1n, -2n]);
    }));

  it('0-d tensors read back as scalars', () =>
    withoutLeaks(() => {
      const t = mx.array(3);
      expect(t.shape).toEqual([]);
      expect(t.ndim).toBe(0);
      expect(t.size).toBe(1);
      expect(t.toArray()).toBe(3);
      expect(t.item()).toBe(3);
    }));

  it('empty and zero-size shapes', () =>
    withoutLeaks(() => {
      expect(mx.array([]).shape).toEqual([0]);
      expect(mx.array([[], []]).shape).toEqual([2, 0]);
      expect(mx.array([[], []]).toArray()).toEqual([[], []]);
      expect(mx.zeros([0, 3]).toTypedArray().length).toBe(0);
    }));

  it('an ArrayBuffer is raw bytes, read as the dtype', () =>
    withoutLeaks(() => {
      const bytes = new Float32Array([1.5, -2]).buffer;
      expect(mx.array(bytes).dtype).toBe('uint8');
      expect(mx.array(bytes).shape).toEqual([8]);
      expect(mx.array(bytes, 'float32').toArray()).toEqual([1.5, -2]);
    }));

  it('rejects ragged nesting and non-numeric leaves', () => {
    expect(() => mx.array([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => mx.array([[1, 2], 3] as never)).toThrow(/ragged/);
    expect(() => mx.array([{}] as never)).toThrow(TypeError);
    expect(() => mx.array(undefined as never)).toThrow(TypeError);
  });
});

describe('JS integers given an integer dtype', () => {
  // The ranges are the dtypes' own (NumPy's iinfo); NumPy refuses values outside them (OverflowError)
  // where MLX 0.32.4 wrapped them (2**40 as int32) or kept a bigint's low 64 bits (2n ** 64n as uint64: 0).
  const ranges: Array<[mx.DType, bigint, bigint]> = [
    ['uint8', 0n, 255n], ['uint16', 0n, 65535n], ['uint32', 0n, 4294967295n], ['uint64', 0n, 2n ** 64n - 1n],
    ['int8', -128n, 127n], ['int16', -32768n, 32767n], ['int32', -(2n ** 31n), 2n ** 31n - 1n], ['int64', -(2n ** 63n), 2n ** 63n - 1n],
  ];
  const asBigInt = (v: unknown) => BigInt(v as number | bigint);

  it('read back exactly at both ends of the range, as bigints and as numbers', () =>
    withoutLeaks(() => {
      for (const [dtype, lo, hi] of ranges) {
        expect((mx.array([lo, hi], dtype).toArray() as unknown[]).map(asBigInt), dtype).toEqual([lo, hi]);
        if (hi <= 2n ** 53n) expect((mx.array([Number(lo), Number(hi)], dtype).toArray() as unknown[]).map(asBigInt), dtype).toEqual([lo, hi]);
        expect(asBigInt(mx.array(hi, dtype).item()), dtype).toBe(hi);
      }
    }));

  it('one past either end is a RangeError naming the value and the range', () => {
    for (const [dtype, lo, hi] of ranges) {
      expect(() => mx.array([lo - 1n], dtype), dtype).toThrow(RangeError);
      expect(() => mx.array([0n, hi + 1n], dtype), dtype).toThrow(RangeError);
      expect(() => mx.array(hi + 1n, dtype), dtype).toThrow(RangeError);
    }
    expect(() => mx.array([2n ** 64n], 'uint64')).toThrow('array: data holds a bigint outside the 64-bit range');
    expect(() => mx.array([2 ** 40], 'int32')).toThrow('array: data holds 1099511627776, outside the range of int32 [-2147483648, 2147483647]');
    expect(() => mx.array(256, 'uint8')).toThrow(RangeError);
    expect(() => mx.array([[1, -1]], 'uint32')).toThrow('outside the range of uint32 [0, 4294967295]');
  });

  it('NaN and infinities are refused; fractions truncate toward zero, as NumPy converts them', () =>
    withoutLeaks(() => {
      expect(() => mx.array([NaN], 'int32')).toThrow('array: data holds NaN, which int32 cannot hold');
      expect(() => mx.array([Infinity], 'uint8')).toThrow(RangeError);
      expect(() => mx.array(-Infinity, 'int64')).toThrow(RangeError);
      expect(mx.array([1.9, -1.9, 255.5], 'int16').toArray()).toEqual([1, -1, 255]);
      expect(mx.array([-0.5], 'uint8').toArray()).toEqual([0]);
    }));

  it('other dtypes and inferred dtypes are unchanged: floats round, bigints past int64 are uint64', () =>
    withoutLeaks(() => {
      expect(mx.array([2 ** 40], 'float32').item()).toBe(2 ** 40);
      expect(mx.array([300, NaN], 'float16').astype('float32').toArray()).toEqual([300, NaN]);
      expect(mx.array([2n ** 63n, 1n]).dtype).toBe('uint64');
      expect(mx.array([2n ** 63n]).toArray()).toEqual([2n ** 63n]);
      expect(mx.array([-1n, 2n ** 62n]).dtype).toBe('int64');
      expect(mx.array([2n, 0n], 'bool').toArray()).toEqual([true, false]);
      expect(() => mx.array([2n ** 64n])).toThrow(RangeError);
    }));
});

describe('read-back per dtype', () => {
  const values = [0, 1, 2, 3];
  const expected: Record<mx.DType, { typed: string; array: unknown[] }> = {
    bool: { typed: 'Uint8Array', array: [false, true, true, true] },
    uint8: { typed: 'Uint8Array', array: values },
    uint16: { typed: 'Uint16Array', array: values },
    uint32: { typed: 'Uint32Array', array: values },
    uint64: { typed: 'BigUint64Array', array: values.map(BigInt) },
    int8: { typed: 'Int8Array', array: values },
    int16: { typed: 'Int16Array', array: values },
    int32: { typed: 'Int32Array', array: values },
    int64: { typed: 'BigInt64Array', array: values.map(BigInt) },
    float16: { typed: 'Uint16Array', array: values },
    bfloat16: { typed: 'Uint16Array', array: values },
    float32: { typed: 'Float32Array', array: values },
    float64: { typed: 'Float64Array', array: values },
    complex64: { typed: 'Float32Array', array: values.map((re) => ({ re, im: 0 })) },
  };
  for (const [dtype, want] of Object.entries(expected) as [mx.DType, (typeof expected)[mx.DType]][]) {
    it(`${dtype}: ${want.typed} and nested values`, () =>
      withoutLeaks(() => {
        const t = mx.array(values, dtype);
        expect(t.dtype).toBe(dtype);
        expect(t.toTypedArray().constructor.name).toBe(want.typed);
        expect(t.toArray()).toEqual(want.array);
        expect(t.itemsize * t.size).toBe(t.nbytes);
      }));
  }

  it('float16 and bfloat16 read back as their bit patterns', () =>
    withoutLeaks(() => {
      expect(Array.from(mx.array([1.5, -2], 'float16').toTypedArray() as Uint16Array)).toEqual([0x3e00, 0xc000]);
      expect(Array.from(mx.array([1.5, -2], 'bfloat16').toTypedArray() as Uint16Array)).toEqual([0x3fc0, 0xc000]);
    }));

  it('complex64 reads back interleaved, and item() gives { re, im }', () =>
    withoutLeaks(() => {
      const t = mx.array([1, 2], 'complex64');
      expect(Array.from(t.toTypedArray() as Float32Array)).toEqual([1, 0, 2, 0]);
      expect(mx.slice(t, [1], [2]).reshape([]).item()).toEqual({ re: 2, im: 0 });
    }));

  it('{re, im} values create complex64 that reads back as written, at any depth and as a scalar', () =>
    withoutLeaks(() => {
      const values = [[{ re: 1.5, im: -2 }, { re: 0, im: 3 }], [4, { re: -0.25, im: 0.5 }]];
      const t = mx.array(values);
      expect(t.dtype).toBe('complex64');
      expect(t.toArray()).toEqual([[{ re: 1.5, im: -2 }, { re: 0, im: 3 }], [{ re: 4, im: 0 }, { re: -0.25, im: 0.5 }]]);
      expect(Array.from(t.toTypedArray() as Float32Array)).toEqual([1.5, -2, 0, 3, 4, 0, -0.25, 0.5]);
      expect(mx.array({ re: 2, im: 1 }, 'complex64').item()).toEqual({ re: 2, im: 1 });
      expect(mx.multiply(mx.array([{ re: 0, im: 1 }]), mx.array([{ re: 0, im: 1 }])).toArray()).toEqual([{ re: -1, im: 0 }]);
    }));

  it('item() needs exactly one element', () =>
    withoutLeaks(() => {
      expect(mx.array([[7]]).item()).toBe(7);
      expect(() => mx.array([1, 2]).item()).toThrow(/exactly one element/);
    }));

  it('reads back non-contiguous views in logical order', () =>
    withoutLeaks(() => {
      const t = mx.transpose(mx.array([[1, 2, 3], [4, 5, 6]]));
      expect(Array.from(t.toTypedArray() as Float32Array)).toEqual([1, 4, 2, 5, 3, 6]);
      expect(mx.broadcastTo(mx.array([1, 2]), [2, 2]).toArray()).toEqual([[1, 2], [1, 2]]);
    }));

  it('data() resolves to the same values without blocking', async () => {
    const t = mx.add(mx.array([1, 2, 3]), 1);
    expect(Array.from((await t.data()) as Float32Array)).toEqual([2, 3, 4]);
    t.dispose();
  });

  it('console output is MLX\'s print format (more in printing.test.ts)', async () => {
    const { inspect } = await import('node:util');
    const t = mx.array([[1, 2]]);
    expect(inspect(t)).toBe('array([[1, 2]], dtype=float32)');
    t.dispose();
    expect(inspect(t)).toBe('array(<disposed>)');
  });
});
