// Reads the safetensors fixtures that the reference scripts record from MLX Python (for instance
// packages/nn/scripts/record-reference.py): the tensors, in the file's order, and the metadata strings.
import * as mx from '@mlxts/core';

export interface Fixture {
  tensors: Map<string, mx.Tensor>;
  metadata: Record<string, string>;
}

/** The tensors and metadata of a `.safetensors` fixture (call it at module level, outside any tidy). */
export function readFixture(path: string): Fixture {
  const [tensors, metadata] = mx.load(path as `${string}.safetensors`, { returnMetadata: true });
  return { tensors: new Map(Object.entries(tensors)), metadata };
}
