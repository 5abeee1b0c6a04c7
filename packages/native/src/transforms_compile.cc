// mx.compile's native side. A compiled JS function owns one CompiledFunction (through a JS External);
// its address is the key of MLX's compile cache, and MLX's cache entries for it (one per input
// signature) are erased when the External is garbage-collected.
#include <mlx/compile_impl.h>

#include "convert.h"
#include "transforms.h"

namespace mlxts {

namespace {

struct CompiledFunction {
  bool shapeless;
  // The compile cache of the thread that calls the function (MLX keeps one per thread).
  mx::detail::CompileCacheWeakPtr cache;
  std::uintptr_t id() const { return reinterpret_cast<std::uintptr_t>(this); }
};

// compiled(shapeless) -> handle
Napi::Value js_compiled(const Napi::CallbackInfo& info) {
  return guard(info, "compile", [&]() -> Napi::Value {
    bool shapeless = conv::boolean_or(info[0], "shapeless", false);
    return Napi::External<CompiledFunction>::New(info.Env(), new CompiledFunction{shapeless, {}},
                                                 [](Napi::Env, CompiledFunction* compiled) {
                                                   // The memory stays allocated until the entries are
                                                   // erased, so its address (the key) is not reused before.
                                                   release_later([compiled] {
                                                     mx::detail::compile_erase(compiled->cache, compiled->id());
                                                     delete compiled;
                                                   });
                                                 });
  });
}

// callCompiled(op, handle, fn, inputs, signature) -> outputs. `signature` identifies everything about the
// call that is not an input array (tree structure, constants): calls with a new signature, or inputs of
// new shapes or dtypes, trace fn again.
Napi::Value js_call_compiled(const Napi::CallbackInfo& info) {
  std::string op = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string("compile");
  return transform_call(info, op.c_str(), [&]() -> Napi::Value {
    if (!info[1].IsExternal()) throw ArgumentTypeError("handle must come from compiled()");
    auto* compiled = info[1].As<Napi::External<CompiledFunction>>().Data();
    auto fn = function_argument(info[2], "fn");
    auto inputs = arrays_from_js(info[3], "inputs");
    int signature = conv::integer(info[4], "signature");
    compiled->cache = mx::detail::compile_cache();
    auto run = mx::detail::compile(array_function(fn), compiled->id(), compiled->shapeless,
                                   {static_cast<uint64_t>(signature)});
    return tensors_to_js(info.Env(), run(inputs));
  });
}

}  // namespace

void register_compile(Napi::Env env, Napi::Object transforms) {
  // MLX keeps a compile cache per thread and frees it when the thread exits, without the MLX lock. A
  // worker's cache is emptied under the lock when its environment shuts down instead.
  env.AddCleanupHook([] {
    MlxLock lock(mlx_mutex());
    mx::detail::compile_clear_cache(mx::detail::compile_cache());
  });
  transforms.Set("compiled", Napi::Function::New<js_compiled>(env, "compiled"));
  transforms.Set("callCompiled", Napi::Function::New<js_call_compiled>(env, "callCompiled"));
}

}  // namespace mlxts
