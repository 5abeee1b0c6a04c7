// Helpers for the seed ops einsum, tensordot, as_strided, slice_update, gather and scatter (every
// ScatterKind); the fft family and conv_general live in support_fft.cc and support_conv.cc. Each one
// validates what MLX leaves unchecked (reads or writes outside a buffer) so that bad input is a JS error,
// never a crash.
#include <algorithm>
#include <cstdint>
#include <string>

#include <mlx/einsum.h>

#include "op_support.h"

namespace mlxts::support {

// Negative indices count from the end; the rest clamp into [0, hi].
mx::array clamp_indices(const mx::array& indices, int size, int hi, mx::StreamOrDevice s) {
  if (!mx::issubdtype(indices.dtype(), mx::integer)) {
    throw std::invalid_argument("indices must be integral, got a non-integer dtype");
  }
  mx::array idx = indices.dtype() == mx::int64 || indices.dtype() == mx::uint64 ? indices
                                                                               : mx::astype(indices, mx::int64, s);
  mx::array zero(0, mx::int64);
  if (mx::issubdtype(indices.dtype(), mx::signedinteger)) {
    idx = mx::where(mx::less(idx, zero, s), mx::add(idx, mx::array(static_cast<int64_t>(size), mx::int64), s), idx, s);
  }
  if (idx.dtype() == mx::uint64) idx = mx::astype(mx::minimum(idx, mx::array(static_cast<uint64_t>(INT32_MAX), mx::uint64), s), mx::int64, s);
  return mx::clip(idx, zero, mx::array(static_cast<int64_t>(std::max(hi, 0)), mx::int64), s);
}

mx::array einsum(const std::string& subscripts, const std::vector<mx::array>& operands, mx::StreamOrDevice s) {
  return mx::einsum(subscripts, operands, s);
}

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

mx::array slice_update(const mx::array& a, const mx::array& update, const std::vector<int>& start,
                       const std::vector<int>& stop, const std::optional<std::vector<int>>& strides,
                       mx::StreamOrDevice s) {
  SliceBounds b = slice_bounds(a, start, stop, strides);
  return mx::slice_update(a, update, b.begin, b.end, b.step, s);
}

namespace {

std::vector<mx::array> safe_nd_indices(const mx::array& a, const std::vector<mx::array>& indices,
                                       std::vector<int>& axes, const std::vector<int>& window, mx::StreamOrDevice s) {
  if (indices.size() != axes.size()) {
    throw ArgumentRangeError("indices and axes must have the same length");
  }
  int ndim = static_cast<int>(a.ndim());
  std::vector<mx::array> out;
  for (size_t i = 0; i < axes.size(); ++i) {
    axes[i] = normalize_axis(axes[i], ndim);
    int size = a.shape(axes[i]);
    int w = window.empty() ? 1 : window[axes[i]];
    out.push_back(clamp_indices(indices[i], size, size - std::max(w, 1), s));
  }
  return out;
}

}  // namespace

mx::array gather(const mx::array& a, const std::vector<mx::array>& indices, std::vector<int> axes,
                 const std::vector<int>& slice_sizes, mx::StreamOrDevice s) {
  if (slice_sizes.size() != a.ndim()) {
    throw std::invalid_argument("sliceSizes must have one entry per axis of a");
  }
  for (size_t i = 0; i < slice_sizes.size(); ++i) {
    if (slice_sizes[i] < 0 || slice_sizes[i] > a.shape(i)) {
      throw std::invalid_argument("slice size " + std::to_string(slice_sizes[i]) + " does not fit axis " +
                       std::to_string(i));
    }
  }
  auto safe = safe_nd_indices(a, indices, axes, slice_sizes, s);
  mx::array out = mx::gather(a, safe, axes, mx::Shape(slice_sizes.begin(), slice_sizes.end()), s);
  // Nothing to read: the graph node above validated the arguments; skip the kernel.
  if (out.size() == 0) return mx::zeros(out.shape(), out.dtype(), s);
  return out;
}

mx::array scatter(const mx::array& a, const std::vector<mx::array>& indices, const mx::array& updates,
                  std::vector<int> axes, ScatterKind kind, mx::StreamOrDevice s) {
  if (indices.empty()) throw ArgumentRangeError("at least one index tensor is required");
  // Trailing dims of `updates` are the slice written at each index; they must fit inside `a`.
  size_t nd = a.ndim();
  if (updates.ndim() < nd) {
    throw std::invalid_argument("updates must have ndim = index ndim + a.ndim");
  }
  std::vector<int> window(nd);
  size_t base = updates.ndim() - nd;
  for (size_t i = 0; i < nd; ++i) {
    window[i] = updates.shape(base + i);
    if (window[i] > a.shape(i)) {
      throw std::invalid_argument("the update slice does not fit a along axis " + std::to_string(i));
    }
  }
  auto safe = safe_nd_indices(a, indices, axes, window, s);
  mx::array out = [&] {
    switch (kind) {
      case ScatterKind::Add: return mx::scatter_add(a, safe, updates, axes, s);
      case ScatterKind::Prod: return mx::scatter_prod(a, safe, updates, axes, s);
      case ScatterKind::Max: return mx::scatter_max(a, safe, updates, axes, s);
      case ScatterKind::Min: return mx::scatter_min(a, safe, updates, axes, s);
      default: return mx::scatter(a, safe, updates, axes, s);
    }
  }();
  // Nothing to write (the CPU kernel divides by the empty slice size): the node above validated the
  // arguments; return a unchanged.
  if (updates.size() == 0 || a.size() == 0) return mx::astype(a, out.dtype(), s);
  return out;
}

}  // namespace mlxts::support
