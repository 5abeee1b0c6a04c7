#include <algorithm>
#include <cmath>

#include "op_support.h"

namespace mlxts::support {

mx::array arange(double start, std::optional<double> stop, std::optional<double> step, std::optional<mx::Dtype> dtype,
                 mx::StreamOrDevice s) {
  double begin = stop ? start : 0.0;
  double end = stop ? *stop : start;
  double delta = step.value_or(1.0);
  auto integral = [](double v) { return std::isfinite(v) && std::floor(v) == v; };
  mx::Dtype inferred = integral(begin) && integral(end) && integral(delta) ? mx::int32 : mx::float32;
  return mx::arange(begin, end, delta, dtype.value_or(inferred), s);
}

SliceBounds slice_bounds(const mx::array& a, const std::vector<int>& start, const std::vector<int>& stop,
                         const std::optional<std::vector<int>>& strides) {
  size_t n = start.size();
  if (stop.size() != n || (strides && strides->size() != n)) {
    throw ArgumentRangeError("start, stop and strides must have the same length");
  }
  if (n > a.ndim()) throw std::invalid_argument("more slice indices than the tensor has axes");
  SliceBounds b{mx::Shape(a.ndim(), 0), a.shape(), mx::Shape(a.ndim(), 1)};
  for (size_t i = 0; i < n; ++i) {
    int st = strides ? (*strides)[i] : 1;
    if (st == 0) throw ArgumentRangeError("a slice stride cannot be 0");
    b.begin[i] = start[i];
    b.end[i] = stop[i];
    b.step[i] = st;
  }
  return b;
}

mx::array slice(const mx::array& a, const std::vector<int>& start, const std::vector<int>& stop,
                const std::optional<std::vector<int>>& strides, mx::StreamOrDevice s) {
  SliceBounds b = slice_bounds(a, start, stop, strides);
  return mx::slice(a, b.begin, b.end, b.step, s);
}

mx::array clamp_indices(const mx::array& indices, int size, mx::StreamOrDevice s) {
  if (!mx::issubdtype(indices.dtype(), mx::integer)) return indices;  // MLX rejects these itself
  // In int64: a narrow index dtype cannot hold the axis length (int8 indices on an axis of 200 would
  // wrap the bounds themselves and clamp to a negative index).
  return clamp_indices(indices, size, size - 1, s);
}

int normalize_axis(int axis, int ndim, const std::string& what) {
  if (axis < -ndim || axis >= ndim) {
    throw std::invalid_argument("axis " + std::to_string(axis) + " is out of bounds for " + what + " with " +
                                std::to_string(ndim) + " dimensions");
  }
  return axis < 0 ? axis + ndim : axis;
}

mx::array take(const mx::array& a, const mx::array& indices, std::optional<int> axis, mx::StreamOrDevice s) {
  if (!axis) return mx::take(a, clamp_indices(indices, static_cast<int>(a.size()), s), s);
  int ax = normalize_axis(*axis, static_cast<int>(a.ndim()));
  return mx::take(a, clamp_indices(indices, a.shape(ax), s), ax, s);
}

mx::array take_along_axis(const mx::array& a, const mx::array& indices, int axis, mx::StreamOrDevice s) {
  int ax = normalize_axis(axis, static_cast<int>(a.ndim()));
  return mx::take_along_axis(a, clamp_indices(indices, a.shape(ax), s), ax, s);
}

}  // namespace mlxts::support
