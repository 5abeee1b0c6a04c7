// .gguf files: mx.saveGguf's files read by an independent reader, files from an independent writer
// loaded by mx.load (plain, converted and packed tensor types, every metadata value type), what MLX
// itself does with each ggml tensor type, and malformed files refused.
import { chmodSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { native } from '@mlxts/native';
import { dequantizeBlocks, GGML_TYPES, ggmlBytes, GGUF_VALUE as V, randomBlocks, readGguf, withoutLeaks, writeGguf, type GgufKV } from '@mlxts/testing';
import { expectFileError, sampleBytes, tempFolder, tensorOf } from './support.js';

const file = tempFolder();

/** The GGUF tensor type MLX writes for each dtype it can write. */
const WRITABLE: [mx.DType, number][] = [['float32', 0], ['float16', 1], ['int8', 24], ['int16', 25], ['int32', 26]];

describe('mx.saveGguf writes .gguf files', () => {
  for (const [dtype, type] of WRITABLE) {
    it(`${dtype}: type ${GGML_TYPES.get(type)!.name}, dimensions innermost first, aligned data`, () =>
      withoutLeaks(() => {
        const bytes = sampleBytes(dtype, 6, 5);
        mx.saveGguf(file(`${dtype}.gguf`), { 'w.weight': tensorOf(bytes, [2, 3], dtype) });
        const read = readGguf(readFileSync(file(`${dtype}.gguf`)));
        expect(read.version).toBe(3);
        const [t] = read.tensors;
        expect([t.name, t.dims, t.type, t.offset % 32, read.dataStart % 32]).toEqual(['w.weight', [3, 2], type, 0, 0]);
        expect(t.data.equals(Buffer.from(bytes))).toBe(true);
        const back = mx.load(file(`${dtype}.gguf`))['w.weight'];
        expect([back.dtype, back.shape]).toEqual([dtype, [2, 3]]);
        expect(back.toBytes().equals(Buffer.from(bytes))).toBe(true);
      }));
  }

  it('refuses the dtypes GGUF files from MLX cannot hold, leaving no file', () =>
    withoutLeaks(() => {
      for (const dtype of ['bool', 'uint8', 'uint32', 'int64', 'float64', 'bfloat16', 'complex64'] as mx.DType[]) {
        expect(() => mx.saveGguf(file(`no-${dtype}.gguf`), { t: mx.zeros([2], dtype) }), dtype).toThrow(mx.MlxError);
        expect(() => readFileSync(file(`no-${dtype}.gguf`))).toThrow(/ENOENT/);
      }
    }));

  it('writes 0-d, empty and transposed tensors', () =>
    withoutLeaks(() => {
      const a = mx.array([[1, 2, 3], [4, 5, 6]], 'int32');
      mx.saveGguf(file('shapes.gguf'), { s: mx.array(2.5), e: mx.zeros([0, 4], 'float16'), t: mx.transpose(a) });
      const read = readGguf(readFileSync(file('shapes.gguf')));
      const byName = new Map(read.tensors.map((t) => [t.name, t]));
      expect([byName.get('s')!.dims, byName.get('s')!.data.readFloatLE(0)]).toEqual([[], 2.5]);
      expect([byName.get('e')!.dims, byName.get('e')!.data.length]).toEqual([[4, 0], 0]);
      expect(Array.from({ length: 6 }, (_, i) => byName.get('t')!.data.readInt32LE(4 * i))).toEqual([1, 4, 2, 5, 3, 6]);
      const back = mx.load(file('shapes.gguf'));
      expect([back.s.item(), back.e.shape, back.t.toArray()]).toEqual([2.5, [0, 4], [[1, 4], [2, 5], [3, 6]]]);
    }));

  it('writes each kind of metadata value with its GGUF type, and loads it back', () =>
    withoutLeaks(() => {
      const metadata = {
        text: 'llama ✓',
        texts: ['a', '', 'ünï'],
        number: 1.5,
        big: -(2n ** 40n),
        flag: true,
        u8: mx.array(200, 'uint8'),
        i8: mx.array(-5, 'int8'),
        u16: mx.array(60000, 'uint16'),
        i16: mx.array(-300, 'int16'),
        u32: mx.array(30, 'uint32'),
        i32: mx.array(-7, 'int32'),
        u64: mx.array(2n ** 63n, 'uint64'),
        f32: mx.array(0.25, 'float32'),
        vector: mx.array([1, 2, 3], 'int32'),
        floats: mx.array([0.5, -1], 'float32'),
        bools: mx.array([true, false]),
      };
      mx.saveGguf(file('meta.gguf'), { x: mx.zeros([1]) }, metadata);
      const read = readGguf(readFileSync(file('meta.gguf'))).metadata;
      const typeOf = (k: string) => [read.get(k)!.type, read.get(k)!.itemType];
      expect(read.get('text')).toEqual({ type: V.STRING, value: 'llama ✓' });
      expect(read.get('texts')).toEqual({ type: V.ARRAY, itemType: V.STRING, value: ['a', '', 'ünï'] });
      expect(read.get('number')).toEqual({ type: V.FLOAT32, value: 1.5 });
      expect(read.get('big')).toEqual({ type: V.INT64, value: -(2n ** 40n) });
      expect(read.get('flag')).toEqual({ type: V.BOOL, value: true });
      expect([typeOf('u8'), typeOf('i8'), typeOf('u16'), typeOf('i16'), typeOf('u32'), typeOf('i32'), typeOf('u64'), typeOf('f32')]).toEqual(
        [V.UINT8, V.INT8, V.UINT16, V.INT16, V.UINT32, V.INT32, V.UINT64, V.FLOAT32].map((t) => [t, undefined]),
      );
      expect(read.get('u64')!.value).toBe(2n ** 63n);
      expect(read.get('vector')).toEqual({ type: V.ARRAY, itemType: V.INT32, value: [1, 2, 3] });
      expect(read.get('bools')).toEqual({ type: V.ARRAY, itemType: V.BOOL, value: [true, false] });

      const [, back] = mx.load(file('meta.gguf'), { returnMetadata: true });
      expect([back.text, back.texts, back.number, back.big, back.flag]).toEqual(['llama ✓', ['a', '', 'ünï'], 1.5, -(2n ** 40n), true]);
      expect([back.u8, back.i8, back.u16, back.i16, back.u32, back.i32, back.u64, back.f32]).toEqual([200, -5, 60000, -300, 30, -7, 2n ** 63n, 0.25]);
      const vector = back.vector as mx.Tensor;
      expect([vector.dtype, vector.toArray(), (back.floats as mx.Tensor).toArray(), (back.bools as mx.Tensor).toArray()]).toEqual(['int32', [1, 2, 3], [0.5, -1], [true, false]]);
    }));
});

describe('mx.load reads .gguf files from an independent writer', () => {
  it('plain types, BF16 as float16, and every metadata value type', () =>
    withoutLeaks(() => {
      const f32 = new Float32Array([1.5, -2, 3.25, 0]);
      const bf16 = new Uint16Array([0x3fc0, 0xc000, 0x4049, 0x0000]); // 1.5, -2, 3.140625, 0
      const metadata: GgufKV[] = [
        { key: 'general.architecture', type: V.STRING, value: 'llama' },
        { key: 'u8', type: V.UINT8, value: 255 },
        { key: 'i8', type: V.INT8, value: -128 },
        { key: 'u16', type: V.UINT16, value: 65535 },
        { key: 'i16', type: V.INT16, value: -32768 },
        { key: 'u32', type: V.UINT32, value: 4294967295 },
        { key: 'i32', type: V.INT32, value: -2147483648 },
        { key: 'f32', type: V.FLOAT32, value: 0.1 },
        { key: 'bool', type: V.BOOL, value: false },
        { key: 'u64', type: V.UINT64, value: 2n ** 64n - 1n },
        { key: 'i64', type: V.INT64, value: -(2n ** 63n) },
        { key: 'tokens', type: V.ARRAY, itemType: V.STRING, value: ['<s>', '</s>', 'é'] },
        { key: 'scores', type: V.ARRAY, itemType: V.FLOAT32, value: [0.5, -1] },
        { key: 'ids', type: V.ARRAY, itemType: V.UINT64, value: [1n, 2n ** 63n] },
        { key: 'empty', type: V.ARRAY, itemType: V.INT32, value: [] },
      ];
      const bytes = writeGguf({
        metadata,
        tensors: [
          { name: 'a', dims: [2, 2], type: 0, data: new Uint8Array(f32.buffer) },
          { name: 'b', dims: [4], type: 30, data: new Uint8Array(bf16.buffer) },
          { name: 'c', dims: [3], type: 24, data: new Uint8Array([1, 255, 128]) },
        ],
      });
      const [tensors, meta] = mx.load(file('indep.gguf', bytes), { returnMetadata: true });
      expect(Object.keys(tensors)).toEqual(['a', 'b', 'c']);
      expect([tensors.a.dtype, tensors.a.toArray()]).toEqual(['float32', [[1.5, -2], [3.25, 0]]]);
      expect([tensors.b.dtype, tensors.b.astype('float32').toArray()]).toEqual(['float16', [1.5, -2, 3.140625, 0]]);
      expect(tensors.c.toArray()).toEqual([1, -1, -128]);
      expect(Object.keys(meta)).toEqual(metadata.map((kv) => kv.key));
      expect([meta['general.architecture'], meta.u8, meta.i8, meta.u16, meta.i16, meta.u32, meta.i32, meta.bool, meta.u64, meta.i64]).toEqual(
        ['llama', 255, -128, 65535, -32768, 4294967295, -2147483648, false, 2n ** 64n - 1n, -(2n ** 63n)],
      );
      expect(meta.f32).toBe(Math.fround(0.1));
      expect(meta.tokens).toEqual(['<s>', '</s>', 'é']);
      const t = (k: string) => meta[k] as mx.Tensor;
      expect([t('scores').dtype, t('scores').toArray(), t('ids').dtype, t('ids').toArray()]).toEqual(['float32', [0.5, -1], 'uint64', [1n, 2n ** 63n]]);
      expect([t('empty').shape, t('empty').dtype]).toEqual([[0], 'int32']);
    }));

  for (const [name, type] of [['Q4_0', 2], ['Q4_1', 3], ['Q8_0', 8]] as const) {
    it(`${name}: packed uint32 weights, float16 scales and biases that dequantize as ggml's blocks do`, () =>
      withoutLeaks(() => {
        const [rows, cols] = [3, 64];
        const data = randomBlocks(type, (rows * cols) / 32, type);
        const loaded = mx.load(file(`${name}.gguf`, writeGguf({ tensors: [{ name: 'blk.0.w.weight', dims: [cols, rows], type, data }] })));
        expect(Object.keys(loaded)).toEqual(['blk.0.w.weight', 'blk.0.w.scales', 'blk.0.w.biases']);
        const bits = type === 8 ? 8 : 4;
        const [w, s, b] = [loaded['blk.0.w.weight'], loaded['blk.0.w.scales'], loaded['blk.0.w.biases']];
        expect([w.dtype, w.shape, s.dtype, s.shape, b.dtype, b.shape]).toEqual(['uint32', [rows, (cols * bits) / 32], 'float16', [rows, cols / 32], 'float16', [rows, cols / 32]]);
        // MLX's affine layout: element i of a row is bits [bits*i, bits*(i+1)) of its words, low bits first.
        const words = w.toTypedArray() as Uint32Array;
        const [scales, biases] = [s, b].map((x) => x.astype('float32').toTypedArray() as Float32Array);
        const expected = dequantizeBlocks(type, data, rows * cols);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            const bit = c * bits;
            const q = (words[r * ((cols * bits) / 32) + Math.floor(bit / 32)] >>> bit % 32) & ((1 << bits) - 1);
            const g = r * (cols / 32) + Math.floor(c / 32);
            expect(Math.fround(scales[g] * q + biases[g]), `(${r}, ${c})`).toBeCloseTo(expected[r * cols + c], 2);
          }
        }
      }));
  }
});

describe("MLX 0.32.4's own GGUF reader, per ggml tensor type", () => {
  // Without mlxts's checks, straight to mlx::core::load_gguf: which types it keeps, packs, converts or
  // rejects. Types 4 and 5 (removed from ggml) are left out: gguflib divides by their zero block size.
  const expected: Record<string, string> = {
    F32: 'float32', F16: 'float16', I8: 'int8', I16: 'int16', I32: 'int32',
    Q4_0: 'packed', Q4_1: 'packed', Q8_0: 'packed',
    BF16: 'float16', Q2_K: 'float16', Q4_K: 'float16', Q6_K: 'float16',
  };
  for (const [type, { name }] of GGML_TYPES) {
    it(`${name}: ${expected[name] ?? 'rejected'}`, () =>
      withoutLeaks(() => {
        const dims = [256, 2];
        // Room past the tensor: gguflib's own size table disagrees with ggml's for some types.
        const data = new Uint8Array(ggmlBytes(type, dims) + 1024);
        const path = file(`type-${name}.gguf`, writeGguf({ tensors: [{ name: 'x.weight', dims, type, data }] }));
        let outcome: string;
        try {
          const { tensors } = native.loadGguf(path);
          outcome = tensors.length === 3 ? 'packed' : tensors[0][1].dtype;
          for (const [, t] of tensors) t.dispose();
        } catch (error) {
          expect(error).toBeInstanceOf(mx.MlxError);
          outcome = 'rejected';
        }
        expect(outcome).toBe(expected[name] ?? 'rejected');
        // mx.load agrees, and names the type it refuses.
        if (outcome === 'rejected') expectFileError(() => mx.load(path), 'load', path, `has type ${name}, which MLX 0.32.4 cannot load`);
        else expect(Object.keys(mx.load(path))).toHaveLength(outcome === 'packed' ? 3 : 1);
      }));
  }
});

describe('mx.load refuses malformed .gguf files', () => {
  const f32 = (name: string, dims: number[], data = new Uint8Array(4 * dims.reduce((a, b) => a * b, 1))) => ({ name, dims, type: 0, data });
  const good = () => writeGguf({ metadata: [{ key: 'k', type: V.STRING, value: 'v' }], tensors: [f32('a', [2])] });
  const patch = (bytes: Buffer, at: number, value: bigint, size: 4 | 8 = 8) => {
    const out = Buffer.from(bytes);
    if (size === 8) out.writeBigUInt64LE(value, at);
    else out.writeUInt32LE(Number(value), at);
    return out;
  };
  // Offsets in good(): counts at 8 and 16, the key's length at 24, its value's type at 33 and length at 37.
  const cases: [string, Uint8Array, string | RegExp][] = [
    ['an empty file', new Uint8Array(0), 'is empty'],
    ['a file shorter than the header', Buffer.from('GGUF\x03\x00\x00\x00'), 'too short'],
    ['a wrong magic', Buffer.concat([Buffer.from('GGML'), good().subarray(4)]), 'is not a .gguf file'],
    ['version 1', patch(good(), 4, 1n, 4), 'GGUF version 1'],
    ['a big-endian file', patch(good(), 4, 0x03000000n, 4), 'big-endian'],
    ['a tensor count near 2^64', patch(good(), 8, 2n ** 64n - 1n), 'declares 18446744073709551615 tensors'],
    ['a metadata count near 2^64', patch(good(), 16, 2n ** 64n - 2n), 'declares 18446744073709551614 metadata pairs'],
    ['more than 100000 metadata pairs', writeGguf({ metadata: Array.from({ length: 100_001 }, (_, i) => ({ key: `k${i}`, type: V.UINT8, value: 0 })) }), 'declares 100001 metadata pairs; mlxts loads at most 100000'],
    ['more than 100000 tensors', writeGguf({ tensors: Array.from({ length: 100_001 }, (_, i) => f32(`t${i}`, [0])) }), 'declares 100001 tensors; mlxts loads at most 100000'],
    ['a key length near 2^64', patch(good(), 24, 2n ** 64n - 1n), 'a metadata key of 18446744073709551615 bytes'],
    ['a string value length near 2^64', patch(good(), 37, 2n ** 63n), 'metadata "k" of 9223372036854775808 bytes'],
    ['an unknown value type', patch(good(), 33, 13n, 4), 'metadata "k" has unknown value type 13'],
    ['an array count near 2^64', writeGguf({ metadata: [{ key: 'arr', type: V.ARRAY, itemType: V.UINT8, value: [] }] }).fill(0xff, 43, 51), 'array of 18446744073709551615 values'],
    ['an array running past the end', writeGguf({ metadata: [{ key: 'arr', type: V.ARRAY, itemType: V.UINT32, value: [] }] }).fill(0x10, 43, 44), 'run past the end'],
    ['more than 4000000 strings', patch(writeGguf({ metadata: [{ key: 'arr', type: V.ARRAY, itemType: V.STRING, value: [] }] }), 43, 4_000_001n), 'is an array of 4000001 strings; mlxts loads at most 4000000'],
    ['an array of arrays', writeGguf({ metadata: [{ key: 'arr', type: V.ARRAY, itemType: V.ARRAY, value: [] }] }), 'array of arrays'],
    ['a bool that is 2', writeGguf({ metadata: [{ key: 'b', type: V.BOOL, value: 2 }] }), 'neither 0 nor 1'],
    ['a repeated key', writeGguf({ metadata: [{ key: 'k', type: V.UINT8, value: 1 }, { key: 'k', type: V.UINT8, value: 2 }] }), 'key "k" twice'],
    ['an alignment of 0', writeGguf({ metadata: [{ key: 'general.alignment', type: V.UINT32, value: 0 }] }), 'general.alignment'],
    ['an alignment of 12', writeGguf({ metadata: [{ key: 'general.alignment', type: V.UINT32, value: 12 }] }), 'general.alignment'],
    ['an alignment that is not uint32', writeGguf({ metadata: [{ key: 'general.alignment', type: V.UINT64, value: 32n }] }), 'general.alignment'],
    ['9 axes', writeGguf({ tensors: [f32('a', [1, 1, 1, 1, 1, 1, 1, 1, 1])] }), 'has 9 axes'],
    ['a dimension of 2^31', writeGguf({ tensors: [f32('a', [2 ** 31], new Uint8Array(4))] }), 'dimensions up to 2^31 - 1'],
    ['an unknown tensor type', writeGguf({ tensors: [{ ...f32('a', [2]), type: 99 }] }), 'tensor type 99'],
    ['a removed tensor type', writeGguf({ tensors: [{ ...f32('a', [32]), type: 4 }] }), 'tensor type 4'],
    ['an unsupported tensor type', writeGguf({ tensors: [{ name: 'a.weight', dims: [256], type: 13, data: new Uint8Array(176) }] }), 'has type Q5_K, which MLX 0.32.4 cannot load'],
    ['a block type whose first dimension is not a whole number of blocks', writeGguf({ tensors: [{ name: 'a.weight', dims: [48, 2], type: 8, data: new Uint8Array(102) }] }), 'multiple of its block of 32'],
    ['a 0-d block type', writeGguf({ tensors: [{ name: 'a.weight', dims: [], type: 2, data: new Uint8Array(18) }] }), 'multiple of its block of 32'],
    ['a packed type not named .weight', writeGguf({ tensors: [{ name: 'a.bias', dims: [32], type: 8, data: new Uint8Array(34) }] }), 'not ending in ".weight"'],
    ['a repeated tensor name', writeGguf({ tensors: [f32('a', [2]), f32('a', [2])] }), 'both name "a"'],
    ['packed parts clashing with a tensor', writeGguf({ tensors: [{ name: 'a.weight', dims: [32], type: 8, data: new Uint8Array(34) }, f32('a.scales', [1])] }), 'both name "a.scales"'],
    ['a misaligned offset', writeGguf({ tensors: [{ ...f32('a', [2]), offset: 4 }] }), 'not a multiple of the alignment 32'],
    ['an offset past the end', writeGguf({ tensors: [{ ...f32('a', [2]), offset: 2 ** 53 }] }), 'past the end of the file'],
    ['truncated data', good().subarray(0, good().length - 30), 'past the end of the file'],
    ['a shape larger than its data', writeGguf({ tensors: [f32('a', [2 ** 20, 2 ** 10], new Uint8Array(8))] }), 'past the end of the file'],
    ['overlapping tensors', writeGguf({ tensors: [f32('a', [16]), { ...f32('b', [16]), offset: 32 }] }), 'tensors "a" and "b" overlap'],
    ['a float64 value, which MLX misreads', writeGguf({ metadata: [{ key: 'f', type: V.FLOAT64, value: 0.5 }] }), 'metadata "f" is float64'],
    ['a float64 array, which MLX misreads', writeGguf({ metadata: [{ key: 'f', type: V.ARRAY, itemType: V.FLOAT64, value: [0.5] }] }), 'metadata "f" is float64'],
  ];
  for (const [name, bytes, fragment] of cases) {
    it(name, () => withoutLeaks(() => expectFileError(() => mx.load(file(`bad-${name}.gguf`, bytes)), 'load', file(`bad-${name}.gguf`), fragment)));
  }

  it("refuses a file whose tensors would exceed MLX's memory limit", () =>
    withoutLeaks(() => {
      const path = file('big.gguf', writeGguf({ tensors: [f32('a', [4096])] }));
      const previous = mx.setMemoryLimit(8192);
      try {
        expectFileError(() => mx.load(path), 'load', path, "loading it needs 0.0 GB, more than MLX's memory limit");
      } finally {
        mx.setMemoryLimit(previous);
      }
    }));

  it.skipIf(process.getuid?.() === 0)('refuses a file it may not write, which gguflib would fail to open (skipped as root, who may write any file)', () =>
    withoutLeaks(() => {
      const path = file('readonly.gguf', good());
      chmodSync(path, 0o444);
      expectFileError(() => mx.load(path), 'load', path, 'is not writable');
    }));
});
