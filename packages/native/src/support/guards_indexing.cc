// Guards for an MLX defect (seen in MLX 0.32.4): the gather and scatter kernels and dynamic slices do
// not bounds-check indices or starts, so an out-of-range one reads or writes outside the buffer (seen as
// garbage values and heap corruption). Every index is wrapped and clamped here (indices.h) before MLX
// sees it; the other gaps of these kernels (empty operands) are handled where they occur.
#include <algorithm>
#include <cstdint>
#include <string>

#include "errors.h"
#include "support/core.h"
#include "support/indices.h"

namespace mlxts::support {

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

// Normalised, distinct axes (MLX would reject duplicates too, but the clamping below needs them first).
std::vector<int> scatter_distinct_axes(std::vector<int> axes, int ndim) {
  for (int& ax : axes) ax = normalize_axis(ax, ndim);
  std::vector<int> sorted = axes;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) throw std::invalid_argument("axes must be distinct");
  return axes;
}

// A dynamic start (0-d or 1-d, one entry per axis) made safe for a block of `block[axis]` elements:
// negative entries count from the end of their axis, then each is clamped into [0, size - block].
mx::array scatter_safe_start(const mx::array& a, const mx::array& start, const std::vector<int>& axes,
                             const std::vector<int>& block, mx::StreamOrDevice s) {
  require_integer(start, "start");
  if (start.ndim() > 1) throw std::invalid_argument("start must be a scalar or a 1-D tensor");
  if (start.size() != axes.size()) {
    throw std::invalid_argument("start has " + std::to_string(start.size()) + " entries but axes has " +
                     std::to_string(axes.size()));
  }
  std::vector<int64_t> sizes, his;
  for (int ax : axes) {
    sizes.push_back(a.shape(ax));
    his.push_back(std::max(a.shape(ax) - block[ax], 0));
  }
  int n = static_cast<int>(axes.size());
  mx::array size(sizes.begin(), {n}, mx::int64);
  mx::array hi(his.begin(), {n}, mx::int64);
  mx::array zero(0, mx::int64);
  mx::array idx = mx::reshape(start, {n}, s);
  if (idx.dtype() == mx::uint64) idx = mx::minimum(idx, mx::array(static_cast<uint64_t>(INT32_MAX), mx::uint64), s);
  idx = mx::astype(idx, mx::int64, s);
  idx = mx::where(mx::less(idx, zero, s), mx::add(idx, size, s), idx, s);
  return mx::clip(idx, zero, hi, s);
}

}  // namespace

mx::array take(const mx::array& a, const mx::array& indices, std::optional<int> axis, mx::StreamOrDevice s) {
  if (!axis) return mx::take(a, clamp_indices(indices, static_cast<int>(a.size()), s), s);
  int ax = normalize_axis(*axis, static_cast<int>(a.ndim()));
  return mx::take(a, clamp_indices(indices, a.shape(ax), s), ax, s);
}

mx::array take_along_axis(const mx::array& a, const mx::array& indices, int axis, mx::StreamOrDevice s) {
  int ax = normalize_axis(axis, static_cast<int>(a.ndim()));
  return mx::take_along_axis(a, clamp_indices(indices, a.shape(ax), s), ax, s);
}

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

mx::array put_along_axis(const mx::array& a, const mx::array& indices, const mx::array& values,
                         std::optional<int> axis, bool add, mx::StreamOrDevice s) {
  if (!axis) {
    mx::array flat = put_along_axis(mx::flatten(a, s), indices, values, 0, add, s);
    return mx::reshape(flat, a.shape(), s);
  }
  int ax = normalize_axis(*axis, static_cast<int>(a.ndim()));
  require_integer(indices, "indices");
  // MLX would broadcast `a` itself up to the indices' shape (the result then has another shape than `a`);
  // the writes must fit `a` as it is.
  if (indices.ndim() == a.ndim()) {
    mx::Shape target = mx::broadcast_shapes(indices.shape(), values.shape());
    if (target.size() != a.ndim()) throw std::invalid_argument("values has more dimensions than a");
    for (int j = 0; j < static_cast<int>(a.ndim()); ++j) {
      if (j != ax && target[j] != 1 && target[j] != a.shape(j)) {
        throw std::invalid_argument("indices and values (broadcast to length " + std::to_string(target[j]) + ") do not fit a (length " +
                         std::to_string(a.shape(j)) + ") along axis " + std::to_string(j));
      }
    }
  }
  int size = a.shape(ax);
  mx::array safe = clamp_indices(indices, size, size - 1, s);
  mx::array out = add ? mx::scatter_add_axis(a, safe, values, ax, s) : mx::put_along_axis(a, safe, values, ax, s);
  // Nothing can be written into an empty `a` (its axis may even be 0 long, where no index is valid):
  // the node above has validated the shapes; return `a` unchanged.
  if (a.size() == 0 || indices.size() == 0) return mx::astype(a, out.dtype(), s);
  return out;
}

mx::array slice_dynamic(const mx::array& a, const mx::array& start, std::vector<int> axes,
                        const std::vector<int>& slice_size, mx::StreamOrDevice s) {
  int ndim = static_cast<int>(a.ndim());
  if (static_cast<int>(slice_size.size()) != ndim) {
    throw std::invalid_argument("sliceSize has " + std::to_string(slice_size.size()) + " entries but a has " +
                     std::to_string(ndim) + " dimensions");
  }
  for (int i = 0; i < ndim; ++i) {
    if (slice_size[i] < 0 || slice_size[i] > a.shape(i)) {
      throw std::invalid_argument("slice size " + std::to_string(slice_size[i]) + " does not fit axis " + std::to_string(i) +
                       " of length " + std::to_string(a.shape(i)));
    }
  }
  axes = scatter_distinct_axes(std::move(axes), ndim);
  mx::array safe = scatter_safe_start(a, start, axes, slice_size, s);
  return mx::slice(a, safe, axes, mx::Shape(slice_size.begin(), slice_size.end()), s);
}

mx::array slice_update_dynamic(const mx::array& a, const mx::array& update, const mx::array& start,
                               std::vector<int> axes, mx::StreamOrDevice s) {
  int ndim = static_cast<int>(a.ndim());
  if (static_cast<int>(update.ndim()) > ndim) {
    throw std::invalid_argument("update has more dimensions (" + std::to_string(update.ndim()) + ") than a (" +
                     std::to_string(ndim) + ")");
  }
  // MLX misplaces an update of lower rank than `a` (it lands in the wrong rows), so it is given a's rank
  // here: the update's shape, with leading 1s, is the block that gets written.
  mx::Shape shape(ndim - update.ndim(), 1);
  shape.insert(shape.end(), update.shape().begin(), update.shape().end());
  mx::array upd = mx::reshape(update, shape, s);
  std::vector<int> block(shape.begin(), shape.end());
  for (int i = 0; i < ndim; ++i) {
    if (block[i] > a.shape(i)) {
      throw std::invalid_argument("the update (" + std::to_string(block[i]) + " along axis " + std::to_string(i) +
                       ") does not fit a (" + std::to_string(a.shape(i)) + ")");
    }
  }
  axes = scatter_distinct_axes(std::move(axes), ndim);
  mx::array safe = scatter_safe_start(a, start, axes, block, s);
  mx::array out = mx::slice_update(a, upd, safe, axes, s);
  if (upd.size() == 0 || a.size() == 0) return mx::astype(a, out.dtype(), s);
  return out;
}

mx::array masked_scatter(const mx::array& a, const mx::array& mask, const mx::array& src, mx::StreamOrDevice s) {
  mx::array out = mx::masked_scatter(a, mask, src, s);  // checks the mask's dtype and shape
  if (a.size() == 0) return mx::astype(a, out.dtype(), s);
  // MLX's kernel divides by the size of `src`: an empty one would crash the process.
  if (src.size() == 0) throw std::invalid_argument("src is empty");
  return out;
}

}  // namespace mlxts::support
