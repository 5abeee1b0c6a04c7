// dtype names as the JS API spells them ('float32', 'bool', ...).
#pragma once
#include <optional>
#include <string_view>

#include <mlx/mlx.h>

namespace mlxts {

const char* dtype_name(mlx::core::Dtype dtype);
std::optional<mlx::core::Dtype> dtype_from_name(std::string_view name);
// "'bool', 'uint8', ..." for error messages.
const char* dtype_name_list();

}  // namespace mlxts
