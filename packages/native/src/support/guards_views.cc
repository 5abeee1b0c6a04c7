// Guards for MLX defects (seen in MLX 0.32.4) in views, which share their input's memory: MLX does not
// check that an as_strided view stays inside its input, builds a malformed view for a diagonal outside
// the matrix, and a view as bool can hold bytes other than 0 and 1.
#include <algorithm>
#include <cstdint>
#include <string>

#include "errors.h"
#include "support/core.h"

namespace mlxts::support {

namespace {

// Whether the diagonal at `offset` of axes (axis1, axis2) has no element; false when the axes are invalid
// (MLX reports those itself).
bool empty_diagonal(const mx::array& a, int offset, int axis1, int axis2) {
  int ndim = static_cast<int>(a.ndim());
  if (ndim < 2 || axis1 < -ndim || axis1 >= ndim || axis2 < -ndim || axis2 >= ndim) return false;
  int rows = a.shape((axis1 + ndim) % ndim);
  int cols = a.shape((axis2 + ndim) % ndim);
  int length = offset >= 0 ? std::min(rows, cols - offset) : std::min(rows + offset, cols);
  return length <= 0;
}

}  // namespace

mx::array view(const mx::array& a, mx::Dtype dtype, mx::StreamOrDevice s) {
  // A raw byte other than 0 or 1 is not a valid bool (MLX's kernels then disagree about its truth value),
  // so a view as bool is canonicalised: any nonzero byte becomes true.
  if (dtype == mx::bool_ && a.dtype() != mx::bool_) {
    mx::array bytes = mx::view(a, mx::uint8, s);
    return mx::not_equal(bytes, mx::array(0, mx::uint8), s);
  }
  return mx::view(a, dtype, s);
}

mx::array as_strided(const mx::array& a, const std::vector<int>& shape, const std::vector<int>& strides, int offset,
                     mx::StreamOrDevice s) {
  if (shape.size() != strides.size()) throw ArgumentRangeError("shape and strides must have the same length");
  if (offset < 0) throw ArgumentRangeError("offset must be non-negative");
  int64_t lo = offset, hi = offset;
  bool empty = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) throw ArgumentRangeError("shape entries must be non-negative");
    if (shape[i] == 0) empty = true;
    int64_t reach = static_cast<int64_t>(strides[i]) * (shape[i] - 1);
    if (reach < 0) lo += reach; else hi += reach;
  }
  if (!empty && (lo < 0 || hi >= static_cast<int64_t>(a.size()))) {
    throw std::invalid_argument("the view would read outside the input (reachable indices " + std::to_string(lo) +
                     ".." + std::to_string(hi) + ", input size " + std::to_string(a.size()) + ")");
  }
  return mx::as_strided(a, mx::Shape(shape.begin(), shape.end()), mx::Strides(strides.begin(), strides.end()),
                        empty ? 0 : static_cast<size_t>(offset), s);
}

mx::array diagonal(const mx::array& a, int offset, int axis1, int axis2, mx::StreamOrDevice s) {
  mx::array view = mx::diagonal(a, offset, axis1, axis2, s);
  return empty_diagonal(a, offset, axis1, axis2) ? mx::zeros(view.shape(), view.dtype(), s) : view;
}

mx::array diag(const mx::array& a, int k, mx::StreamOrDevice s) {
  mx::array out = mx::diag(a, k, s);
  return a.ndim() == 2 && empty_diagonal(a, k, 0, 1) ? mx::zeros(out.shape(), out.dtype(), s) : out;
}

mx::array trace(const mx::array& a, int offset, int axis1, int axis2, std::optional<mx::Dtype> dtype, mx::StreamOrDevice s) {
  mx::array sum = dtype ? mx::trace(a, offset, axis1, axis2, *dtype, s) : mx::trace(a, offset, axis1, axis2, s);
  return empty_diagonal(a, offset, axis1, axis2) ? mx::zeros(sum.shape(), sum.dtype(), s) : sum;
}

}  // namespace mlxts::support
