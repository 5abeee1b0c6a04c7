#include "dtype.h"

#include <array>
#include <utility>

namespace mlxts {

namespace mx = mlx::core;

namespace {
const std::array<std::pair<const char*, mx::Dtype>, 14> kDtypes{{
    {"bool", mx::bool_},
    {"uint8", mx::uint8},
    {"uint16", mx::uint16},
    {"uint32", mx::uint32},
    {"uint64", mx::uint64},
    {"int8", mx::int8},
    {"int16", mx::int16},
    {"int32", mx::int32},
    {"int64", mx::int64},
    {"float16", mx::float16},
    {"bfloat16", mx::bfloat16},
    {"float32", mx::float32},
    {"float64", mx::float64},
    {"complex64", mx::complex64},
}};
}  // namespace

const char* dtype_name(mx::Dtype dtype) {
  for (const auto& [name, d] : kDtypes) {
    if (d == dtype) return name;
  }
  return "unknown";
}

std::optional<mx::Dtype> dtype_from_name(std::string_view name) {
  for (const auto& [n, d] : kDtypes) {
    if (name == n) return d;
  }
  return std::nullopt;
}

const char* dtype_name_list() {
  return "'bool', 'uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64', 'float16', "
         "'bfloat16', 'float32', 'float64', 'complex64'";
}

}  // namespace mlxts
