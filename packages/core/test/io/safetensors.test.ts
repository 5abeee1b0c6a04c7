// .safetensors files: mx.saveSafetensors's files read by an independent reader, files from an independent
// writer loaded by mx.load, for every dtype MLX supports there; and malformed files refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { readSafetensors, withoutLeaks, writeSafetensors, writeSafetensorsRaw } from '@mlxts/testing';
import { DTYPES, expectFileError, sampleBytes, tempFolder, tensorOf } from './support.js';

const file = tempFolder();

describe('mx.saveSafetensors writes .safetensors files', () => {
  for (const { dtype, safetensors } of DTYPES.filter((d) => d.safetensors)) {
    it(`${dtype}: dtype ${safetensors}, its shape and its bytes`, () =>
      withoutLeaks(() => {
        const bytes = sampleBytes(dtype, 6, 3);
        mx.saveSafetensors(file(`${dtype}.safetensors`), { t: tensorOf(bytes, [3, 2], dtype) });
        const read = readSafetensors(readFileSync(file(`${dtype}.safetensors`)));
        const t = read.tensors.get('t')!;
        expect([t.dtype, t.shape]).toEqual([safetensors, [3, 2]]);
        expect(t.data.equals(Buffer.from(bytes))).toBe(true);
        const back = mx.load(file(`${dtype}.safetensors`)).t;
        expect([back.dtype, back.shape]).toEqual([dtype, [3, 2]]);
        expect(back.toBytes().equals(Buffer.from(bytes))).toBe(true);
      }));
  }

  it('refuses float64, which MLX 0.32.4 cannot write there', () =>
    withoutLeaks(() => {
      expect(() => mx.saveSafetensors(file('f64.safetensors'), { t: mx.array([1], 'float64') })).toThrow(mx.MlxError);
      expect(() => readFileSync(file('f64.safetensors'))).toThrow(/ENOENT/);
    }));

  it('writes many tensors back to back, 0-d, empty and transposed ones, and the metadata', () =>
    withoutLeaks(() => {
      const a = mx.array([[1, 2, 3], [4, 5, 6]], 'int16');
      const tensors = { scalar: mx.array(7, 'int32'), empty: mx.zeros([2, 0], 'float32'), transposed: mx.transpose(a), 'ünï.cödé': mx.array([true, false]) };
      mx.saveSafetensors(file('many.safetensors'), tensors, { format: 'mlx', 'κλειδί': 'τιμή ✓' });
      const read = readSafetensors(readFileSync(file('many.safetensors')));
      expect(read.metadata).toEqual({ format: 'mlx', 'κλειδί': 'τιμή ✓' });
      expect(Object.keys(read.header).sort()).toEqual(['empty', 'scalar', 'transposed', 'ünï.cödé']);
      expect(read.header.scalar.shape).toEqual([]);
      expect(read.tensors.get('scalar')!.data.readInt32LE(0)).toBe(7);
      expect([read.header.empty.shape, read.tensors.get('empty')!.data.length]).toEqual([[2, 0], 0]);
      // Row-major bytes of the transpose.
      const tr = read.tensors.get('transposed')!.data;
      expect(Array.from({ length: 6 }, (_, i) => tr.readInt16LE(2 * i))).toEqual([1, 4, 2, 5, 3, 6]);
      // The ranges tile the data section without gaps or overlaps (the format's rule).
      const ranges = Object.values(read.header).map((h) => h.data_offsets).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      ranges.reduce((end, [begin, stop]) => (expect(begin).toBe(end), stop), 0);
      const [back, metadata] = mx.load(file('many.safetensors'), { returnMetadata: true });
      expect(Object.keys(back).sort()).toEqual(['empty', 'scalar', 'transposed', 'ünï.cödé']);
      expect(back.transposed.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
      expect(back['ünï.cödé'].toArray()).toEqual([true, false]);
      expect(back.empty.shape).toEqual([2, 0]);
      expect(metadata).toEqual({ format: 'mlx', 'κλειδί': 'τιμή ✓' });
    }));

  it('refuses the reserved name __metadata__', () =>
    withoutLeaks(() => expect(() => mx.saveSafetensors(file('r.safetensors'), { __metadata__: mx.array([1]) })).toThrow(/'__metadata__' is reserved/)));
});

describe('mx.load reads .safetensors files from an independent writer', () => {
  it('every dtype MLX reads, in the file\'s order, with gaps between tensors allowed', () =>
    withoutLeaks(() => {
      const parts = DTYPES.filter((d) => d.safetensors).map(({ dtype, safetensors }, i) => ({ name: `t${i}-${dtype}`, dtype: safetensors!, shape: [2, 2], data: sampleBytes(dtype, 4, i) }));
      const loaded = mx.load(file('all.safetensors', writeSafetensors(parts, { k: 'v' })));
      expect(Object.keys(loaded)).toEqual(parts.map((p) => p.name));
      DTYPES.filter((d) => d.safetensors).forEach(({ dtype }, i) => {
        const t = loaded[parts[i].name];
        expect([t.dtype, t.shape]).toEqual([dtype, [2, 2]]);
        expect(t.toBytes().equals(Buffer.from(parts[i].data))).toBe(true);
      });
      const gap = JSON.stringify({ b: { dtype: 'U8', shape: [2], data_offsets: [6, 8] }, a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } });
      const spaced = mx.load(file('gap.safetensors', writeSafetensorsRaw(gap, new Uint8Array([1, 2, 0, 0, 0, 0, 3, 4]))));
      expect([spaced.a.toArray(), spaced.b.toArray(), Object.keys(spaced)]).toEqual([[1, 2], [3, 4], ['b', 'a']]);
    }));

  it('reads the 8-bit float formats as their raw bytes (uint8), as MLX does', () =>
    withoutLeaks(() => {
      const parts = [{ name: 'e4m3', dtype: 'F8_E4M3', shape: [3], data: new Uint8Array([0x38, 0x40, 0xb8]) }, { name: 'e8m0', dtype: 'F8_E8M0', shape: [1], data: new Uint8Array([127]) }];
      const loaded = mx.load(file('f8.safetensors', writeSafetensors(parts)));
      expect([loaded.e4m3.dtype, loaded.e4m3.toArray(), loaded.e8m0.toArray()]).toEqual(['uint8', [0x38, 0x40, 0xb8], [127]]);
    }));

  it('keeps names such as __proto__ as plain keys', () =>
    withoutLeaks(() => {
      const loaded = mx.load(file('proto.safetensors', writeSafetensorsRaw('{"__proto__":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array([5]))));
      expect(Object.getPrototypeOf(loaded)).toBe(Object.prototype);
      expect(Object.keys(loaded)).toEqual(['__proto__']);
      expect((Object.getOwnPropertyDescriptor(loaded, '__proto__')!.value as mx.Tensor).toArray()).toEqual([5]);
    }));

  it('returns empty metadata when the file has none', () =>
    withoutLeaks(() => {
      const [tensors, metadata] = mx.load(file('nometa.safetensors', writeSafetensors([])), { returnMetadata: true });
      expect([tensors, metadata]).toEqual([{}, {}]);
    }));
});

describe('mx.load refuses malformed .safetensors files', () => {
  const u8 = (offsets: unknown, shape: unknown = [2], dtype: unknown = 'U8') => ({ dtype, shape, data_offsets: offsets });
  const raw = (header: unknown, data = new Uint8Array(4)) => writeSafetensorsRaw(typeof header === 'string' ? header : JSON.stringify(header), data);
  const length = (n: bigint, rest = Buffer.from('{}')) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(n);
    return Buffer.concat([b, rest]);
  };
  const cases: [string, Uint8Array, string | RegExp][] = [
    ['an empty file', new Uint8Array(0), 'is empty'],
    ['a file shorter than its length prefix', new Uint8Array(5), 'too short'],
    ['a zero header length', length(0n), 'JSON header of 0 bytes'],
    ['a header length near 2^64', length(2n ** 64n - 1n), 'JSON header of 18446744073709551615 bytes'],
    ['a header length past the end', length(100n), 'only 2 bytes follow'],
    ['a header that is not UTF-8', raw(Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1')), 'not a UTF-8 JSON object'],
    ['a header that is not JSON', raw('{"a": '), 'not a UTF-8 JSON object'],
    ['a header that is a JSON array', raw('[1, 2]'), 'does not start with "{"'],
    ['a tensor that is not an object', raw({ a: 3 }), 'tensor "a" is not described by an object'],
    ['a dtype that does not exist', raw({ a: u8([0, 2], [2], 'F7') }), 'tensor "a" has dtype "F7"'],
    ['float64, which MLX cannot load', raw({ a: u8([0, 8], [1], 'F64') }, new Uint8Array(8)), 'has dtype "F64"'],
    ['a negative dimension', raw({ a: u8([0, 2], [-2]) }), 'has shape [-2]'],
    ['a fractional dimension', raw({ a: u8([0, 2], [1.5]) }), 'has shape [1.5]'],
    ['a dimension of 2^31', raw({ a: u8([0, 2], [2 ** 31, 0]) }), 'dimensions up to 2^31 - 1'],
    ['three data offsets', raw({ a: u8([0, 1, 2]) }), 'data_offsets [0,1,2]'],
    ['reversed data offsets', raw({ a: u8([2, 0]) }), 'data_offsets [2,0]'],
    ['data offsets beyond 2^53', raw({ a: u8([0, 2 ** 60]) }), 'data_offsets'],
    ['a shape whose size disagrees with its range', raw({ a: u8([0, 3]) }), '2 bytes, but data_offsets [0, 3] span 3 bytes'],
    ['a huge shape', raw({ a: u8([0, 4], [2 ** 30, 2 ** 30, 2 ** 30]) }), /1237940039285380274899124224 bytes/],
    ['offsets past the end of the file', raw({ a: u8([2, 6], [4]) }), 'past the end of the data section (4 bytes)'],
    ['overlapping tensors', raw({ a: u8([0, 2]), b: u8([1, 3]) }), 'tensors "a" [0,2] and "b" [1,3] overlap'],
    ['metadata that is not an object', raw({ __metadata__: 'x' }), '"__metadata__" that is not an object'],
    ['metadata that is not a string', raw({ __metadata__: { n: 1 } }), 'metadata "n" that is not a string'],
    ['more than 100000 tensors', raw(Object.fromEntries(Array.from({ length: 100_001 }, (_, i) => [`t${i}`, u8([0, 0], [0])]))), 'has 100001 header entries; mlxts loads at most 100000'],
  ];
  for (const [name, bytes, fragment] of cases) {
    it(name, () => withoutLeaks(() => expectFileError(() => mx.load(file(`bad-${name}.safetensors`, bytes)), 'load', file(`bad-${name}.safetensors`), fragment)));
  }

  it('refuses a tensor larger than MLX\'s memory limit before reading it', () =>
    withoutLeaks(() => {
      const path = file('big.safetensors', writeSafetensors([{ name: 'w', dtype: 'F32', shape: [4096], data: new Uint8Array(16384) }]));
      const previous = mx.setMemoryLimit(8192);
      try {
        expectFileError(() => mx.load(path), 'load', path, `tensor "w" needs 0.0 GB, more than MLX's memory limit`);
      } finally {
        mx.setMemoryLimit(previous);
      }
    }));
});
