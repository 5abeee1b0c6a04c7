// Guards for MLX defects (seen in MLX 0.32.4) in products: kernels that trust their operands (a segment
// or an index outside them is read anyway), axes MLX checks against one operand only, empty operands a
// batched product fails to build, and kernels that multiply float32 only and fail at evaluation otherwise.
#include <algorithm>
#include <string>

#include "errors.h"
#include "support/core.h"
#include "support/indices.h"

namespace mlxts::support {

mx::array tensordot(const mx::array& a, const mx::array& b, const std::vector<std::vector<int>>& axes,
                    mx::StreamOrDevice s) {
  if (axes.size() != 2 || axes[0].size() != axes[1].size()) {
    throw ArgumentRangeError("axes must be a pair of lists of equal length");
  }
  auto norm = [](std::vector<int> ax, const mx::array& x, const char* which) {
    int nd = static_cast<int>(x.ndim());
    for (int& v : ax) v = normalize_axis(v, nd, which);
    std::vector<int> sorted(ax);
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      throw std::invalid_argument(std::string("repeated axis in the axes of ") + which);
    }
    return ax;
  };
  return mx::tensordot(a, b, norm(axes[0], a, "a"), norm(axes[1], b, "b"), s);
}

mx::array vecdot(const mx::array& a, const mx::array& b, int axis, mx::StreamOrDevice s) {
  // MLX normalizes `axis` against one operand's rank, so a 2-D tensor dotted with a 1-D one fails at the
  // default axis -1; broadcasting both to one shape first gives the NumPy semantics.
  if (a.ndim() == 0 || b.ndim() == 0) throw std::invalid_argument("inputs must be at least 1-D");
  std::vector<mx::array> both = mx::broadcast_arrays({a, b}, s);
  return mx::vecdot(both[0], both[1], axis, s);
}

mx::array segmented_mm(const mx::array& a, const mx::array& b, const mx::array& segments, mx::StreamOrDevice s) {
  // The kernel trusts its inputs: a contraction mismatch or a segment outside [0, K] reads past the
  // operands (OpenBLAS reports an illegal argument and the product is garbage), so both are made safe here.
  if (a.ndim() != 2 || b.ndim() != 2) {
    throw std::invalid_argument("a and b must be matrices, got " + std::to_string(a.ndim()) + "-D and " +
                     std::to_string(b.ndim()) + "-D");
  }
  if (a.shape(1) != b.shape(0)) {
    throw std::invalid_argument("a's columns (" + std::to_string(a.shape(1)) + ") must match b's rows (" +
                     std::to_string(b.shape(0)) + ")");
  }
  if (segments.ndim() == 0 || segments.shape(-1) != 2 || !mx::issubdtype(segments.dtype(), mx::integer)) {
    return mx::segmented_mm(a, b, segments, s);  // MLX rejects these with its own message
  }
  // Clamp each [start, end) into [0, K] and make a reversed segment empty.
  mx::array clamped = mx::astype(mx::clip(segments, mx::array(0), mx::array(a.shape(1)), s), mx::int32, s);
  std::vector<mx::array> parts = mx::split(clamped, 2, -1, s);
  mx::array ends = mx::maximum(parts[0], parts[1], s);
  return mx::segmented_mm(a, b, mx::concatenate({parts[0], ends}, -1, s), s);
}

mx::array addmm(const mx::array& c, const mx::array& a, const mx::array& b, double alpha_value, double beta_value,
                mx::StreamOrDevice s) {
  float alpha = static_cast<float>(alpha_value);
  float beta = static_cast<float>(beta_value);
  mx::Dtype dtype = mx::promote_types(c.dtype(), mx::promote_types(a.dtype(), b.dtype()));
  if (!mx::issubdtype(dtype, mx::inexact)) return mx::addmm(c, a, b, alpha, beta, s);  // MLX's own error
  // MLX fails to build a batched product with an empty operand ("cannot infer the shape of an empty
  // array"): the shapes are checked through matmul and broadcasting, and the result is built here.
  mx::array product = mx::matmul(mx::astype(a, dtype, s), mx::astype(b, dtype, s), s);
  mx::Shape shape = mx::broadcast_shapes(c.shape(), product.shape());
  if (a.size() != 0 && b.size() != 0 && c.size() != 0) return mx::addmm(c, a, b, alpha, beta, s);
  // An empty inner dimension: the product is all zeros, leaving beta * c (and with beta 0, zeros).
  if (product.size() == 0 || c.size() == 0 || beta == 0.0f) return mx::zeros(shape, dtype, s);
  return mx::broadcast_to(mx::multiply(mx::astype(c, dtype, s), mx::array(beta, dtype), s), shape, s);
}

mx::array block_masked_mm(const mx::array& a, const mx::array& b, int block_size,
                          const std::optional<mx::array>& mask_out, const std::optional<mx::array>& mask_lhs,
                          const std::optional<mx::array>& mask_rhs, mx::StreamOrDevice s) {
  if (block_size != 32 && block_size != 64) {
    throw ArgumentRangeError("blockSize must be 32 or 64, got " + std::to_string(block_size));
  }
  bool masked = mask_out || mask_lhs || mask_rhs;
  mx::Dtype dtype = mx::promote_types(a.dtype(), b.dtype());
  if (!masked || !mx::issubdtype(dtype, mx::floating)) {
    return mx::block_masked_mm(a, b, block_size, mask_out, mask_lhs, mask_rhs, s);
  }
  // With a mask MLX's CPU kernel takes float32 only (others fail at eval time).
  if (dtype == mx::float64) throw std::invalid_argument("masks are not supported with float64 operands (MLX's kernel is float32)");
  if (dtype == mx::float32) return mx::block_masked_mm(a, b, block_size, mask_out, mask_lhs, mask_rhs, s);
  auto wide = [&](const std::optional<mx::array>& m) -> std::optional<mx::array> {
    if (!m || m->dtype() == mx::bool_) return m;
    return mx::astype(*m, mx::float32, s);
  };
  mx::array out = mx::block_masked_mm(mx::astype(a, mx::float32, s), mx::astype(b, mx::float32, s), block_size,
                                      wide(mask_out), wide(mask_lhs), wide(mask_rhs), s);
  return mx::astype(out, dtype, s);
}

mx::array gather_mm(const mx::array& a, const mx::array& b, const std::optional<mx::array>& lhs_indices,
                    const std::optional<mx::array>& rhs_indices, bool sorted_indices, mx::StreamOrDevice s) {
  auto batch = [](const mx::array& x) {
    int n = 1;
    for (int i = 0; i + 2 < static_cast<int>(x.ndim()); ++i) n *= x.shape(i);
    return n;
  };
  auto safe = [&](const std::optional<mx::array>& idx, const mx::array& x,
                  const char* name) -> std::optional<mx::array> {
    if (!idx) return idx;
    require_integer(*idx, name);
    int n = batch(x);
    if (n == 0 && idx->size() > 0) {
      throw std::invalid_argument(std::string(name) + " cannot index an operand whose batch is empty");
    }
    return clamp_indices(*idx, n, n - 1, s);
  };
  std::optional<mx::array> lhs = safe(lhs_indices, a, "lhsIndices");
  std::optional<mx::array> rhs = safe(rhs_indices, b, "rhsIndices");
  // MLX's CPU kernel multiplies float32 only (other dtypes fail at eval time): half precision is
  // computed in float32 and cast back; float64 would lose precision that way, so it is rejected.
  mx::Dtype dtype = mx::promote_types(a.dtype(), b.dtype());
  if (dtype == mx::float64) throw std::invalid_argument("float64 operands are not supported (MLX's kernel is float32)");
  if (dtype != mx::float16 && dtype != mx::bfloat16) return mx::gather_mm(a, b, lhs, rhs, sorted_indices, s);
  mx::array out = mx::gather_mm(mx::astype(a, mx::float32, s), mx::astype(b, mx::float32, s), lhs, rhs,
                                sorted_indices, s);
  return mx::astype(out, dtype, s);
}

}  // namespace mlxts::support
