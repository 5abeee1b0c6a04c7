// The writers behind mx.save, mx.saveSafetensors and mx.saveGguf (schema/core/save*.yaml), and the
// converters of their map arguments.
//
// MLX's writers evaluate their inputs themselves, so each one runs on the eval thread (run_on_eval_thread)
// while the JS thread waits, as evalSync does. MLX writes the path it is given, appending the format's
// extension when the path lacks it; mlxts has it write a temporary file beside the target and renames that
// into place, so a failed save leaves no partial file, no reader sees a half-written one, and tensors
// still loading lazily from a file being replaced keep reading the old one.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "eval.h"
#include "io.h"
#include "wrapper.h"

namespace mlxts {

namespace io {

namespace {

// A plain JS object ({...}, or one made with Object.create(null)) used as a string-keyed map: not an
// array, Map, Tensor, Promise or other class instance, whose entries would not be what they seem.
Napi::Object map_object(Napi::Value value, const std::string& name, const char* what) {
  bool plain = false;
  if (value.IsObject() && !value.IsArray() && !value.IsFunction()) {
    Napi::Env env = value.Env();
    napi_value prototype = nullptr;
    if (napi_get_prototype(env, value, &prototype) == napi_ok) {
      Napi::Value object_prototype = env.Global().Get("Object").As<Napi::Object>().Get("prototype");
      Napi::Value proto(env, prototype);
      plain = proto.IsNull() || proto.StrictEquals(object_prototype);
    }
  }
  if (!plain) throw ArgumentTypeError(name + " must be a plain object of " + what);
  return value.As<Napi::Object>();
}

template <class Each>
void for_each_entry(Napi::Object object, Each&& each) {
  Napi::Array keys = object.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
    each(key, object.Get(key));
  }
}

std::string entry_name(const char* name, const std::string& key) { return std::string(name) + "['" + key + "']"; }

}  // namespace

std::unordered_map<std::string, mx::array> tensor_map(Napi::Value value, const char* name) {
  std::unordered_map<std::string, mx::array> out;
  for_each_entry(map_object(value, name, "tensors, such as { weight: w }"), [&](const std::string& key, Napi::Value v) {
    std::string role = entry_name(name, key);
    if (Tensor::from(v) == nullptr) throw ArgumentTypeError(role + " must be a Tensor");
    out.emplace(key, conv::tensor(v, role.c_str()));
  });
  return out;
}

std::unordered_map<std::string, std::string> string_map(Napi::Value value, const char* name) {
  std::unordered_map<std::string, std::string> out;
  if (conv::is_absent(value)) return out;
  for_each_entry(map_object(value, name, "strings"), [&](const std::string& key, Napi::Value v) {
    if (!v.IsString()) throw ArgumentTypeError(entry_name(name, key) + " must be a string");
    out.emplace(key, v.As<Napi::String>().Utf8Value());
  });
  return out;
}

std::unordered_map<std::string, mx::GGUFMetaData> gguf_metadata(Napi::Value value, const char* name) {
  std::unordered_map<std::string, mx::GGUFMetaData> out;
  if (conv::is_absent(value)) return out;
  auto values = "strings, string arrays, numbers, bigints, booleans or tensors";
  for_each_entry(map_object(value, name, values), [&](const std::string& key, Napi::Value v) {
    std::string role = entry_name(name, key);
    if (v.IsString()) {
      out.emplace(key, v.As<Napi::String>().Utf8Value());
    } else if (v.IsArray()) {
      Napi::Array list = v.As<Napi::Array>();
      std::vector<std::string> texts;
      for (uint32_t i = 0; i < list.Length(); ++i) {
        Napi::Value item = list.Get(i);
        if (!item.IsString()) throw ArgumentTypeError(role + " must hold strings only (a numeric array is a Tensor)");
        texts.push_back(item.As<Napi::String>().Utf8Value());
      }
      out.emplace(key, std::move(texts));
    } else if (v.IsNumber() || v.IsBoolean() || v.IsBigInt() || Tensor::from(v) != nullptr) {
      // A JS number is float32, a bigint int64, a boolean bool, as in mx.array; a tensor picks the type.
      out.emplace(key, conv::array_from(v, std::nullopt, role.c_str()));
    } else {
      throw ArgumentTypeError(role + " must be one of: " + values);
    }
  });
  return out;
}

}  // namespace io

namespace {

// A value holding arrays, released with the MLX lock held (also when an exception unwinds past it).
template <class T>
class Held {
 public:
  explicit Held(T value) : value_(std::move(value)) {}
  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;
  ~Held() {
    MlxLock lock(mlx_mutex());
    value_.reset();
  }
  T& get() { return *value_; }

 private:
  std::optional<T> value_;
};

// Reads the arguments with the MLX lock held.
template <class Read>
auto read_locked(Read&& read) {
  MlxLock lock(mlx_mutex());
  drain_released_arrays();
  return Held(read());
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Runs `write` (an MLX writer) on the eval thread into a temporary file, then renames it to `file`.
// Call WITHOUT the MLX lock.
void write_file(Napi::Env env, const char* op, std::string file, const std::string& extension,
                const std::function<void(const std::string&)>& write) {
  static std::atomic<unsigned> counter{0};
  if (!ends_with(file, extension)) file += extension;
  std::string temp = file + ".partial-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + extension;
  int fd = ::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) throw std::runtime_error("cannot write " + file + ": " + std::strerror(errno));
  ::close(fd);
  try {
    run_on_eval_thread(env, op, [&] { write(temp); });
    if (std::rename(temp.c_str(), file.c_str()) != 0) {
      throw std::runtime_error("cannot replace " + file + ": " + std::strerror(errno));
    }
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
}

Napi::Value save_npy(const Napi::CallbackInfo& info) {
  return guard(info, "save", [&]() -> Napi::Value {
    conv::check_arity(info, 2);
    std::string file = conv::string(info[0], "file");
    auto arr = read_locked([&] { return conv::array_from(info[1], std::nullopt, "arr"); });
    write_file(info.Env(), "save", file, ".npy", [&](const std::string& path) { mx::save(path, arr.get()); });
    return info.Env().Undefined();
  });
}

Napi::Value save_safetensors(const Napi::CallbackInfo& info) {
  return guard(info, "saveSafetensors", [&]() -> Napi::Value {
    conv::check_arity(info, 3);
    std::string file = conv::string(info[0], "file");
    auto arrays = read_locked([&] { return io::tensor_map(info[1], "arrays"); });
    auto metadata = io::string_map(info[2], "metadata");
    if (arrays.get().count("__metadata__")) {
      throw std::invalid_argument("the name '__metadata__' is reserved for the file's metadata");
    }
    write_file(info.Env(), "saveSafetensors", file, ".safetensors",
               [&](const std::string& path) { mx::save_safetensors(path, arrays.get(), metadata); });
    return info.Env().Undefined();
  });
}

Napi::Value save_gguf(const Napi::CallbackInfo& info) {
  return guard(info, "saveGguf", [&]() -> Napi::Value {
    conv::check_arity(info, 3);
    std::string file = conv::string(info[0], "file");
    auto arrays = read_locked([&] { return io::tensor_map(info[1], "arrays"); });
    auto metadata = read_locked([&] { return io::gguf_metadata(info[2], "metadata"); });
    write_file(info.Env(), "saveGguf", file, ".gguf",
               [&](const std::string& path) { mx::save_gguf(path, arrays.get(), metadata.get()); });
    return info.Env().Undefined();
  });
}

}  // namespace

void register_io_save(Napi::Env env, Napi::Object exports) {
  exports.Set("save", Napi::Function::New<save_npy>(env, "save"));
  exports.Set("saveSafetensors", Napi::Function::New<save_safetensors>(env, "saveSafetensors"));
  exports.Set("saveGguf", Napi::Function::New<save_gguf>(env, "saveGguf"));
}

}  // namespace mlxts
