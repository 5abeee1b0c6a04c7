// Types shared by every op signature.
import type { DType, Tensor } from '@mlxts/native';

export type { DType, Tensor };

/** Nested JS arrays of numbers, booleans or bigints. */
export type NestedArray = ReadonlyArray<number | boolean | bigint | NestedArray>;

/**
 * Anything an op accepts where it expects a tensor: a Tensor, or JS data converted like `mx.array`.
 * A JS number beside a tensor is a weak scalar: it takes the tensor's dtype (a non-integral number
 * beside an integer tensor gives float32).
 */
export type ArrayLike =
  | Tensor
  | number
  | boolean
  | bigint
  | NestedArray
  | ArrayBufferView
  | ArrayBuffer;

/** Where an op runs: `'cpu'` or `'gpu'` (the default device when omitted). */
export type StreamLike = 'cpu' | 'gpu';

/** The trailing options object every op takes. */
export interface StreamOptions {
  stream?: StreamLike;
}
