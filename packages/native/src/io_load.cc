// The loaders behind mx.load (packages/core/src/io/load.ts), which checks each file before calling them:
//   loadNpy(fd, label, header, dataOffset, stream)         -> Tensor
//   loadSafetensors(fd, label, header, dataOffset, stream) -> { tensors, metadata }
//   loadGguf(path) / loadGgufAsync(path)                   -> { tensors, metadata } / a Promise of it
// `tensors` and `metadata` are lists of [name, value] pairs (in MLX's order): names come from the file,
// and a name such as "__proto__" must not become an object's prototype.
// For .npy and .safetensors, `header` is the header mlxts rewrote from the checked one and `dataOffset`
// where the file's data section starts (see io_reader.h); MLX reads the data when a tensor is evaluated.
// MLX's GGUF loader reads the whole file at once; the async form runs it on a libuv worker thread.
#include <optional>

#include "io.h"
#include "io_reader.h"
#include "wrapper.h"
#include "readback.h"

namespace mlxts {

namespace {

std::vector<char> header_bytes(Napi::Value value) {
  if (!value.IsBuffer()) throw ArgumentTypeError("header must be a Buffer");
  auto buffer = value.As<Napi::Buffer<char>>();
  return std::vector<char>(buffer.Data(), buffer.Data() + buffer.Length());
}

std::shared_ptr<io::CheckedFileReader> checked_reader(const Napi::CallbackInfo& info) {
  int fd = conv::integer(info[0], "fd");
  std::string label = conv::string(info[1], "label");
  std::vector<char> header = header_bytes(info[2]);
  double data_offset = conv::number(info[3], "dataOffset");
  if (data_offset < 0 || data_offset > 9007199254740991.0) throw std::invalid_argument("dataOffset out of range");
  return std::make_shared<io::CheckedFileReader>(fd, std::move(label), std::move(header), static_cast<size_t>(data_offset));
}

Napi::Array pair(Napi::Env env, const std::string& name, Napi::Value value) {
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::String::New(env, name));
  out.Set(1u, value);
  return out;
}

Napi::Array tensors_to_js(Napi::Env env, std::unordered_map<std::string, mx::array>& arrays) {
  Napi::Array out = Napi::Array::New(env, arrays.size());
  uint32_t i = 0;
  for (auto& [name, array] : arrays) out.Set(i++, pair(env, name, Tensor::wrap(env, std::move(array))));
  return out;
}

// A GGUF metadata value: a scalar (MLX gives a 0-d array) as a JS number, bigint or boolean; a numeric
// array as a Tensor; strings and string arrays as they are.
Napi::Value gguf_value_to_js(Napi::Env env, mx::GGUFMetaData& value) {
  if (auto* array = std::get_if<mx::array>(&value)) {
    if (array->ndim() == 0) return to_scalar(env, *array);  // made from data: already available
    return Tensor::wrap(env, std::move(*array));
  }
  if (auto* text = std::get_if<std::string>(&value)) return Napi::String::New(env, *text);
  if (auto* texts = std::get_if<std::vector<std::string>>(&value)) {
    Napi::Array out = Napi::Array::New(env, texts->size());
    for (size_t i = 0; i < texts->size(); ++i) out.Set(i, Napi::String::New(env, (*texts)[i]));
    return out;
  }
  return env.Undefined();
}

// Call with the MLX lock held.
Napi::Object gguf_to_js(Napi::Env env, mx::GGUFLoad& load) {
  Napi::Array metadata = Napi::Array::New(env, load.second.size());
  uint32_t i = 0;
  for (auto& [key, value] : load.second) metadata.Set(i++, pair(env, key, gguf_value_to_js(env, value)));
  Napi::Object out = Napi::Object::New(env);
  out.Set("tensors", tensors_to_js(env, load.first));
  out.Set("metadata", metadata);
  return out;
}

Napi::Value load_npy(const Napi::CallbackInfo& info) {
  return guard_locked(info, "load", [&]() -> Napi::Value {
    conv::check_arity(info, 5);
    auto reader = checked_reader(info);
    return to_js(info.Env(), mx::load(reader, conv::stream(info[4])));
  });
}

Napi::Value load_safetensors(const Napi::CallbackInfo& info) {
  return guard_locked(info, "load", [&]() -> Napi::Value {
    conv::check_arity(info, 5);
    auto reader = checked_reader(info);
    auto [arrays, metadata] = mx::load_safetensors(reader, conv::stream(info[4]));
    Napi::Env env = info.Env();
    Napi::Array meta = Napi::Array::New(env, metadata.size());
    uint32_t i = 0;
    for (const auto& [key, text] : metadata) meta.Set(i++, pair(env, key, Napi::String::New(env, text)));
    Napi::Object out = Napi::Object::New(env);
    out.Set("tensors", tensors_to_js(env, arrays));
    out.Set("metadata", meta);
    return out;
  });
}

// MLX's GGUF loader only creates new arrays from the file's bytes (through MLX's thread-safe allocator):
// it builds no graph node and touches no stream, so it runs without the MLX lock, which lets the JS
// thread keep building graphs (and the eval thread keep evaluating) while a large file is read.
mx::GGUFLoad read_gguf(const std::string& path) { return mx::load_gguf(path); }

Napi::Value load_gguf(const Napi::CallbackInfo& info) {
  return guard(info, "load", [&]() -> Napi::Value {
    conv::check_arity(info, 1);
    // Its arrays share nothing with other graphs, so dropping them (also on an error) needs no lock.
    mx::GGUFLoad load = read_gguf(conv::string(info[0], "path"));
    MlxLock lock(mlx_mutex());
    return gguf_to_js(info.Env(), load);
  });
}

class GgufLoadWorker : public Napi::AsyncWorker {
 public:
  GgufLoadWorker(Napi::Env env, std::string path)
      : Napi::AsyncWorker(env, "mlxts-load-gguf"), deferred_(Napi::Promise::Deferred::New(env)), path_(std::move(path)) {}
  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      load_ = read_gguf(path_);
    } catch (const std::exception& e) {
      SetError(e.what());
    } catch (...) {
      SetError("unknown native error");
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    MlxLock lock(mlx_mutex());
    try {
      deferred_.Resolve(gguf_to_js(env, *load_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    } catch (const std::exception& e) {
      deferred_.Reject(mlx_error(env, "load", e.what()).Value());
    }
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(mlx_error(Env(), "load", error.Message()).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string path_;
  std::optional<mx::GGUFLoad> load_;
};

Napi::Value load_gguf_async(const Napi::CallbackInfo& info) {
  return guard(info, "load", [&]() -> Napi::Value {
    conv::check_arity(info, 1);
    auto* worker = new GgufLoadWorker(info.Env(), conv::string(info[0], "path"));
    Napi::Promise promise = worker->promise();
    worker->Queue();  // the worker deletes itself when done
    return promise;
  });
}

}  // namespace

void register_io_load(Napi::Env env, Napi::Object exports) {
  exports.Set("loadNpy", Napi::Function::New<load_npy>(env, "loadNpy"));
  exports.Set("loadSafetensors", Napi::Function::New<load_safetensors>(env, "loadSafetensors"));
  exports.Set("loadGguf", Napi::Function::New<load_gguf>(env, "loadGguf"));
  exports.Set("loadGgufAsync", Napi::Function::New<load_gguf_async>(env, "loadGgufAsync"));
}

}  // namespace mlxts
