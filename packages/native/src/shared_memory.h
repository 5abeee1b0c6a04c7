// Tensors in POSIX shared memory, for another process to claim (see shared_memory.cc).
#pragma once
#include <napi.h>

namespace mlxts {

void register_shared_memory(Napi::Env env, Napi::Object exports);

}  // namespace mlxts
