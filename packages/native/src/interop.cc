#include "interop.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "convert.h"
#include "dtype.h"
#include "errors.h"
#include "eval.h"
#include "readback.h"
#include "tensor.h"

namespace mlxts {

namespace {

// Evaluates the tensor argument on the eval thread: a row-contiguous version of it (for copying bytes
// out), or the array itself (whose layout may be a view). Read the result with the MLX lock held.
std::unique_ptr<HeldArray> evaluated(const Napi::CallbackInfo& info, const char* op, bool contiguous) {
  std::unique_ptr<HeldArray> out;
  std::vector<mx::array> outputs;
  {
    MlxLock lock(mlx_mutex());
    const mx::array& a = conv::tensor(info[0], "tensor");
    out = std::make_unique<HeldArray>(contiguous ? readable(a) : a);
    outputs.push_back(out->get());
  }
  eval_blocking(info.Env(), op, std::move(outputs));
  return out;
}

std::unique_ptr<HeldArray> evaluated_contiguous(const Napi::CallbackInfo& info, const char* op) {
  return evaluated(info, op, true);
}

Napi::Array strides_to_js(Napi::Env env, const mx::array& a) {
  Napi::Array out = Napi::Array::New(env, a.ndim());
  for (size_t i = 0; i < a.ndim(); ++i) out.Set(i, Napi::Number::New(env, static_cast<double>(a.strides()[i])));
  return out;
}

mx::array from_raw_bytes(const uint8_t* data, size_t bytes, const mx::Shape& shape, mx::Dtype dtype) {
  size_t count = 1;
  for (int d : shape) count *= static_cast<size_t>(d);
  if (count * dtype.size() != bytes) {
    throw UsageError(std::to_string(bytes) + " bytes do not hold a " + dtype_name(dtype) + " tensor of " +
                     std::to_string(count) + " elements (" + std::to_string(count * dtype.size()) + " bytes)");
  }
  mx::array raw(data, mx::Shape{static_cast<int>(bytes)}, mx::uint8);
  mx::array typed = dtype == mx::uint8 ? raw : mx::view(raw, dtype);
  return mx::reshape(typed, shape);
}

// Bytes of an ArrayBuffer or any ArrayBufferView (Buffer, TypedArray, DataView).
std::pair<const uint8_t*, size_t> bytes_of(Napi::Value value, const char* name) {
  if (value.IsArrayBuffer()) {
    auto buffer = value.As<Napi::ArrayBuffer>();
    return {static_cast<const uint8_t*>(buffer.Data()), buffer.ByteLength()};
  }
  if (value.IsTypedArray()) {
    auto typed = value.As<Napi::TypedArray>();
    return {static_cast<const uint8_t*>(typed.ArrayBuffer().Data()) + typed.ByteOffset(), typed.ByteLength()};
  }
  if (value.IsDataView()) {
    auto view = value.As<Napi::DataView>();
    return {static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset(), view.ByteLength()};
  }
  throw ArgumentTypeError(std::string(name) + " must be an ArrayBuffer, Buffer or TypedArray");
}

Napi::Value from_bytes(const Napi::CallbackInfo& info) {
  return guard_locked(info, "fromBytes", [&]() -> Napi::Value {
    conv::check_arity(info, 3);
    auto [data, bytes] = bytes_of(info[0], "buffer");
    return Tensor::wrap(info.Env(), from_raw_bytes(data, bytes, conv::shape(info[1], "shape"), conv::dtype(info[2], "dtype")));
  });
}

Napi::Value to_bytes(const Napi::CallbackInfo& info) {
  return guard(info, "toBytes", [&]() -> Napi::Value {
    auto out = evaluated_contiguous(info, "toBytes");
    MlxLock lock(mlx_mutex());
    const mx::array& a = out->get();
    require_copy_fits(a.nbytes());
    Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::Copy(info.Env(), a.data<uint8_t>(), a.nbytes());
    return buffer;
  });
}

// An ArrayBuffer over the evaluated tensor's memory. A heap copy of the array handle keeps the memory
// alive until the ArrayBuffer is collected. Where external buffers are not allowed (some embedders),
// the bytes are copied instead.
Napi::Value to_array_buffer(const Napi::CallbackInfo& info) {
  return guard(info, "toArrayBuffer", [&]() -> Napi::Value {
    auto out = evaluated_contiguous(info, "toArrayBuffer");
    MlxLock lock(mlx_mutex());
    const mx::array& a = out->get();
    if (a.nbytes() == 0) return Napi::ArrayBuffer::New(info.Env(), 0);
    auto* keep = new mx::array(a);
    napi_value result;
    napi_status status = napi_create_external_arraybuffer(
        info.Env(), keep->data<void>(), keep->nbytes(),
        [](napi_env, void*, void* hint) {
          MlxLock release(mlx_mutex());
          delete static_cast<mx::array*>(hint);
        },
        keep, &result);
    if (status == napi_ok) return Napi::Value(info.Env(), result);
    delete keep;
    require_copy_fits(a.nbytes());
    Napi::ArrayBuffer copy = Napi::ArrayBuffer::New(info.Env(), a.nbytes());
    std::memcpy(copy.Data(), a.data<void>(), a.nbytes());
    return copy;
  });
}

// The address of the tensor's own (evaluated) memory, its byte length and element strides.
Napi::Value data_pointer(const Napi::CallbackInfo& info) {
  return guard(info, "dataPointer", [&]() -> Napi::Value {
    auto held = evaluated(info, "dataPointer", false);
    MlxLock lock(mlx_mutex());
    const mx::array& a = held->get();
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("address", Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(a.data<void>()))));
    out.Set("byteLength", Napi::Number::New(info.Env(), static_cast<double>(a.data_size() * a.itemsize())));
    out.Set("strides", strides_to_js(info.Env(), a));
    out.Set("rowContiguous", Napi::Boolean::New(info.Env(), a.flags().row_contiguous));
    return out;
  });
}

std::string shm_error(const std::string& what, int error) { return what + ": " + std::strerror(error); }

std::string new_shm_name() {
  static std::atomic<uint64_t> counter{0};
  static thread_local std::mt19937_64 random(std::random_device{}());
  char name[64];
  std::snprintf(name, sizeof(name), "/mlxts-%d-%llu-%08llx", static_cast<int>(getpid()),
                static_cast<unsigned long long>(counter++), static_cast<unsigned long long>(random() & 0xffffffffULL));
  return name;
}

Napi::Value to_shared_memory(const Napi::CallbackInfo& info) {
  return guard(info, "toSharedMemory", [&]() -> Napi::Value {
    int permissions = conv::integer_or(info[1], "permissions", 0600);
    if (permissions < 0 || permissions > 0777) throw UsageError("permissions must be a file mode such as 0o600");
    auto out = evaluated_contiguous(info, "toSharedMemory");
    MlxLock lock(mlx_mutex());
    const mx::array& a = out->get();
    std::string name = new_shm_name();
    int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, static_cast<mode_t>(permissions));
    if (fd < 0) throw UsageError(shm_error("shm_open(" + name + ")", errno));
    size_t bytes = a.nbytes();
    bool ok = ftruncate(fd, static_cast<off_t>(bytes)) == 0;
    int error = errno;
    if (ok && bytes > 0) {
      void* map = mmap(nullptr, bytes, PROT_WRITE, MAP_SHARED, fd, 0);
      ok = map != MAP_FAILED;
      error = errno;
      if (ok) {
        std::memcpy(map, a.data<void>(), bytes);
        munmap(map, bytes);
      }
    }
    close(fd);
    if (!ok) {
      shm_unlink(name.c_str());
      throw UsageError(shm_error("writing shared memory " + name, error));
    }
    Napi::Env env = info.Env();
    Napi::Object handle = Napi::Object::New(env);
    handle.Set("name", name);
    handle.Set("byteLength", Napi::Number::New(env, static_cast<double>(bytes)));
    Napi::Array shape = Napi::Array::New(env, a.ndim());
    for (size_t i = 0; i < a.ndim(); ++i) shape.Set(i, Napi::Number::New(env, a.shape(static_cast<int>(i))));
    handle.Set("shape", shape);
    handle.Set("dtype", dtype_name(a.dtype()));
    return handle;
  });
}

struct Handle {
  std::string name;
  size_t byte_length;
  mx::Shape shape;
  mx::Dtype dtype;
};

Handle read_handle(Napi::Value value) {
  if (!value.IsObject()) throw ArgumentTypeError("handle must be an object from tensor.toSharedMemory()");
  Napi::Object object = value.As<Napi::Object>();
  Napi::Value name = object.Get("name");
  if (!name.IsString() || name.As<Napi::String>().Utf8Value().rfind('/', 0) != 0) {
    throw ArgumentTypeError("handle.name must be a shared memory name starting with '/'");
  }
  double bytes = conv::number(object.Get("byteLength"), "handle.byteLength");
  if (!(bytes >= 0) || bytes != static_cast<double>(static_cast<size_t>(bytes))) {
    throw ArgumentTypeError("handle.byteLength must be a non-negative integer");
  }
  return {name.As<Napi::String>().Utf8Value(), static_cast<size_t>(bytes), conv::shape(object.Get("shape"), "handle.shape"),
          conv::dtype(object.Get("dtype"), "handle.dtype")};
}

Napi::Value from_shared_memory(const Napi::CallbackInfo& info) {
  return guard_locked(info, "fromSharedMemory", [&]() -> Napi::Value {
    Handle handle = read_handle(info[0]);
    size_t expected = handle.dtype.size();
    for (int d : handle.shape) expected *= static_cast<size_t>(d);
    if (expected != handle.byte_length) {
      throw UsageError("handle.byteLength " + std::to_string(handle.byte_length) + " does not match shape and dtype (" +
                       std::to_string(expected) + " bytes)");
    }
    int fd = shm_open(handle.name.c_str(), O_RDONLY, 0);
    if (fd < 0) {
      throw UsageError(errno == ENOENT ? "no shared memory named " + handle.name + " (already claimed or unlinked?)"
                                       : shm_error("shm_open(" + handle.name + ")", errno));
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) != handle.byte_length) {
      close(fd);
      throw UsageError("shared memory " + handle.name + " holds " + std::to_string(st.st_size) + " bytes, the handle says " +
                       std::to_string(handle.byte_length));
    }
    std::optional<mx::array> out;
    if (handle.byte_length == 0) {
      out = from_raw_bytes(nullptr, 0, handle.shape, handle.dtype);
    } else {
      void* map = mmap(nullptr, handle.byte_length, PROT_READ, MAP_SHARED, fd, 0);
      int error = errno;
      if (map == MAP_FAILED) {
        close(fd);
        throw UsageError(shm_error("mmap(" + handle.name + ")", error));
      }
      try {
        out = from_raw_bytes(static_cast<const uint8_t*>(map), handle.byte_length, handle.shape, handle.dtype);
      } catch (...) {
        munmap(map, handle.byte_length);
        close(fd);
        throw;
      }
      munmap(map, handle.byte_length);
    }
    close(fd);
    shm_unlink(handle.name.c_str());  // claimed: the name is gone, the data now lives in the tensor
    return Tensor::wrap(info.Env(), std::move(*out));
  });
}

Napi::Value unlink_shared_memory(const Napi::CallbackInfo& info) {
  return guard(info, "unlinkSharedMemory", [&]() -> Napi::Value {
    Handle handle = read_handle(info[0]);
    if (shm_unlink(handle.name.c_str()) == 0) return Napi::Boolean::New(info.Env(), true);
    if (errno == ENOENT) return Napi::Boolean::New(info.Env(), false);
    throw UsageError(shm_error("shm_unlink(" + handle.name + ")", errno));
  });
}

Napi::Value strides(const Napi::CallbackInfo& info) {
  return guard(info, "strides", [&]() -> Napi::Value {
    auto held = evaluated(info, "strides", false);
    MlxLock lock(mlx_mutex());
    return strides_to_js(info.Env(), held->get());
  });
}

}  // namespace

void register_interop(Napi::Env env, Napi::Object exports) {
  exports.Set("fromBytes", Napi::Function::New<from_bytes>(env, "fromBytes"));
  exports.Set("toBytes", Napi::Function::New<to_bytes>(env, "toBytes"));
  exports.Set("toArrayBuffer", Napi::Function::New<to_array_buffer>(env, "toArrayBuffer"));
  exports.Set("dataPointer", Napi::Function::New<data_pointer>(env, "dataPointer"));
  exports.Set("strides", Napi::Function::New<strides>(env, "strides"));
  exports.Set("toSharedMemory", Napi::Function::New<to_shared_memory>(env, "toSharedMemory"));
  exports.Set("fromSharedMemory", Napi::Function::New<from_shared_memory>(env, "fromSharedMemory"));
  exports.Set("unlinkSharedMemory", Napi::Function::New<unlink_shared_memory>(env, "unlinkSharedMemory"));
}

}  // namespace mlxts
