// Byte-level interop, zero-copy export, raw pointers and shared-memory IPC.
#pragma once
#include <napi.h>

namespace mlxts {

void register_interop(Napi::Env env, Napi::Object exports);

}  // namespace mlxts
