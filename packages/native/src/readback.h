// Copying evaluated arrays out to JS values.
#pragma once
#include <napi.h>

#include "runtime.h"

namespace mlxts {

// The array to evaluate before reading `array` back: a row-contiguous version of it (a no-op copy when
// it already is). Call with the MLX lock held.
mx::array readable(const mx::array& array);

// Refuses a JS copy of `bytes` that would take MLX's active memory plus the copy past MLX's memory
// limit: V8 ends the process when it cannot allocate an ArrayBuffer's memory, so the copy must be
// refused before it is attempted.
void require_copy_fits(size_t bytes);

// A TypedArray holding a copy of an evaluated, row-contiguous array (ARCHITECTURE §6 mapping:
// bool -> Uint8Array, float16/bfloat16 -> Uint16Array bits, complex64 -> interleaved Float32Array,
// 64-bit integers -> BigInt64Array/BigUint64Array). Call with the MLX lock held.
Napi::Value to_typed_array(Napi::Env env, const mx::array& evaluated);

// The single element of an evaluated, row-contiguous array as a JS number, boolean, bigint or, for
// complex64, { re, im }. Call with the MLX lock held.
Napi::Value to_scalar(Napi::Env env, const mx::array& evaluated);

}  // namespace mlxts
