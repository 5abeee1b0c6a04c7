// How MLX's transforms call back into JS. A transform (vjp, vmap, compile, ...) runs on the JS thread
// with the MLX lock held and calls the user's function with tracer arrays; the function is JS, so the
// call goes through here: tracers become Tensors, the JS result becomes arrays again.
//
// The JS side (packages/core/src/runtime/transforms/) owns the Tensors made for a call and disposes them
// once the transform returns, so no tracer outlives its trace in JS.
#pragma once
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <napi.h>

#include "runtime.h"

namespace mlxts {

using ArrayFunction = std::function<std::vector<mx::array>(const std::vector<mx::array>&)>;

// Counts the transforms running on this thread. While one runs, the thread holds the MLX lock inside an
// MLX call, so an evaluation (served by the eval thread, which needs the lock) would never finish:
// evaluation entry points refuse instead (require_not_tracing).
class TraceScope {
 public:
  TraceScope() { ++depth_; }
  ~TraceScope() { --depth_; }
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;
  static bool active() { return depth_ > 0; }

 private:
  static thread_local int depth_;
};

// Throws (an MlxError in JS) when called while a transform traces a function on this thread.
void require_not_tracing();

// A JS function that MLX keeps beyond the call that made it: custom vjp/jvp/vmap rules and checkpointed
// functions live in graph nodes, which any thread may destroy (the eval thread drops evaluated graphs).
// A Node-API reference may only be deleted on its own JS thread, so one released elsewhere is queued and
// deleted by that thread's next transform call.
class JsFunction {
 public:
  static std::shared_ptr<JsFunction> make(Napi::Function fn);
  ~JsFunction();
  JsFunction(const JsFunction&) = delete;
  JsFunction& operator=(const JsFunction&) = delete;

  // The function, on its own JS thread (throws elsewhere).
  Napi::Function get() const;
  Napi::Env env() const { return Napi::Env(env_); }

  // Deletes references queued by releases on other threads. Call on a JS thread.
  static void delete_queued(Napi::Env env);

  struct Queue;

 private:
  JsFunction(napi_env env, napi_ref ref, std::shared_ptr<Queue> queue);
  napi_env env_;
  napi_ref ref_;
  std::thread::id thread_;
  std::shared_ptr<Queue> queue_;
};

// JS <-> arrays for the calls below. Call with the MLX lock held.
Napi::Array tensors_to_js(Napi::Env env, const std::vector<mx::array>& arrays);
Napi::Array integers_to_js(Napi::Env env, const std::vector<int>& values);
// A JS array of Tensors; `what` names it in the TypeError for anything else.
std::vector<mx::array> arrays_from_js(Napi::Value value, const std::string& what);

// Calls `fn` with `args` inside a handle scope of its own, returning the arrays it gives back.
std::vector<mx::array> call_for_arrays(Napi::Function fn, const std::vector<napi_value>& args, const std::string& what);

// A function over arrays that calls the JS function `fn(inputs: Tensor[]) => Tensor[]`. For use during the
// native call that received `fn` (it holds no reference).
ArrayFunction array_function(Napi::Function fn);
// The same over a JsFunction, for functions MLX keeps.
ArrayFunction array_function(std::shared_ptr<JsFunction> fn);

}  // namespace mlxts
