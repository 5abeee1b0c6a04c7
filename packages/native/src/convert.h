// JS -> C++ argument converters: the one place that decides how each schema type (schema/types.yaml)
// is read from a JS value. Every converter throws ArgumentTypeError naming the argument; guard() adds
// the op name.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <napi.h>

#include "runtime.h"

namespace mlxts::conv {

// A JS argument and its name, for converters that look at several arguments together.
struct Arg {
  Napi::Value value;
  const char* name;
  // An optional operand (no default): absent is std::nullopt rather than an error.
  bool optional = false;
};

// Any JS data as an array (Tensor, number, boolean, bigint, nested Array, TypedArray, ArrayBuffer),
// as `mx.array(data, dtype)` reads it. With no dtype: numbers -> float32, booleans -> bool,
// bigints -> int64, TypedArrays keep their element type, ArrayBuffers are uint8 bytes.
mx::array array_from(Napi::Value value, std::optional<mx::Dtype> dtype, const char* name);

// Type `Tensor`: must be a (live) Tensor.
mx::array tensor(Napi::Value value, const char* name);
// Type `Tensor?`: a Tensor, or null/undefined.
std::optional<mx::array> optional_tensor(Napi::Value value, const char* name);

// Type `ArrayLike`, for all such arguments of one op at once: tensors and JS arrays are converted first;
// JS numbers, booleans and bigints are then weak scalars that take the dtype of the other operands
// (promoted together), except that a non-integral number beside integer or bool operands is float32
// (MLX Python's rule).
std::vector<mx::array> array_likes(std::initializer_list<Arg> args);
// The same for ops with optional operands: an absent optional one is std::nullopt.
std::vector<std::optional<mx::array>> optional_array_likes(std::initializer_list<Arg> args);

// An argument's `dtypes` (schema): the dtype of a tensor, or a Dtype value, must be one of `allowed`; an
// std::invalid_argument (an MlxError) naming the argument and the dtypes otherwise. Absent optionals pass.
void check_dtype(const mx::array& a, const char* name, std::initializer_list<mx::Dtype> allowed);
void check_dtype(const std::optional<mx::array>& a, const char* name, std::initializer_list<mx::Dtype> allowed);
void check_dtype(mx::Dtype dtype, const char* name, std::initializer_list<mx::Dtype> allowed);
void check_dtype(const std::optional<mx::Dtype>& dtype, const char* name, std::initializer_list<mx::Dtype> allowed);

// An argument's `cast` (schema): a tensor of one of the `from` dtypes converted to its `to` dtype.
mx::array cast(const mx::array& a, std::initializer_list<std::pair<mx::Dtype, mx::Dtype>> casts);

// Type `ArrayLike[]`: a JS array of ArrayLike values, converted as array_likes() converts operands.
std::vector<mx::array> array_like_list(Napi::Value value, const char* name);

// Type `Indices`: a Tensor as it is; JS numbers and nested arrays become int32 (TypedArrays and
// bigints keep their integer type).
mx::array indices(Napi::Value value, const char* name);

// Type `int`, `int?` and `int` with a default.
int integer(Napi::Value value, const char* name);
std::optional<int> optional_integer(Napi::Value value, const char* name);
int integer_or(Napi::Value value, const char* name, int fallback);

// Type `int[]` (a single integer is accepted as a one-element list).
std::vector<int> integers(Napi::Value value, const char* name);
std::optional<std::vector<int>> optional_integers(Napi::Value value, const char* name);
// Type `IntOrList` with a default: absent is the list of one `fallback`.
std::vector<int> integers_or(Napi::Value value, const char* name, int fallback);

// Type `Sizes`: a list of integers as MLX's Shape (split points, or a shape with one -1 to infer).
mx::Shape sizes(Napi::Value value, const char* name);

// Type `PadWidth`: n, [n], [before, after] (every axis) or one [before, after] (or n) per axis, as MLX
// Python takes a pad width. A single pair is returned as a one-element list.
std::vector<std::pair<int, int>> pad_width(Napi::Value value, const char* name);

// Type `int[][]`: a list of integer lists (tensordot's axes pair, window padding).
std::vector<std::vector<int>> int_lists(Napi::Value value, const char* name);
std::optional<std::vector<std::vector<int>>> optional_int_lists(Napi::Value value, const char* name);

// Type `Shape`: non-negative integers (a single integer is a 1-D shape).
mx::Shape shape(Napi::Value value, const char* name);
std::optional<mx::Shape> optional_shape(Napi::Value value, const char* name);

// Type `float` and `float` with a default.
double number(Napi::Value value, const char* name);
double number_or(Napi::Value value, const char* name, double fallback);
std::optional<double> optional_number(Napi::Value value, const char* name);

// Type `str` and `str` with a default.
std::string string(Napi::Value value, const char* name);
std::string string_or(Napi::Value value, const char* name, const char* fallback);
std::optional<std::string> optional_string(Napi::Value value, const char* name);

// Enum types (schema/enums.yaml): one of `names`. Anything else (another string, a non-string) is an
// ArgumentTypeError listing them: "mode must be 'affine', 'mxfp4' or 'nvfp4', got 'int4'".
std::string choice(Napi::Value value, const char* name, std::initializer_list<const char*> names);
std::string choice(Napi::Value value, const char* name, std::initializer_list<const char*> names, const char* fallback);
std::optional<std::string> optional_choice(Napi::Value value, const char* name, std::initializer_list<const char*> names);
// An enum whose values map onto an MLX C++ enum (`mlx:` in schema/enums.yaml): the value paired with the name.
template <class T>
using ChoiceTable = std::initializer_list<std::pair<const char*, T>>;
template <class T>
T mapped_choice(Napi::Value value, const char* name, ChoiceTable<T> table);
template <class T>
T mapped_choice(Napi::Value value, const char* name, ChoiceTable<T> table, const char* fallback);
template <class T>
std::optional<T> optional_mapped_choice(Napi::Value value, const char* name, ChoiceTable<T> table);

// Type `bool` with a default, and optional.
bool boolean_or(Napi::Value value, const char* name, bool fallback);
std::optional<bool> optional_boolean(Napi::Value value, const char* name);

// Type `Dtype` and `Dtype?`.
mx::Dtype dtype(Napi::Value value, const char* name);
std::optional<mx::Dtype> optional_dtype(Napi::Value value, const char* name);
mx::Dtype dtype_or(Napi::Value value, const char* name, mx::Dtype fallback);

// The trailing stream option: undefined (the default device's stream), 'cpu' or 'gpu' (that device's
// shared stream), or a stream object { device, index } from newStream()/defaultStream().
mx::StreamOrDevice stream(Napi::Value value);
// A stream object { device, index } made by this addon.
mx::Stream stream_object(Napi::Value value);
// The same, for ops that MLX runs only on the CPU: undefined means `fallback` rather than the default device.
mx::StreamOrDevice stream(Napi::Value value, mx::Stream fallback);

// Predicates that pick an overload from the JS runtime type of an argument.
inline bool is_absent(Napi::Value value) { return value.IsUndefined() || value.IsNull(); }
// An operand argument with a number default: the caller's value, or the default as a JS number (so it
// is converted as the weak scalar a caller passing that number would give).
inline Napi::Value value_or_number(Napi::Value value, double fallback) {
  return is_absent(value) ? Napi::Number::New(value.Env(), fallback) : value;
}
inline bool is_number(Napi::Value value) { return value.IsNumber(); }
inline bool is_list(Napi::Value value) { return value.IsArray(); }
inline bool is_string(Napi::Value value) { return value.IsString(); }
bool is_tensor(Napi::Value value);

// The name among `names` that `value` is, or an ArgumentTypeError listing them (what choice() checks).
std::string choice_among(Napi::Value value, const char* name, const std::vector<const char*>& names);

// Rejects calls with more arguments than the op declares.
void check_arity(const Napi::CallbackInfo& info, size_t max_args);

template <class T>
T mapped_choice(Napi::Value value, const char* name, ChoiceTable<T> table) {
  std::vector<const char*> names;
  for (const auto& entry : table) names.push_back(entry.first);
  std::string chosen = choice_among(value, name, names);
  for (const auto& entry : table) {
    if (chosen == entry.first) return entry.second;
  }
  return table.begin()->second;  // unreachable: choice_among returned one of the names
}

template <class T>
T mapped_choice(Napi::Value value, const char* name, ChoiceTable<T> table, const char* fallback) {
  if (!is_absent(value)) return mapped_choice(value, name, table);
  for (const auto& entry : table) {
    if (std::string_view(fallback) == entry.first) return entry.second;
  }
  return table.begin()->second;  // the generator checks the default is a value
}

template <class T>
std::optional<T> optional_mapped_choice(Napi::Value value, const char* name, ChoiceTable<T> table) {
  if (is_absent(value)) return std::nullopt;
  return mapped_choice(value, name, table);
}

}  // namespace mlxts::conv
