#include "interop.h"

#include <cstring>

#include "convert.h"
#include "dtype.h"
#include "errors.h"
#include "eval.h"
#include "readback.h"
#include "tensor.h"

namespace mlxts {

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

mx::array from_raw_bytes(const uint8_t* data, size_t bytes, const mx::Shape& shape, mx::Dtype dtype) {
  size_t count = 1;
  for (int d : shape) count *= static_cast<size_t>(d);
  if (count * dtype.size() != bytes) {
    throw ArgumentRangeError(std::to_string(bytes) + " bytes do not hold a " + dtype_name(dtype) + " tensor of " +
                     std::to_string(count) + " elements (" + std::to_string(count * dtype.size()) + " bytes)");
  }
  mx::array raw(data, mx::Shape{static_cast<int>(bytes)}, mx::uint8);
  mx::array typed = dtype == mx::uint8 ? raw : mx::view(raw, dtype);
  return mx::reshape(typed, shape);
}

namespace {

Napi::Array strides_to_js(Napi::Env env, const mx::array& a) {
  Napi::Array out = Napi::Array::New(env, a.ndim());
  for (size_t i = 0; i < a.ndim(); ++i) out.Set(i, Napi::Number::New(env, static_cast<double>(a.strides()[i])));
  return out;
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
}

}  // namespace mlxts
