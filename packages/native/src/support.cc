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
    throw UsageError("start, stop and strides must have the same length");
  }
  if (n > a.ndim()) throw UsageError("more slice indices than the tensor has axes");
  SliceBounds b{mx::Shape(a.ndim(), 0), a.shape(), mx::Shape(a.ndim(), 1)};
  for (size_t i = 0; i < n; ++i) {
    int st = strides ? (*strides)[i] : 1;
    if (st == 0) throw UsageError("a slice stride cannot be 0");
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

mx::array at_least_float(const mx::array& a) {
  return mx::issubdtype(a.dtype(), mx::inexact) ? a : mx::astype(a, mx::float32);
}

mx::array linalg_input(const mx::array& a) {
  return a.dtype() == mx::float16 || a.dtype() == mx::bfloat16 ? mx::astype(a, mx::float32) : a;
}

namespace {

// Per matrix of a batch: true where every entry is finite (shape [..., 1, 1]).
mx::array finite_matrices(const mx::array& a, mx::StreamOrDevice s) {
  return mx::all(mx::isfinite(a, s), std::vector<int>{-2, -1}, true, s);
}

mx::array nan_where_not(const mx::array& finite, const mx::array& out, mx::StreamOrDevice s) {
  return mx::where(finite, out, mx::array(std::nanf("")), s);
}

}  // namespace

std::vector<mx::array> svd(const mx::array& a, bool compute_uv, mx::StreamOrDevice s) {
  auto op = [](const mx::array& x, bool uv, mx::StreamOrDevice st) { return mx::linalg::svd(x, uv, st); };
  return linalg_nonempty_batch(op, linalg_input(a), compute_uv, s);
}

std::pair<mx::array, mx::array> eig(const mx::array& a, mx::StreamOrDevice s) {
  auto x = linalg_input(a);
  if (x.ndim() < 2) return mx::linalg::eig(x, s);  // MLX's own error
  auto finite = finite_matrices(x, s);
  auto [w, v] = linalg_nonempty_batch(mx::linalg::eig, mx::where(finite, x, mx::zeros_like(x, s), s), s);
  return {nan_where_not(mx::squeeze(finite, -1, s), w, s), nan_where_not(finite, v, s)};
}

mx::array eigvals(const mx::array& a, mx::StreamOrDevice s) {
  auto x = linalg_input(a);
  if (x.ndim() < 2) return mx::linalg::eigvals(x, s);
  auto finite = finite_matrices(x, s);
  auto w = linalg_nonempty_batch(mx::linalg::eigvals, mx::where(finite, x, mx::zeros_like(x, s), s), s);
  return nan_where_not(mx::squeeze(finite, -1, s), w, s);
}

bool linalg_empty_batch(const mx::array& a) {
  return a.ndim() > 2 && a.size() == 0 && a.shape(-1) > 0 && a.shape(-2) > 0;
}

mx::array linalg_empty_outputs(const mx::array& out) { return mx::zeros(out.shape(), out.dtype()); }

std::vector<mx::array> linalg_empty_outputs(const std::vector<mx::array>& outs) {
  std::vector<mx::array> replaced;
  for (const auto& out : outs) {
    // The one output of an empty matrix that has elements: lu's row indices of an [..., M, 0] matrix,
    // the identity order.
    if (out.size() > 0) {
      replaced.push_back(mx::broadcast_to(mx::arange(out.shape(-1), out.dtype()), out.shape()));
    } else {
      replaced.push_back(linalg_empty_outputs(out));
    }
  }
  return replaced;
}

std::pair<mx::array, mx::array> linalg_empty_outputs(const std::pair<mx::array, mx::array>& outs) {
  return {linalg_empty_outputs(outs.first), linalg_empty_outputs(outs.second)};
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
