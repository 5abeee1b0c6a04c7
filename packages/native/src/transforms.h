// The function transforms (grad, vjp, jvp, vmap, compile, checkpoint, customFunction) as JS functions
// under `native.transforms`.
#pragma once
#include <napi.h>

#include "errors.h"
#include "transforms_bridge.h"

namespace mlxts {

void register_transforms(Napi::Env env, Napi::Object exports);
// The compile entry points (transforms_compile.cc), added to the same object.
void register_compile(Napi::Env env, Napi::Object transforms);

// A JS function argument; a TypeError naming it otherwise.
Napi::Function function_argument(Napi::Value value, const char* name);

// What every transform entry point runs in: the MLX lock held throughout (the traced JS function builds
// graph nodes from inside MLX's call), the trace counter, and the deletion of JS functions released
// on other threads since the last call.
template <class Body>
Napi::Value transform_call(const Napi::CallbackInfo& info, const char* op, Body&& body) {
  return guard_locked(info, op, [&]() -> Napi::Value {
    JsFunction::delete_queued(info.Env());
    TraceScope tracing;
    return body();
  });
}

}  // namespace mlxts
