// Helpers for put_along_axis, scatter_add_axis, dynamic slicing, slice_update_{add,prod,max,min},
// masked_scatter, addmm, block_masked_mm and gather_mm. MLX's kernels for these trust their inputs: an
// out-of-range index or dynamic start reads or writes outside the buffer (seen as garbage values and heap
// corruption), so every index is wrapped and clamped here before MLX sees it; other gaps (empty operands,
// float32-only kernels) are handled where they occur.
#include <algorithm>
#include <cstdint>
#include <string>

#include "op_support.h"

namespace mlxts::support {

namespace {

void scatter_require_integer(const mx::array& t, const char* name) {
  if (!mx::issubdtype(t.dtype(), mx::integer)) {
    throw std::invalid_argument(std::string(name) + " must have an integer dtype, got " + dtype_name(t.dtype()));
  }
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
  scatter_require_integer(start, "start");
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

mx::array put_along_axis(const mx::array& a, const mx::array& indices, const mx::array& values,
                         std::optional<int> axis, bool add, mx::StreamOrDevice s) {
  if (!axis) {
    mx::array flat = put_along_axis(mx::flatten(a, s), indices, values, 0, add, s);
    return mx::reshape(flat, a.shape(), s);
  }
  int ax = normalize_axis(*axis, static_cast<int>(a.ndim()));
  scatter_require_integer(indices, "indices");
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

mx::array slice_update_reduce(const mx::array& a, const mx::array& update, const std::vector<int>& start,
                              const std::vector<int>& stop, const std::optional<std::vector<int>>& strides,
                              ScatterKind kind, mx::StreamOrDevice s) {
  SliceBounds b = slice_bounds(a, start, stop, strides);
  switch (kind) {
    case ScatterKind::Add: return mx::slice_update_add(a, update, b.begin, b.end, b.step, s);
    case ScatterKind::Prod: return mx::slice_update_prod(a, update, b.begin, b.end, b.step, s);
    case ScatterKind::Max: return mx::slice_update_max(a, update, b.begin, b.end, b.step, s);
    case ScatterKind::Min: return mx::slice_update_min(a, update, b.begin, b.end, b.step, s);
    default: return mx::slice_update(a, update, b.begin, b.end, b.step, s);
  }
}

mx::array masked_scatter(const mx::array& a, const mx::array& mask, const mx::array& src, mx::StreamOrDevice s) {
  mx::array out = mx::masked_scatter(a, mask, src, s);  // checks the mask's dtype and shape
  if (a.size() == 0) return mx::astype(a, out.dtype(), s);
  // MLX's kernel divides by the size of `src`: an empty one would crash the process.
  if (src.size() == 0) throw std::invalid_argument("src is empty");
  return out;
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
    scatter_require_integer(*idx, name);
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
