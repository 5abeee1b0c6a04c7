#include "convert.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "devices.h"
#include "dtype.h"
#include "errors.h"
#include "tensor.h"

namespace mlxts::conv {

namespace {

std::string describe(Napi::Value value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return value.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: {
      std::string text = value.ToString().Utf8Value();
      return text;
    }
    case napi_string: return "the string '" + value.As<Napi::String>().Utf8Value() + "'";
    case napi_bigint: return "a bigint";
    case napi_function: return "a function";
    case napi_object:
      if (value.IsArray()) return "an Array";
      if (value.IsTypedArray()) return "a TypedArray";
      return "an object";
    default: return "a " + std::string("value of an unsupported kind");
  }
}

[[noreturn]] void wrong_type(const char* name, const char* expected, Napi::Value value) {
  throw ArgumentTypeError(std::string(name) + " must be " + expected + ", got " + describe(value));
}

// Nested JS arrays read into a flat buffer plus a shape.
// JS integers given an integer dtype are checked against its range: out of range is a RangeError, as
// NumPy refuses such values, instead of wrapping (2**40 as int32) or keeping a bigint's low 64 bits
// (2n ** 64n as uint64 gave 0). Bigints are read exactly, in 128 bits.
using Wide = __int128;

std::string wide_text(Wide v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string text;
  for (; u > 0; u /= 10) text.insert(text.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
  return negative ? "-" + text : text;
}

// A bigint's exact value; outside [-2^63, 2^64 - 1] (no 64-bit dtype holds it) a RangeError.
Wide bigint_value(Napi::BigInt big, const char* name) {
  bool lossless = false;
  int64_t signed_value = big.Int64Value(&lossless);
  if (lossless) return Wide{signed_value};
  uint64_t unsigned_value = big.Uint64Value(&lossless);
  if (!lossless) throw ArgumentRangeError(std::string(name) + " holds a bigint outside the 64-bit range");
  return Wide{unsigned_value};
}

void check_in_range(Wide v, mx::Dtype dtype, const char* name) {
  int bits = static_cast<int>(dtype.size()) * 8;
  bool is_signed = mx::issubdtype(dtype, mx::signedinteger);
  Wide lo = is_signed ? -(Wide{1} << (bits - 1)) : Wide{0};
  Wide hi = is_signed ? (Wide{1} << (bits - 1)) - 1 : (Wide{1} << bits) - 1;
  if (v < lo || v > hi) {
    throw ArgumentRangeError(std::string(name) + " holds " + wide_text(v) + ", outside the range of " + dtype_name(dtype) +
                             " [" + wide_text(lo) + ", " + wide_text(hi) + "]");
  }
}

// A JS number as an element of an integer dtype: truncated toward zero (as NumPy converts 1.5), and
// refused when not finite or out of the dtype's range.
Wide integer_of(double v, mx::Dtype dtype, const char* name) {
  if (!std::isfinite(v)) {
    throw ArgumentRangeError(std::string(name) + " holds " + (std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") +
                             ", which " + dtype_name(dtype) + " cannot hold");
  }
  double t = std::trunc(v);
  if (std::fabs(t) >= 0x1p100) {
    throw ArgumentRangeError(std::string(name) + " holds " + std::to_string(v) + ", outside the range of " + dtype_name(dtype));
  }
  Wide w = static_cast<Wide>(t);
  check_in_range(w, dtype, name);
  return w;
}

// An integer-dtype scalar or buffer element from its checked value.
template <class It>
mx::array integer_array(It begin, It end, mx::Shape shape, mx::Dtype dtype) {
  if (dtype == mx::uint64) {
    std::vector<uint64_t> values(begin, end);
    return mx::array(values.begin(), std::move(shape), dtype);
  }
  std::vector<int64_t> values(begin, end);
  return mx::array(values.begin(), std::move(shape), dtype);
}

struct Nested {
  std::vector<int> shape;
  std::vector<double> numbers;
  std::vector<Wide> bigints;        // exact values of the bigint elements; 0 for the others
  std::vector<bool> is_bigint;
  std::vector<float> imags;  // imaginary parts; 0 for real elements
  bool any_number = false;
  bool any_complex = false;
  bool any_bool = false;
  bool any_bigint = false;
  bool any_above_int64 = false;  // a bigint in (int64 max, uint64 max]: the natural dtype is uint64
};

// A complex number written as {re, im} (how complex64 elements read back); nullopt for anything else.
std::optional<std::pair<double, double>> complex_parts(Napi::Value value) {
  if (!value.IsObject() || value.IsArray() || value.IsTypedArray() || value.IsArrayBuffer() || value.IsFunction()) {
    return std::nullopt;
  }
  Napi::Object object = value.As<Napi::Object>();
  Napi::Value re = object.Get("re");
  Napi::Value im = object.Get("im");
  if (!re.IsNumber() || !im.IsNumber()) return std::nullopt;
  return std::make_pair(re.As<Napi::Number>().DoubleValue(), im.As<Napi::Number>().DoubleValue());
}

// complex64 elements built from real and imaginary parts, cast to `dtype` when one is asked for.
mx::array complex_array(const std::vector<double>& re, const std::vector<float>& im, mx::Shape shape,
                        std::optional<mx::Dtype> dtype, const char* name) {
  if (dtype && *dtype != mx::complex64) {
    throw ArgumentTypeError(std::string(name) + " holds complex numbers ({re, im}); they need dtype complex64");
  }
  std::vector<mx::complex64_t> values(re.size());
  for (size_t i = 0; i < re.size(); ++i) values[i] = mx::complex64_t(static_cast<float>(re[i]), im[i]);
  return mx::array(values.begin(), std::move(shape), mx::complex64);
}

void read_nested(Napi::Value value, size_t depth, Nested& out, const char* name) {
  if (value.IsArray()) {
    Napi::Array list = value.As<Napi::Array>();
    uint32_t length = list.Length();
    if (depth >= out.shape.size() || static_cast<uint32_t>(out.shape[depth]) != length) {
      throw ArgumentTypeError(std::string(name) + " is a ragged nested array: every list at depth " + std::to_string(depth) +
                       " must have the same length");
    }
    for (uint32_t i = 0; i < length; ++i) read_nested(list.Get(i), depth + 1, out, name);
    return;
  }
  if (depth != out.shape.size()) {
    throw ArgumentTypeError(std::string(name) + " is a ragged nested array: a value stands where a list was expected");
  }
  out.imags.push_back(0);
  std::optional<std::pair<double, double>> complex = complex_parts(value);
  if (complex) {
    out.any_complex = true;
    out.numbers.push_back(complex->first);
    out.imags.back() = static_cast<float>(complex->second);
    out.bigints.push_back(0);
    out.is_bigint.push_back(false);
  } else if (value.IsNumber()) {
    out.any_number = true;
    out.numbers.push_back(value.As<Napi::Number>().DoubleValue());
    out.bigints.push_back(0);
    out.is_bigint.push_back(false);
  } else if (value.IsBoolean()) {
    out.any_bool = true;
    bool b = value.As<Napi::Boolean>().Value();
    out.numbers.push_back(b ? 1.0 : 0.0);
    out.bigints.push_back(b ? 1 : 0);
    out.is_bigint.push_back(false);
  } else if (value.IsBigInt()) {
    out.any_bigint = true;
    Wide v = bigint_value(value.As<Napi::BigInt>(), name);
    out.any_above_int64 = out.any_above_int64 || v > std::numeric_limits<int64_t>::max();
    out.numbers.push_back(static_cast<double>(v));
    out.bigints.push_back(v);
    out.is_bigint.push_back(true);
  } else {
    wrong_type(name, "numbers, booleans, bigints or {re, im} objects in nested arrays", value);
  }
}

mx::Shape shape_of(const std::vector<int>& dims) { return mx::Shape(dims.begin(), dims.end()); }

mx::array from_nested(Napi::Array list, std::optional<mx::Dtype> dtype, const char* name) {
  Nested nested;
  Napi::Value probe = list;
  while (probe.IsArray()) {
    uint32_t length = probe.As<Napi::Array>().Length();
    if (length > static_cast<uint32_t>(std::numeric_limits<int>::max())) throw ArgumentRangeError("dimension too large");
    nested.shape.push_back(static_cast<int>(length));
    if (length == 0) break;
    probe = probe.As<Napi::Array>().Get(uint32_t{0});
  }
  read_nested(list, 0, nested, name);
  if (nested.any_complex) return complex_array(nested.numbers, nested.imags, shape_of(nested.shape), dtype, name);
  mx::Dtype natural = nested.any_number ? mx::float32
                      : nested.any_bigint ? (nested.any_above_int64 ? mx::uint64 : mx::int64)
                      : nested.any_bool ? mx::bool_
                                        : mx::float32;
  mx::Dtype target = dtype.value_or(natural);
  if (!mx::issubdtype(target, mx::integer)) return mx::array(nested.numbers.begin(), shape_of(nested.shape), target);
  std::vector<Wide> values(nested.numbers.size());
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = nested.is_bigint[i] ? nested.bigints[i] : integer_of(nested.numbers[i], target, name);
    check_in_range(values[i], target, name);
  }
  return integer_array(values.begin(), values.end(), shape_of(nested.shape), target);
}

template <class T>
mx::array from_elements(const void* data, size_t length, mx::Dtype natural, std::optional<mx::Dtype> dtype) {
  const T* begin = static_cast<const T*>(data);
  return mx::array(begin, mx::Shape{static_cast<int>(length)}, dtype.value_or(natural));
}

mx::array from_typed_array(Napi::TypedArray typed, std::optional<mx::Dtype> dtype) {
  size_t length = typed.ElementLength();
  if (length > static_cast<size_t>(std::numeric_limits<int>::max())) throw ArgumentRangeError("TypedArray too large");
  const uint8_t* data = static_cast<const uint8_t*>(typed.ArrayBuffer().Data()) + typed.ByteOffset();
  switch (typed.TypedArrayType()) {
    case napi_int8_array: return from_elements<int8_t>(data, length, mx::int8, dtype);
    case napi_uint8_array:
    case napi_uint8_clamped_array: return from_elements<uint8_t>(data, length, mx::uint8, dtype);
    case napi_int16_array: return from_elements<int16_t>(data, length, mx::int16, dtype);
    case napi_uint16_array: return from_elements<uint16_t>(data, length, mx::uint16, dtype);
    case napi_int32_array: return from_elements<int32_t>(data, length, mx::int32, dtype);
    case napi_uint32_array: return from_elements<uint32_t>(data, length, mx::uint32, dtype);
    case napi_float32_array: return from_elements<float>(data, length, mx::float32, dtype);
    case napi_float64_array: return from_elements<double>(data, length, mx::float64, dtype);
    case napi_bigint64_array: return from_elements<int64_t>(data, length, mx::int64, dtype);
    case napi_biguint64_array: return from_elements<uint64_t>(data, length, mx::uint64, dtype);
    default: throw ArgumentTypeError("this TypedArray type is not supported");
  }
}

mx::array from_bytes(Napi::ArrayBuffer buffer, std::optional<mx::Dtype> dtype, const char* name) {
  mx::Dtype target = dtype.value_or(mx::uint8);
  size_t bytes = buffer.ByteLength();
  if (bytes % target.size() != 0) {
    throw ArgumentRangeError(std::string(name) + " has " + std::to_string(bytes) + " bytes, not a multiple of the " +
                     std::to_string(target.size()) + "-byte " + dtype_name(target));
  }
  mx::array raw(static_cast<const uint8_t*>(buffer.Data()), mx::Shape{static_cast<int>(bytes)}, mx::uint8);
  return target == mx::uint8 ? raw : mx::view(raw, target);
}

bool is_integral(double v) { return std::isfinite(v) && std::floor(v) == v; }

// A weak JS scalar given the promoted dtype of the other operands (if any).
mx::array weak_scalar(Napi::Value value, std::optional<mx::Dtype> peer) {
  if (value.IsBoolean()) return mx::array(value.As<Napi::Boolean>().Value());
  bool peer_inexact = peer && mx::issubdtype(*peer, mx::inexact);
  bool peer_integer = peer && mx::issubdtype(*peer, mx::integer);
  if (value.IsBigInt()) {
    bool lossless = false;
    int64_t v = value.As<Napi::BigInt>().Int64Value(&lossless);
    return mx::array(v, peer && (peer_inexact || peer_integer) ? *peer : mx::int64);
  }
  double v = value.As<Napi::Number>().DoubleValue();
  if (peer_inexact) return mx::array(v, *peer);
  if (peer_integer && is_integral(v)) return mx::array(v, *peer);
  if (peer && *peer == mx::bool_ && is_integral(v)) return mx::array(v, mx::int32);
  return mx::array(v, mx::float32);
}

bool is_scalar(Napi::Value value) { return value.IsNumber() || value.IsBoolean() || value.IsBigInt(); }

// Converts operands together (see array_likes in convert.h). Templated on the argument range so the
// common case of one to three operands allocates nothing but the result.
template <class Out, class Args>
std::vector<Out> convert_operands(const Args& args) {
  mx::SmallVector<std::optional<mx::array>, 4> strong(args.size());
  std::optional<mx::Dtype> peer;
  size_t i = 0;
  for (const Arg& arg : args) {
    if (!is_scalar(arg.value)) {
      if (arg.value.IsUndefined() || arg.value.IsNull()) {
        if (arg.optional) {
          ++i;
          continue;
        }
        wrong_type(arg.name, "a Tensor, number, boolean, bigint or array", arg.value);
      }
      strong[i] = array_from(arg.value, std::nullopt, arg.name);
      peer = peer ? mx::promote_types(*peer, strong[i]->dtype()) : strong[i]->dtype();
    }
    ++i;
  }
  std::vector<Out> out;
  out.reserve(args.size());
  i = 0;
  for (const Arg& arg : args) {
    if (strong[i]) out.push_back(std::move(*strong[i]));
    else if (is_scalar(arg.value)) out.push_back(weak_scalar(arg.value, peer));
    else if constexpr (std::is_same_v<Out, std::optional<mx::array>>) out.push_back(std::nullopt);  // absent, optional
    ++i;
  }
  return out;
}

}  // namespace

mx::array array_from(Napi::Value value, std::optional<mx::Dtype> dtype, const char* name) {
  if (Tensor* t = Tensor::from(value)) {
    const mx::array& a = t->array(name);
    return dtype && *dtype != a.dtype() ? mx::astype(a, *dtype) : a;
  }
  if (value.IsNumber()) {
    double v = value.As<Napi::Number>().DoubleValue();
    if (dtype && mx::issubdtype(*dtype, mx::integer)) {
      Wide w = integer_of(v, *dtype, name);
      return integer_array(&w, &w + 1, {}, *dtype);
    }
    return mx::array(v, dtype.value_or(mx::float32));
  }
  if (value.IsBoolean()) return mx::array(value.As<Napi::Boolean>().Value(), dtype.value_or(mx::bool_));
  if (value.IsBigInt()) {
    Wide w = bigint_value(value.As<Napi::BigInt>(), name);
    mx::Dtype target = dtype.value_or(w > std::numeric_limits<int64_t>::max() ? mx::uint64 : mx::int64);
    if (!mx::issubdtype(target, mx::integer)) return mx::array(static_cast<double>(w), target);
    check_in_range(w, target, name);
    return integer_array(&w, &w + 1, {}, target);
  }
  if (value.IsArray()) return from_nested(value.As<Napi::Array>(), dtype, name);
  if (std::optional<std::pair<double, double>> complex = complex_parts(value)) {
    return complex_array({complex->first}, {static_cast<float>(complex->second)}, {}, dtype, name);
  }
  if (value.IsTypedArray()) return from_typed_array(value.As<Napi::TypedArray>(), dtype);
  if (value.IsArrayBuffer()) return from_bytes(value.As<Napi::ArrayBuffer>(), dtype, name);
  wrong_type(name, "a Tensor, number, boolean, bigint, {re, im} complex number, nested array, TypedArray or ArrayBuffer", value);
}

mx::array tensor(Napi::Value value, const char* name) {
  Tensor* t = Tensor::from(value);
  if (t == nullptr) wrong_type(name, "a Tensor", value);
  return t->array(name);
}

std::optional<mx::array> optional_tensor(Napi::Value value, const char* name) {
  if (is_absent(value)) return std::nullopt;
  return tensor(value, name);
}

std::vector<mx::array> array_likes(std::initializer_list<Arg> args) { return convert_operands<mx::array>(args); }

std::vector<std::optional<mx::array>> optional_array_likes(std::initializer_list<Arg> args) {
  return convert_operands<std::optional<mx::array>>(args);
}

namespace {

std::string dtype_list(std::initializer_list<mx::Dtype> allowed) {
  std::string list;
  size_t i = 0;
  for (mx::Dtype d : allowed) {
    list += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + std::string(dtype_name(d));
    ++i;
  }
  return list;
}

bool allowed_dtype(mx::Dtype dtype, std::initializer_list<mx::Dtype> allowed) {
  for (mx::Dtype d : allowed) {
    if (d == dtype) return true;
  }
  return false;
}

}  // namespace

void check_dtype(const mx::array& a, const char* name, std::initializer_list<mx::Dtype> allowed) {
  if (allowed_dtype(a.dtype(), allowed)) return;
  throw std::invalid_argument(std::string(name) + " must have dtype " + dtype_list(allowed) + ", got " + dtype_name(a.dtype()));
}

void check_dtype(const std::optional<mx::array>& a, const char* name, std::initializer_list<mx::Dtype> allowed) {
  if (a) check_dtype(*a, name, allowed);
}

void check_dtype(mx::Dtype dtype, const char* name, std::initializer_list<mx::Dtype> allowed) {
  if (allowed_dtype(dtype, allowed)) return;
  throw std::invalid_argument(std::string(name) + " must be " + dtype_list(allowed) + ", got " + dtype_name(dtype));
}

void check_dtype(const std::optional<mx::Dtype>& dtype, const char* name, std::initializer_list<mx::Dtype> allowed) {
  if (dtype) check_dtype(*dtype, name, allowed);
}

mx::array cast(const mx::array& a, std::initializer_list<std::pair<mx::Dtype, mx::Dtype>> casts) {
  for (const auto& [from, to] : casts) {
    if (a.dtype() == from) return mx::astype(a, to);
  }
  return a;
}

std::vector<mx::array> array_like_list(Napi::Value value, const char* name) {
  if (!value.IsArray()) wrong_type(name, "an array of tensors", value);
  Napi::Array list = value.As<Napi::Array>();
  std::vector<std::string> names;
  std::vector<Arg> args;
  uint32_t length = list.Length();
  names.reserve(length);
  for (uint32_t i = 0; i < length; ++i) names.push_back(std::string(name) + "[" + std::to_string(i) + "]");
  for (uint32_t i = 0; i < length; ++i) args.push_back({list.Get(i), names[i].c_str()});
  return convert_operands<mx::array>(args);
}

mx::array indices(Napi::Value value, const char* name) {
  if (Tensor::from(value) != nullptr || value.IsTypedArray() || value.IsBigInt()) {
    return array_from(value, std::nullopt, name);
  }
  return array_from(value, mx::int32, name);
}

int integer(Napi::Value value, const char* name) {
  if (!value.IsNumber()) wrong_type(name, "an integer", value);
  double v = value.As<Napi::Number>().DoubleValue();
  if (!is_integral(v) || v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    wrong_type(name, "an integer", value);
  }
  return static_cast<int>(v);
}

std::optional<int> optional_integer(Napi::Value value, const char* name) {
  if (is_absent(value)) return std::nullopt;
  return integer(value, name);
}

int integer_or(Napi::Value value, const char* name, int fallback) {
  return is_absent(value) ? fallback : integer(value, name);
}

std::vector<int> integers(Napi::Value value, const char* name) {
  if (value.IsNumber()) return {integer(value, name)};
  if (!value.IsArray()) wrong_type(name, "an integer or an array of integers", value);
  Napi::Array list = value.As<Napi::Array>();
  std::vector<int> out;
  out.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) {
    std::string item = std::string(name) + "[" + std::to_string(i) + "]";
    out.push_back(integer(list.Get(i), item.c_str()));
  }
  return out;
}

std::optional<std::vector<int>> optional_integers(Napi::Value value, const char* name) {
  if (is_absent(value)) return std::nullopt;
  return integers(value, name);
}

std::vector<int> integers_or(Napi::Value value, const char* name, int fallback) {
  return is_absent(value) ? std::vector<int>{fallback} : integers(value, name);
}

mx::Shape sizes(Napi::Value value, const char* name) {
  std::vector<int> values = integers(value, name);
  return mx::Shape(values.begin(), values.end());
}

mx::Shape shape(Napi::Value value, const char* name) {
  std::vector<int> dims = integers(value, name);
  for (int d : dims) {
    if (d < 0) throw ArgumentRangeError(std::string(name) + " has a negative dimension " + std::to_string(d));
  }
  return mx::Shape(dims.begin(), dims.end());
}

std::optional<mx::Shape> optional_shape(Napi::Value value, const char* name) {
  if (is_absent(value)) return std::nullopt;
  return shape(value, name);
}

double number(Napi::Value value, const char* name) {
  if (!value.IsNumber()) wrong_type(name, "a number", value);
  return value.As<Napi::Number>().DoubleValue();
}

double number_or(Napi::Value value, const char* name, double fallback) {
  return is_absent(value) ? fallback : number(value, name);
}

std::optional<double> optional_number(Napi::Value value, const char* name) {
  if (is_absent(value)) return std::nullopt;
  return number(value, name);
}

std::string string(Napi::Value value, const char* name) {
  if (!value.IsString()) wrong_type(name, "a string", value);
  return value.As<Napi::String>().Utf8Value();
}

std::string string_or(Napi::Value value, const char* name, const char* fallback) {
  return is_absent(value) ? std::string(fallback) : string(value, name);
}

std::optional<std::string> optional_string(Napi::Value value, const char* name) {
  if (is_absent(value)) return std::nullopt;
  return string(value, name);
}

std::string choice_among(Napi::Value value, const char* name, const std::vector<const char*>& names) {
  if (value.IsString()) {
    std::string text = value.As<Napi::String>().Utf8Value();
    for (const char* n : names) {
      if (text == n) return text;
    }
  }
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + ("'" + std::string(names[i]) + "'");
  }
  std::string got = value.IsString() ? "'" + value.As<Napi::String>().Utf8Value() + "'" : describe(value);
  throw ArgumentTypeError(std::string(name) + " must be " + list + ", got " + got);
}

std::string choice(Napi::Value value, const char* name, std::initializer_list<const char*> names) {
  return choice_among(value, name, std::vector<const char*>(names));
}

std::string choice(Napi::Value value, const char* name, std::initializer_list<const char*> names, const char* fallback) {
  return is_absent(value) ? std::string(fallback) : choice(value, name, names);
}

std::optional<std::string> optional_choice(Napi::Value value, const char* name, std::initializer_list<const char*> names) {
  if (is_absent(value)) return std::nullopt;
  return choice(value, name, names);
}

namespace {

std::pair<int, int> pair_of(Napi::Value v, const std::string& name) {
  if (v.IsNumber()) {
    int n = conv::integer(v, name.c_str());
    return {n, n};
  }
  std::vector<int> xs = conv::integers(v, name.c_str());
  if (xs.size() == 1) return {xs[0], xs[0]};
  if (xs.size() == 2) return {xs[0], xs[1]};
  throw ArgumentTypeError(name + " must be an integer, [n] or [before, after]");
}

}  // namespace

std::vector<std::pair<int, int>> pad_width(Napi::Value value, const char* name) {
  if (value.IsArray()) {
    Napi::Array list = value.As<Napi::Array>();
    bool nested = list.Length() > 0 && list.Get(uint32_t{0}).IsArray();
    if (nested) {
      std::vector<std::pair<int, int>> out;
      for (uint32_t i = 0; i < list.Length(); ++i) {
        out.push_back(pair_of(list.Get(i), std::string(name) + "[" + std::to_string(i) + "]"));
      }
      return out;
    }
  } else if (!value.IsNumber()) {
    throw ArgumentTypeError(std::string(name) + " must be an integer, [before, after] or a list of [before, after] pairs");
  }
  return {pair_of(value, name)};
}

std::vector<std::vector<int>> int_lists(Napi::Value value, const char* name) {
  if (!value.IsArray()) throw ArgumentTypeError(std::string(name) + " must be a list of integer lists");
  Napi::Array list = value.As<Napi::Array>();
  std::vector<std::vector<int>> out;
  for (uint32_t i = 0; i < list.Length(); ++i) out.push_back(integers(list.Get(i), name));
  return out;
}

std::optional<std::vector<std::vector<int>>> optional_int_lists(Napi::Value value, const char* name) {
  if (is_absent(value)) return std::nullopt;
  return int_lists(value, name);
}

bool is_tensor(Napi::Value value) { return Tensor::from(value) != nullptr; }

bool boolean_or(Napi::Value value, const char* name, bool fallback) {
  if (is_absent(value)) return fallback;
  if (!value.IsBoolean()) wrong_type(name, "a boolean", value);
  return value.As<Napi::Boolean>().Value();
}

std::optional<bool> optional_boolean(Napi::Value value, const char* name) {
  if (is_absent(value)) return std::nullopt;
  return boolean_or(value, name, false);
}

mx::Dtype dtype_or(Napi::Value value, const char* name, mx::Dtype fallback) {
  return is_absent(value) ? fallback : dtype(value, name);
}

mx::Dtype dtype(Napi::Value value, const char* name) {
  if (value.IsString()) {
    if (auto d = dtype_from_name(value.As<Napi::String>().Utf8Value())) return *d;
  }
  throw ArgumentTypeError(std::string(name) + " must be one of " + dtype_name_list() + "; got " + describe(value));
}

std::optional<mx::Dtype> optional_dtype(Napi::Value value, const char* name) {
  if (is_absent(value)) return std::nullopt;
  return dtype(value, name);
}

mx::Stream stream_object(Napi::Value value) {
  if (value.IsObject() && !value.IsArray()) {
    Napi::Object object = value.As<Napi::Object>();
    Napi::Value device = object.Get("device");
    Napi::Value index = object.Get("index");
    if (device.IsString() && index.IsNumber()) {
      mx::Stream stream(integer(index, "stream.index"), device_from(device, "stream.device"));
      if (!is_known_stream(stream)) {
        throw ArgumentTypeError("stream { device: '" + std::string(device_name(stream.device)) + "', index: " +
                         std::to_string(stream.index) + " } was not made by mx.newStream() or mx.defaultStream()");
      }
      return stream;
    }
  }
  wrong_type("stream", "'cpu', 'gpu' or a stream from mx.newStream()", value);
}

mx::StreamOrDevice stream(Napi::Value value) {
  if (is_absent(value)) return {};
  if (value.IsObject()) return stream_object(value);
  if (value.IsString()) {
    std::string device = value.As<Napi::String>().Utf8Value();
    if (device == "cpu") return cpu_stream();
    if (device == "gpu") {
      if (auto gpu = gpu_stream()) return *gpu;
      throw std::invalid_argument("stream 'gpu' is not available: this MLX build has no GPU backend or no GPU was found");
    }
  }
  wrong_type("stream", "'cpu', 'gpu' or a stream from mx.newStream()", value);
}

mx::StreamOrDevice stream(Napi::Value value, mx::Stream fallback) {
  return is_absent(value) ? mx::StreamOrDevice(fallback) : stream(value);
}

void check_arity(const Napi::CallbackInfo& info, size_t max_args) {
  if (info.Length() > max_args) {
    throw ArgumentTypeError("expected at most " + std::to_string(max_args) + " arguments, got " +
                            std::to_string(info.Length()));
  }
}

}  // namespace mlxts::conv
