#include "readback.h"

#include <cstring>

#include "dtype.h"
#include "errors.h"

namespace mlxts {

mx::array readable(const mx::array& array) { return mx::contiguous(array); }

namespace {

napi_typedarray_type typed_array_type(mx::Dtype dtype) {
  switch (dtype.val()) {
    case mx::Dtype::Val::bool_:
    case mx::Dtype::Val::uint8: return napi_uint8_array;
    case mx::Dtype::Val::int8: return napi_int8_array;
    case mx::Dtype::Val::uint16:
    case mx::Dtype::Val::float16:
    case mx::Dtype::Val::bfloat16: return napi_uint16_array;
    case mx::Dtype::Val::int16: return napi_int16_array;
    case mx::Dtype::Val::uint32: return napi_uint32_array;
    case mx::Dtype::Val::int32: return napi_int32_array;
    case mx::Dtype::Val::uint64: return napi_biguint64_array;
    case mx::Dtype::Val::int64: return napi_bigint64_array;
    case mx::Dtype::Val::float32:
    case mx::Dtype::Val::complex64: return napi_float32_array;
    case mx::Dtype::Val::float64: return napi_float64_array;
  }
  throw std::invalid_argument("unsupported dtype");
}

size_t element_bytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;
  }
}

}  // namespace

void require_copy_fits(size_t bytes) {
  long double total = static_cast<long double>(mx::get_active_memory()) + bytes;
  require_fits_in_memory(total, "a JS copy of " + std::to_string(bytes) + " bytes beside MLX's active memory");
}

Napi::Value to_typed_array(Napi::Env env, const mx::array& evaluated) {
  napi_typedarray_type type = typed_array_type(evaluated.dtype());
  size_t bytes = evaluated.nbytes();
  require_copy_fits(bytes);
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, bytes);
  if (bytes > 0) std::memcpy(buffer.Data(), evaluated.data<uint8_t>(), bytes);
  napi_value out;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, bytes / element_bytes(type), buffer, 0, &out),
                       Napi::Value());
  return Napi::Value(env, out);
}

Napi::Value to_scalar(Napi::Env env, const mx::array& a) {
  switch (a.dtype().val()) {
    case mx::Dtype::Val::bool_: return Napi::Boolean::New(env, *a.data<bool>());
    case mx::Dtype::Val::uint8: return Napi::Number::New(env, *a.data<uint8_t>());
    case mx::Dtype::Val::uint16: return Napi::Number::New(env, *a.data<uint16_t>());
    case mx::Dtype::Val::uint32: return Napi::Number::New(env, *a.data<uint32_t>());
    case mx::Dtype::Val::uint64: return Napi::BigInt::New(env, *a.data<uint64_t>());
    case mx::Dtype::Val::int8: return Napi::Number::New(env, *a.data<int8_t>());
    case mx::Dtype::Val::int16: return Napi::Number::New(env, *a.data<int16_t>());
    case mx::Dtype::Val::int32: return Napi::Number::New(env, *a.data<int32_t>());
    case mx::Dtype::Val::int64: return Napi::BigInt::New(env, *a.data<int64_t>());
    case mx::Dtype::Val::float16: return Napi::Number::New(env, static_cast<float>(*a.data<mx::float16_t>()));
    case mx::Dtype::Val::bfloat16: return Napi::Number::New(env, static_cast<float>(*a.data<mx::bfloat16_t>()));
    case mx::Dtype::Val::float32: return Napi::Number::New(env, *a.data<float>());
    case mx::Dtype::Val::float64: return Napi::Number::New(env, *a.data<double>());
    case mx::Dtype::Val::complex64: {
      mx::complex64_t value = *a.data<mx::complex64_t>();
      Napi::Object out = Napi::Object::New(env);
      out.Set("re", Napi::Number::New(env, value.real()));
      out.Set("im", Napi::Number::New(env, value.imag()));
      return out;
    }
  }
  throw std::invalid_argument("unsupported dtype");
}

}  // namespace mlxts
