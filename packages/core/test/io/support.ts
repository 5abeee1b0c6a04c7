// Shared by the file IO tests: a temporary folder per test file, deterministic bytes for every dtype,
// and each dtype's name in each format (from the formats' own descriptions).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import * as mx from '@mlxts/core';

/**
 * A fresh folder for the calling test file, removed when its tests are done: `file(name, bytes?)` gives
 * a path in it (writing `bytes` there), typed so that `mx.load` sees the name's extension.
 */
export function tempFolder(): <N extends string>(name: N, bytes?: Uint8Array) => `${string}/${N}` {
  const dir = mkdtempSync(join(tmpdir(), 'mlxts-io-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return <N extends string>(name: N, bytes?: Uint8Array) => {
    const path = join(dir, name) as `${string}/${N}`;
    if (bytes) writeFileSync(path, bytes);
    return path;
  };
}

/** Each dtype's element size, .npy descr and safetensors dtype (none: MLX cannot write it there). */
export const DTYPES: readonly { dtype: mx.DType; size: number; npy: string; safetensors?: string }[] = [
  { dtype: 'bool', size: 1, npy: '|b1', safetensors: 'BOOL' },
  { dtype: 'uint8', size: 1, npy: '|u1', safetensors: 'U8' },
  { dtype: 'uint16', size: 2, npy: '<u2', safetensors: 'U16' },
  { dtype: 'uint32', size: 4, npy: '<u4', safetensors: 'U32' },
  { dtype: 'uint64', size: 8, npy: '<u8', safetensors: 'U64' },
  { dtype: 'int8', size: 1, npy: '|i1', safetensors: 'I8' },
  { dtype: 'int16', size: 2, npy: '<i2', safetensors: 'I16' },
  { dtype: 'int32', size: 4, npy: '<i4', safetensors: 'I32' },
  { dtype: 'int64', size: 8, npy: '<i8', safetensors: 'I64' },
  { dtype: 'float16', size: 2, npy: '<f2', safetensors: 'F16' },
  { dtype: 'bfloat16', size: 2, npy: '<V2', safetensors: 'BF16' },
  { dtype: 'float32', size: 4, npy: '<f4', safetensors: 'F32' },
  { dtype: 'float64', size: 8, npy: '<f8' },
  { dtype: 'complex64', size: 8, npy: '<c8', safetensors: 'C64' },
];

/** `count` elements of `dtype` as deterministic pseudo-random bytes (bools are 0 or 1; floats finite). */
export function sampleBytes(dtype: mx.DType, count: number, seed = 1): Uint8Array {
  const size = DTYPES.find((d) => d.dtype === dtype)!.size;
  const out = new Uint8Array(count * size);
  let state = seed * 2654435761;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x6d2b79f5) >>> 0;
    out[i] = state >>> 24;
  }
  if (dtype === 'bool') for (let i = 0; i < out.length; i++) out[i] &= 1;
  // Clear the top exponent bit of every float so no byte pattern is a NaN (NaN payloads may not survive).
  const floatParts: Partial<Record<mx.DType, number>> = { float16: 2, bfloat16: 2, float32: 4, float64: 8, complex64: 4 };
  const part = floatParts[dtype];
  if (part) for (let i = part - 1; i < out.length; i += part) out[i] &= 0xbf;
  return out;
}

/** A tensor holding exactly `bytes`. */
export function tensorOf(bytes: Uint8Array, shape: number[], dtype: mx.DType): mx.Tensor {
  return mx.fromBytes(bytes, shape, dtype);
}

/** Runs `body`, expecting an MlxError whose message starts with `op: file` and contains `fragment`. */
export function expectFileError(body: () => unknown, op: string, file: string, fragment: string | RegExp): void {
  let thrown: unknown;
  try {
    body();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'should throw').toBeInstanceOf(mx.MlxError);
  const message = (thrown as Error).message;
  expect(message.startsWith(`${op}: ${file}: `), message).toBe(true);
  if (typeof fragment === 'string') expect(message).toContain(fragment);
  else expect(message).toMatch(fragment);
}
