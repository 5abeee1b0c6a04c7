#pragma once
#include <napi.h>

namespace mlxts {

void register_kv_cache(Napi::Env env, Napi::Object exports);

}  // namespace mlxts
