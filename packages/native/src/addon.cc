// Module entry: the Tensor class, the hand-written runtime functions and the generated op wrappers.
#include <napi.h>

#include "addon_data.h"
#include "convert.h"
#include "devices.h"
#include "distributed.h"
#include "errors.h"
#include "eval.h"
#include "interop.h"
#include "io.h"
#include "kv_cache.h"
#include "qmm/kernel.h"
#include "registry.h"
#include "shared_memory.h"
#include "tensor.h"
#include "transforms.h"

namespace mlxts {

namespace {

// Tensors from a JS array, collected with the MLX lock held.
std::vector<mx::array> tensor_list(Napi::Value value, const char* op) {
  if (!value.IsArray()) throw ArgumentTypeError("expected an array of tensors");
  Napi::Array list = value.As<Napi::Array>();
  std::vector<mx::array> out;
  out.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) {
    std::string name = "argument " + std::to_string(i);
    out.push_back(conv::tensor(list.Get(i), name.c_str()));
  }
  return out;
}

Napi::Value js_array(const Napi::CallbackInfo& info) {
  return guard_locked(info, "array", [&]() -> Napi::Value {
    conv::check_arity(info, 2);
    auto dtype = conv::optional_dtype(info[1], "dtype");
    return Tensor::wrap(info.Env(), conv::array_from(info[0], dtype, "data"));
  });
}

Napi::Value js_eval_sync(const Napi::CallbackInfo& info) {
  return guard(info, "evalSync", [&]() -> Napi::Value {
    std::vector<mx::array> outputs;
    {
      MlxLock lock(mlx_mutex());
      outputs = tensor_list(info[0], "evalSync");
    }
    eval_blocking(info.Env(), "evalSync", std::move(outputs));
    return info.Env().Undefined();
  });
}

Napi::Value js_eval_async(const Napi::CallbackInfo& info) {
  return guard_locked(info, "eval", [&]() -> Napi::Value {
    return eval_async(info.Env(), "eval", tensor_list(info[0], "eval"), nullptr);
  });
}

Napi::Value js_memory(const Napi::CallbackInfo& info) {
  return guard_locked(info, "memory", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("liveTensors", Napi::Number::New(env, static_cast<double>(Tensor::live_count())));
    out.Set("activeBytes", Napi::Number::New(env, static_cast<double>(mx::get_active_memory())));
    out.Set("peakBytes", Napi::Number::New(env, static_cast<double>(mx::get_peak_memory())));
    out.Set("cacheBytes", Napi::Number::New(env, static_cast<double>(mx::get_cache_memory())));
    return out;
  });
}

Napi::Value js_note_exit_code(const Napi::CallbackInfo& info) {
  return guard(info, "noteExitCode", [&]() -> Napi::Value {
    note_exit_code(conv::integer(info[0], "code"));
    return info.Env().Undefined();
  });
}

Napi::Value set_error_class(const Napi::CallbackInfo& info) {
  return guard(info, "setErrorClass", [&]() -> Napi::Value {
    if (!info[0].IsFunction()) throw ArgumentTypeError("expected a class");
    addon_data(info.Env()).mlx_error_class = Napi::Persistent(info[0].As<Napi::Function>());
    return info.Env().Undefined();
  });
}

Napi::Object build_info(Napi::Env env) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("mlxVersion", mx::version());
  out.Set("backend", gpu_stream() ? "gpu" : "cpu");
  out.Set("napiVersion", NAPI_VERSION);
  out.Set("cpuQuantizedMatmul", qmm::best_kernel_name());
  return out;
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  init_process();
  install_exit_guard();
  adopt_current_thread();
  auto* data = new AddonData();
  env.SetInstanceData(data);
  data->eval_channel = open_eval_channel(env);

  Napi::Function tensor_class = Tensor::define_class(env);
  data->tensor_constructor = Napi::Persistent(tensor_class);
  exports.Set("Tensor", tensor_class);
  exports.Set("array", Napi::Function::New<js_array>(env, "array"));
  exports.Set("evalSync", Napi::Function::New<js_eval_sync>(env, "evalSync"));
  exports.Set("evalAsync", Napi::Function::New<js_eval_async>(env, "evalAsync"));
  exports.Set("memory", Napi::Function::New<js_memory>(env, "memory"));
  exports.Set("setErrorClass", Napi::Function::New<set_error_class>(env, "setErrorClass"));
  exports.Set("noteExitCode", Napi::Function::New<js_note_exit_code>(env, "noteExitCode"));
  exports.Set("info", build_info(env));
  register_devices(env, exports);
  register_interop(env, exports);
  register_shared_memory(env, exports);
  register_kv_cache(env, exports);
  register_transforms(env, exports);
  register_io_load(env, exports);
  register_io_save(env, exports);
  register_distributed(env, exports);

  Napi::Object ops = Napi::Object::New(env);
  register_generated_ops(env, ops);
  exports.Set("ops", ops);
  return exports;
}

}  // namespace

}  // namespace mlxts

static Napi::Object init_module(Napi::Env env, Napi::Object exports) { return mlxts::init(env, exports); }

NODE_API_MODULE(mlxts_native, init_module)
