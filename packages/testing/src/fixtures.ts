// Reads the safetensors fixtures that the reference scripts record from MLX Python (for instance
// packages/nn/scripts/record-reference.py). A safetensors file is an 8-byte little-endian header length,
// a JSON header (name -> dtype, shape, byte offsets, plus a "__metadata__" map of strings) and the raw
// little-endian data, which becomes tensors with mx.fromBytes.
import { readFileSync } from 'node:fs';
import * as mx from '@mlxts/core';

const DTYPES: Record<string, mx.DType> = {
  BOOL: 'bool',
  U8: 'uint8',
  U16: 'uint16',
  U32: 'uint32',
  U64: 'uint64',
  I8: 'int8',
  I16: 'int16',
  I32: 'int32',
  I64: 'int64',
  F16: 'float16',
  BF16: 'bfloat16',
  F32: 'float32',
  F64: 'float64',
};

export interface Fixture {
  tensors: Map<string, mx.Tensor>;
  metadata: Record<string, string>;
}

/** The tensors (created outside any tidy scope's reach: call it at module level) and metadata of a file. */
export function readSafetensorsFixture(path: string): Fixture {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  const data = bytes.subarray(8 + headerLength);
  const tensors = new Map<string, mx.Tensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: [begin, end] } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const copy = new Uint8Array(data.subarray(begin, end));
    tensors.set(name, mx.fromBytes(copy, shape, DTYPES[dtype] ?? unknownDtype(dtype)));
  }
  return { tensors, metadata };
}

function unknownDtype(dtype: string): never {
  throw new Error(`readSafetensorsFixture: unsupported dtype ${dtype}`);
}
