// Where the addon's CPU quantized matmul (primitive.h) replaces MLX's.
#pragma once
#include <optional>
#include <string>

#include <mlx/mlx.h>

namespace mlxts::qmm {

namespace mx = mlx::core;

// x @ dequantize(w)ᵀ through the addon's kernel when it applies (see dispatch.cc), or nullopt for MLX's
// own kernel. Takes the arguments of mx::quantized_matmul after the quant family's checks of the mode,
// bits, group size and packed shapes.
std::optional<mx::array> quantized_matmul(const mx::array& x, const mx::array& w, const mx::array& scales,
                                          const std::optional<mx::array>& biases, bool transpose, int group_size,
                                          int bits, const std::string& mode, mx::StreamOrDevice s);

}  // namespace mlxts::qmm
