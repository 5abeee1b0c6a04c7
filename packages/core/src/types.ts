// Types shared by every op signature.
import type { Device, DType, Group, Stream, Tensor } from '@mlxts/native';

export type { Device, DType, Group, Stream, Tensor };

/** A complex number, as complex64 elements are written and read back. */
export interface Complex {
  readonly re: number;
  readonly im: number;
}

/** Nested JS arrays of numbers, booleans, bigints or complex numbers (any `{re, im}` makes complex64). */
export type NestedArray = ReadonlyArray<number | boolean | bigint | Complex | NestedArray>;

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
  | Complex
  | NestedArray
  | ArrayBufferView
  | ArrayBuffer;

/** Where an op runs: a device (its shared stream) or a stream from `mx.newStream()`. */
export type StreamLike = Device | Stream;

/** The trailing options object every op takes. Omitted, an op runs on the default device's stream. */
export interface StreamOptions {
  stream?: StreamLike;
  /** Same as `stream: device`. */
  device?: Device;
}

export type { OperandHandler } from './runtime/call.js';
