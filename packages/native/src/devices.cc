#include "devices.h"

#include <set>

#include "convert.h"
#include "errors.h"
#include "eval.h"

namespace mlxts {

namespace {

// Streams made by newStream(), guarded by the MLX lock. They are thread-unsafe streams (usable from the
// eval thread), like the two shared defaults.
std::set<mx::Stream>& created_streams() {
  static auto* streams = new std::set<mx::Stream>();
  return *streams;
}

size_t byte_count(Napi::Value value, const char* name) {
  double v = conv::number(value, name);
  if (!(v >= 0) || v > 9.007199254740991e15 || v != static_cast<double>(static_cast<uint64_t>(v))) {
    throw ArgumentTypeError(std::string(name) + " must be a non-negative integer number of bytes");
  }
  return static_cast<size_t>(v);
}

Napi::Value js_default_device(const Napi::CallbackInfo& info) {
  return guard_locked(info, "defaultDevice",
                      [&]() -> Napi::Value { return Napi::String::New(info.Env(), device_name(mx::default_device())); });
}

Napi::Value js_set_default_device(const Napi::CallbackInfo& info) {
  return guard_locked(info, "setDefaultDevice", [&]() -> Napi::Value {
    mx::Device device = device_from(info[0], "device");
    if (!mx::is_available(device)) throw std::invalid_argument(std::string("device '") + device_name(device) + "' is not available");
    mx::set_default_device(device);
    return info.Env().Undefined();
  });
}

Napi::Value js_is_available(const Napi::CallbackInfo& info) {
  return guard_locked(info, "isAvailable", [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), mx::is_available(device_from(info[0], "device")));
  });
}

Napi::Value js_new_stream(const Napi::CallbackInfo& info) {
  return guard_locked(info, "newStream", [&]() -> Napi::Value {
    mx::Device device = device_from(info[0], "device");
    if (!mx::is_available(device)) throw std::invalid_argument(std::string("device '") + device_name(device) + "' is not available");
    mx::Stream stream = mx::new_thread_unsafe_stream(device);
    created_streams().insert(stream);
    return stream_to_js(info.Env(), stream);
  });
}

Napi::Value js_default_stream(const Napi::CallbackInfo& info) {
  return guard_locked(info, "defaultStream", [&]() -> Napi::Value {
    mx::Device device = device_from(info[0], "device");
    if (device == mx::Device::cpu) return stream_to_js(info.Env(), cpu_stream());
    if (auto gpu = gpu_stream()) return stream_to_js(info.Env(), *gpu);
    throw std::invalid_argument("device 'gpu' is not available");
  });
}

Napi::Value js_synchronize(const Napi::CallbackInfo& info) {
  return guard_locked(info, "synchronize", [&]() -> Napi::Value {
    std::vector<mx::Stream> streams;
    if (conv::is_absent(info[0])) {
      streams.push_back(cpu_stream());
      if (auto gpu = gpu_stream()) streams.push_back(*gpu);
      for (const auto& s : created_streams()) streams.push_back(s);
    } else {
      streams.push_back(conv::stream_object(info[0]));
    }
    return eval_async(info.Env(), "synchronize", {}, nullptr, std::move(streams));
  });
}

Napi::Value js_clear_cache(const Napi::CallbackInfo& info) {
  return guard_locked(info, "clearCache", [&]() -> Napi::Value {
    mx::clear_cache();
    return info.Env().Undefined();
  });
}

Napi::Value js_set_cache_limit(const Napi::CallbackInfo& info) {
  return guard_locked(info, "setCacheLimit", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(mx::set_cache_limit(byte_count(info[0], "bytes"))));
  });
}

Napi::Value js_set_memory_limit(const Napi::CallbackInfo& info) {
  return guard_locked(info, "setMemoryLimit", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(mlxts::set_memory_limit(byte_count(info[0], "bytes"))));
  });
}

Napi::Value js_memory_limit(const Napi::CallbackInfo& info) {
  return guard_locked(info, "memoryLimit", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(mlxts::memory_limit()));
  });
}

Napi::Value js_reset_peak_memory(const Napi::CallbackInfo& info) {
  return guard_locked(info, "resetPeakMemory", [&]() -> Napi::Value {
    mx::reset_peak_memory();
    return info.Env().Undefined();
  });
}

}  // namespace

mx::Device device_from(Napi::Value value, const char* name) {
  if (value.IsString()) {
    std::string text = value.As<Napi::String>().Utf8Value();
    if (text == "cpu") return mx::Device::cpu;
    if (text == "gpu") return mx::Device::gpu;
  }
  throw ArgumentTypeError(std::string(name) + " must be 'cpu' or 'gpu'");
}

const char* device_name(const mx::Device& device) { return device == mx::Device::cpu ? "cpu" : "gpu"; }

Napi::Object stream_to_js(Napi::Env env, const mx::Stream& stream) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("device", device_name(stream.device));
  out.Set("index", stream.index);
  out.Freeze();
  return out;
}

bool is_known_stream(const mx::Stream& stream) {
  if (stream == cpu_stream()) return true;
  if (auto gpu = gpu_stream(); gpu && stream == *gpu) return true;
  return created_streams().count(stream) != 0;
}

void register_devices(Napi::Env env, Napi::Object exports) {
  exports.Set("defaultDevice", Napi::Function::New<js_default_device>(env, "defaultDevice"));
  exports.Set("setDefaultDevice", Napi::Function::New<js_set_default_device>(env, "setDefaultDevice"));
  exports.Set("isAvailable", Napi::Function::New<js_is_available>(env, "isAvailable"));
  exports.Set("newStream", Napi::Function::New<js_new_stream>(env, "newStream"));
  exports.Set("defaultStream", Napi::Function::New<js_default_stream>(env, "defaultStream"));
  exports.Set("synchronize", Napi::Function::New<js_synchronize>(env, "synchronize"));
  exports.Set("clearCache", Napi::Function::New<js_clear_cache>(env, "clearCache"));
  exports.Set("setCacheLimit", Napi::Function::New<js_set_cache_limit>(env, "setCacheLimit"));
  exports.Set("setMemoryLimit", Napi::Function::New<js_set_memory_limit>(env, "setMemoryLimit"));
  exports.Set("memoryLimit", Napi::Function::New<js_memory_limit>(env, "memoryLimit"));
  exports.Set("resetPeakMemory", Napi::Function::New<js_reset_peak_memory>(env, "resetPeakMemory"));
}

}  // namespace mlxts
