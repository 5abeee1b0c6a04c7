// .npy files: mx.save's files read by an independent reader, files from an independent writer loaded by
// mx.load, for every dtype and for 0-d, empty and transposed tensors; and malformed files refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { readNpy, withoutLeaks, writeNpy } from '@mlxts/testing';
import { DTYPES, expectFileError, sampleBytes, tempFolder, tensorOf } from './support.js';

const file = tempFolder();

describe('mx.save writes .npy files', () => {
  for (const { dtype, npy } of DTYPES) {
    it(`${dtype}: the header and the bytes NumPy's format prescribes`, () =>
      withoutLeaks(() => {
        const bytes = sampleBytes(dtype, 6);
        mx.save(file(`${dtype}.npy`), tensorOf(bytes, [2, 3], dtype));
        const read = readNpy(readFileSync(file(`${dtype}.npy`)));
        expect([read.version, read.descr, read.fortranOrder, read.shape]).toEqual([1, npy, false, [2, 3]]);
        expect(read.headerText.endsWith('\n')).toBe(true);
        expect(Buffer.from(read.data).equals(Buffer.from(bytes))).toBe(true);
        const back = mx.load(file(`${dtype}.npy`));
        expect([back.dtype, back.shape]).toEqual([dtype, [2, 3]]);
        expect(back.toBytes().equals(Buffer.from(bytes))).toBe(true);
      }));
  }

  it('writes 0-d and empty tensors', () =>
    withoutLeaks(() => {
      mx.save(file('scalar.npy'), mx.array(2.5));
      const scalar = readNpy(readFileSync(file('scalar.npy')));
      expect([scalar.shape, scalar.data.readFloatLE(0), scalar.data.length]).toEqual([[], 2.5, 4]);
      expect(mx.load(file('scalar.npy')).item()).toBe(2.5);
      mx.save(file('empty.npy'), mx.zeros([0, 3], 'int32'));
      const empty = readNpy(readFileSync(file('empty.npy')));
      expect([empty.shape, empty.descr, empty.data.length]).toEqual([[0, 3], '<i4', 0]);
      const back = mx.load(file('empty.npy'));
      expect([back.shape, back.dtype, back.size]).toEqual([[0, 3], 'int32', 0]);
    }));

  it('writes a transposed view column-major, with fortran_order set, and reads it back', () =>
    withoutLeaks(() => {
      const a = mx.array(new Int32Array([0, 1, 2, 3, 4, 5])).reshape([2, 3]);
      mx.save(file('transposed.npy'), mx.transpose(a));
      const read = readNpy(readFileSync(file('transposed.npy')));
      expect([read.fortranOrder, read.shape]).toEqual([true, [3, 2]]);
      // Column-major [3, 2] of aᵀ is a's own row-major order.
      expect(Array.from(new Int32Array(read.data.buffer.slice(read.data.byteOffset, read.data.byteOffset + 24)))).toEqual([0, 1, 2, 3, 4, 5]);
      expect(mx.load(file('transposed.npy')).toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    }));

  it('appends .npy to a path without it, and replaces an existing file', () =>
    withoutLeaks(() => {
      mx.save(file('plain'), mx.array([1, 2], 'int8'));
      mx.save(file('plain'), mx.array([3], 'int8'));
      expect(mx.load(file('plain.npy')).toArray()).toEqual([3]);
    }));
});

describe('mx.load reads .npy files from an independent writer', () => {
  for (const { dtype, npy } of DTYPES) {
    it(`${dtype} ('${npy}')`, () =>
      withoutLeaks(() => {
        const bytes = sampleBytes(dtype, 4, 7);
        const t = mx.load(file(`w-${dtype}.npy`, writeNpy({ descr: npy, fortranOrder: false, shape: [4], data: bytes })));
        expect([t.dtype, t.shape]).toEqual([dtype, [4]]);
        expect(t.toBytes().equals(Buffer.from(bytes))).toBe(true);
      }));
  }

  it('reads versions 2.0 and 3.0, keys in any order, double quotes and no trailing comma', () =>
    withoutLeaks(() => {
      const data = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
      for (const version of [2, 3] as const) {
        const t = mx.load(file(`v${version}.npy`, writeNpy({ descr: '<f4', fortranOrder: false, shape: [2, 3], data, version })));
        expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
      }
      const dict = `{"shape": (3, 2), "fortran_order": True, "descr": "<f4"}`;
      const t = mx.load(file('reordered.npy', writeNpy({ descr: '', fortranOrder: false, shape: [], data, dict })));
      expect(t.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    }));

  it('reads big-endian data and a native byte order', () =>
    withoutLeaks(() => {
      const be = Buffer.alloc(8);
      be.writeInt32BE(-2, 0);
      be.writeInt32BE(70000, 4);
      expect(mx.load(file('be.npy', writeNpy({ descr: '>i4', fortranOrder: false, shape: [2], data: be }))).toArray()).toEqual([-2, 70000]);
      const f = Buffer.alloc(8);
      f.writeDoubleBE(1.5, 0);
      expect(mx.load(file('be64.npy', writeNpy({ descr: '>f8', fortranOrder: false, shape: [1], data: f }))).toArray()).toEqual([1.5]);
      const native = new Uint8Array(new Uint16Array([1, 65535]).buffer);
      expect(mx.load(file('native.npy', writeNpy({ descr: '=u2', fortranOrder: false, shape: [2], data: native }))).toArray()).toEqual([1, 65535]);
    }));

  it('reads a Fortran-ordered 3-D array', () =>
    withoutLeaks(() => {
      // Column-major [2, 3, 2]: element (i, j, k) at i + 2j + 6k.
      const values = Array.from({ length: 12 }, (_, n) => n);
      const data = new Uint8Array(new Int16Array(values).buffer);
      const t = mx.load(file('f3.npy', writeNpy({ descr: '<i2', fortranOrder: true, shape: [2, 3, 2], data })));
      const expected = [0, 1].map((i) => [0, 1, 2].map((j) => [0, 1].map((k) => i + 2 * j + 6 * k)));
      expect(t.toArray()).toEqual(expected);
    }));
});

describe('mx.load refuses malformed .npy files', () => {
  const good = () => writeNpy({ descr: '<f4', fortranOrder: false, shape: [2], data: new Uint8Array(8) });
  const withDict = (dict: string, data = new Uint8Array(8)) => writeNpy({ descr: '', fortranOrder: false, shape: [], data, dict });
  const cases: [string, Uint8Array, string | RegExp][] = [
    ['an empty file', new Uint8Array(0), 'is empty'],
    ['a wrong magic', Buffer.concat([Buffer.from('NOTNPY'), good().subarray(6)]), 'is not a .npy file'],
    ['an unknown version', Buffer.concat([good().subarray(0, 6), Buffer.from([4, 0]), good().subarray(8)]), 'version 4.0'],
    ['a truncated header', good().subarray(0, 40), 'declares a 118-byte header'],
    ['truncated data', good().subarray(0, good().length - 1), 'holds 7 bytes'],
    ['a header that is not a dict', withDict("['descr', '<f4']"), 'malformed header'],
    ['an unterminated dict', withDict("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)"), 'malformed header'],
    ['a missing key', withDict("{'descr': '<f4', 'shape': (2,)}"), 'header keys descr, shape'],
    ['an extra key', withDict("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}"), 'header keys'],
    ['a repeated key', withDict("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}"), "key 'descr' appears twice"],
    ['a string dtype', withDict("{'descr': '<U4', 'fortran_order': False, 'shape': (2,)}"), "descr '<U4'"],
    ['a structured dtype', withDict("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}"), 'malformed header'],
    ['complex128', withDict("{'descr': '<c16', 'fortran_order': False, 'shape': (2,)}"), "descr '<c16'"],
    ['a multi-byte type without byte order', withDict("{'descr': '|f4', 'fortran_order': False, 'shape': (2,)}"), 'needs a byte order'],
    ['big-endian complex64', withDict("{'descr': '>c8', 'fortran_order': False, 'shape': (1,)}"), 'big-endian complex64'],
    ['a fortran_order that is not a boolean', withDict("{'descr': '<f4', 'fortran_order': 1, 'shape': (2,)}"), 'fortran_order 1'],
    ['a shape that is an integer', withDict("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}"), 'has shape 2'],
    ['a negative dimension', withDict("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}"), 'malformed header'],
    ['a dimension of 2^31', withDict("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648,)}"), 'dimensions from 0 to 2^31 - 1'],
    ['a huge shape', withDict("{'descr': '<f8', 'fortran_order': False, 'shape': (2000000000, 2000000000)}"), /declares float64 data .* bytes, but holds 8 bytes/],
    ['65 axes', withDict(`{'descr': '<f4', 'fortran_order': False, 'shape': (${'1, '.repeat(65)})}`), '65 axes'],
  ];
  for (const [name, bytes, fragment] of cases) {
    it(name, () => withoutLeaks(() => expectFileError(() => mx.load(file(`bad-${name}.npy`, bytes)), 'load', file(`bad-${name}.npy`), fragment)));
  }

  it('refuses a tensor larger than MLX\'s memory limit before reading it', () =>
    withoutLeaks(() => {
      const path = file('big.npy', writeNpy({ descr: '<f4', fortranOrder: false, shape: [4096], data: new Uint8Array(16384) }));
      const previous = mx.setMemoryLimit(8192);
      try {
        expectFileError(() => mx.load(path), 'load', path, "more than MLX's memory limit");
      } finally {
        mx.setMemoryLimit(previous);
      }
    }));
});
