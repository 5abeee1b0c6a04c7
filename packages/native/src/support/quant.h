// The hand-written helpers that callees of the quant family name (mlxts::support::*), guards around MLX
// defects (guards_quant.cc): the mode, group size and bits are checked against MLX's mode table first,
// with messages that name the allowed values; packed weights, scales and biases are checked against each
// other before MLX's kernels read them (seen in MLX 0.32.4: MLX checks only the last axis of the scales,
// and the kernels read past smaller ones or divide by zero on empty operands).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "runtime.h"

namespace mlxts::support {

std::vector<mx::array> quantize(const mx::array& w, std::optional<int> group_size, std::optional<int> bits,
                                const std::string& mode, const std::optional<mx::array>& global_scale,
                                mx::StreamOrDevice s);
mx::array dequantize(const mx::array& w, const mx::array& scales, const std::optional<mx::array>& biases,
                     std::optional<int> group_size, std::optional<int> bits, const std::string& mode,
                     const std::optional<mx::array>& global_scale, std::optional<mx::Dtype> dtype,
                     mx::StreamOrDevice s);
// With an nvfp4 global scale, which MLX's CPU kernels do not take, the product is scaled by
// global_scale / (448 * 6), the factor dequantize applies to every element.
mx::array quantized_matmul(const mx::array& x, const mx::array& w, const mx::array& scales,
                           const std::optional<mx::array>& biases, bool transpose, std::optional<int> group_size,
                           std::optional<int> bits, const std::string& mode,
                           const std::optional<mx::array>& global_scale, mx::StreamOrDevice s);
// Gather indices are wrapped (negative) and clamped into range first, as take() does.
mx::array gather_qmm(const mx::array& x, const mx::array& w, const mx::array& scales,
                     const std::optional<mx::array>& biases, const std::optional<mx::array>& lhs_indices,
                     const std::optional<mx::array>& rhs_indices, bool transpose, std::optional<int> group_size,
                     std::optional<int> bits, const std::string& mode, const std::optional<mx::array>& global_scale,
                     bool sorted_indices, mx::StreamOrDevice s);

}  // namespace mlxts::support
