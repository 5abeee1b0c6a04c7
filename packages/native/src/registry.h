// Registers every generated op wrapper (packages/native/src/generated/registry.cc) on the binding.
#pragma once
#include <napi.h>

namespace mlxts {

void register_generated_ops(Napi::Env env, Napi::Object ops);

}  // namespace mlxts
