// Byte-level interop, zero-copy export and raw pointers (shared memory is in shared_memory.h).
#pragma once
#include <memory>

#include <napi.h>

#include "runtime.h"

namespace mlxts {

void register_interop(Napi::Env env, Napi::Object exports);

// Evaluates the tensor argument info[0] on the eval thread: a row-contiguous version of it (for copying
// bytes out), or the array itself (whose layout may be a view). Read the result with the MLX lock held.
std::unique_ptr<HeldArray> evaluated(const Napi::CallbackInfo& info, const char* op, bool contiguous);
std::unique_ptr<HeldArray> evaluated_contiguous(const Napi::CallbackInfo& info, const char* op);

// A tensor of `shape` and `dtype` copied from raw row-major bytes; the byte count must match. Call with
// the MLX lock held.
mx::array from_raw_bytes(const uint8_t* data, size_t bytes, const mx::Shape& shape, mx::Dtype dtype);

}  // namespace mlxts
