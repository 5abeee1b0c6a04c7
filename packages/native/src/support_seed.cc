// Helpers for the seed ops einsum, tensordot, as_strided, the fft family, slice_update, gather,
// scatter (every ScatterKind) and conv_general. Each one validates what MLX leaves unchecked (reads or writes outside
// a buffer) so that bad input is a JS error, never a crash.
#include <algorithm>
#include <cstdint>
#include <string>

#include <mlx/einsum.h>
#include <mlx/fft.h>

#include "op_support.h"

namespace mlxts::support {

namespace {

int seed_axis(int axis, int ndim, const char* op) {
  if (axis < -ndim || axis >= ndim) {
    throw std::invalid_argument(std::string("[") + op + "] axis " + std::to_string(axis) +
                                " is out of bounds for a tensor with " + std::to_string(ndim) + " dimensions");
  }
  return axis < 0 ? axis + ndim : axis;
}


mx::fft::FFTNorm fft_norm(const std::string& norm) {
  if (norm == "backward") return mx::fft::FFTNorm::Backward;
  if (norm == "ortho") return mx::fft::FFTNorm::Ortho;
  if (norm == "forward") return mx::fft::FFTNorm::Forward;
  throw std::invalid_argument("[fft] unknown norm '" + norm + "' (expected backward, ortho or forward)");
}

}  // namespace

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

std::vector<std::vector<int>> int_lists(Napi::Value value, const char* name) {
  if (!value.IsArray()) throw ArgumentTypeError(std::string(name) + " must be a list of integer lists");
  Napi::Array list = value.As<Napi::Array>();
  std::vector<std::vector<int>> out;
  for (uint32_t i = 0; i < list.Length(); ++i) out.push_back(conv::integers(list.Get(i), name));
  return out;
}

mx::array einsum(const std::string& subscripts, const std::vector<mx::array>& operands, mx::StreamOrDevice s) {
  return mx::einsum(subscripts, operands, s);
}

mx::array tensordot(const mx::array& a, const mx::array& b, const std::vector<std::vector<int>>& axes,
                    mx::StreamOrDevice s) {
  if (axes.size() != 2 || axes[0].size() != axes[1].size()) {
    throw UsageError("axes must be a pair of lists of equal length");
  }
  auto norm = [](std::vector<int> ax, const mx::array& x, const char* which) {
    int nd = static_cast<int>(x.ndim());
    for (int& v : ax) {
      if (v < -nd || v >= nd) {
        throw UsageError(std::string("axis ") + std::to_string(v) + " is out of bounds for " + which + " with " +
                         std::to_string(nd) + " dimensions");
      }
      if (v < 0) v += nd;
    }
    std::vector<int> sorted(ax);
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      throw UsageError(std::string("repeated axis in the axes of ") + which);
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
  if (shape.size() != strides.size()) throw UsageError("shape and strides must have the same length");
  if (offset < 0) throw UsageError("offset must be non-negative");
  int64_t lo = offset, hi = offset;
  bool empty = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) throw UsageError("shape entries must be non-negative");
    if (shape[i] == 0) empty = true;
    int64_t reach = static_cast<int64_t>(strides[i]) * (shape[i] - 1);
    if (reach < 0) lo += reach; else hi += reach;
  }
  if (!empty && (lo < 0 || hi >= static_cast<int64_t>(a.size()))) {
    throw UsageError("the view would read outside the input (reachable indices " + std::to_string(lo) +
                     ".." + std::to_string(hi) + ", input size " + std::to_string(a.size()) + ")");
  }
  return mx::as_strided(a, mx::Shape(shape.begin(), shape.end()), mx::Strides(strides.begin(), strides.end()),
                        empty ? 0 : static_cast<size_t>(offset), s);
}

mx::array fft1(const mx::array& a, std::optional<int> n, int axis, const std::string& norm, bool inverse,
               mx::StreamOrDevice s) {
  auto nm = fft_norm(norm);
  if (a.ndim() == 0) throw UsageError("the input must have at least one axis");
  if (n) {
    if (*n <= 0) throw UsageError("n must be positive");
    return inverse ? mx::fft::ifft(a, *n, axis, nm, s) : mx::fft::fft(a, *n, axis, nm, s);
  }
  return inverse ? mx::fft::ifft(a, axis, nm, s) : mx::fft::fft(a, axis, nm, s);
}

mx::array fft2(const mx::array& a, const std::optional<std::vector<int>>& n, const std::optional<std::vector<int>>& axes_opt,
               const std::string& norm, bool inverse, mx::StreamOrDevice s) {
  auto nm = fft_norm(norm);
  std::vector<int> axes = axes_opt.value_or(std::vector<int>{-2, -1});
  for (int ax : axes) {
    if (ax < -static_cast<int>(a.ndim()) || ax >= static_cast<int>(a.ndim())) {
      throw UsageError("axis " + std::to_string(ax) + " is out of bounds for a tensor with " +
                       std::to_string(a.ndim()) + " dimensions");
    }
  }
  if (n) {
    for (int v : *n) if (v <= 0) throw UsageError("sizes in s must be positive");
    mx::Shape sh(n->begin(), n->end());
    return inverse ? mx::fft::ifft2(a, sh, axes, nm, s) : mx::fft::fft2(a, sh, axes, nm, s);
  }
  return inverse ? mx::fft::ifft2(a, axes, nm, s) : mx::fft::fft2(a, axes, nm, s);
}

mx::array slice_update(const mx::array& a, const mx::array& update, const std::vector<int>& start,
                       const std::vector<int>& stop, const std::optional<std::vector<int>>& strides,
                       mx::StreamOrDevice s) {
  SliceBounds b = slice_bounds(a, start, stop, strides);
  return mx::slice_update(a, update, b.begin, b.end, b.step, s);
}

namespace {

std::vector<mx::array> safe_nd_indices(const mx::array& a, const std::vector<mx::array>& indices,
                                       std::vector<int>& axes, const std::vector<int>& window, const char* op,
                                       mx::StreamOrDevice s) {
  if (indices.size() != axes.size()) {
    throw UsageError("indices and axes must have the same length");
  }
  int ndim = static_cast<int>(a.ndim());
  std::vector<mx::array> out;
  for (size_t i = 0; i < axes.size(); ++i) {
    axes[i] = seed_axis(axes[i], ndim, op);
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
    throw UsageError("sliceSizes must have one entry per axis of a");
  }
  for (size_t i = 0; i < slice_sizes.size(); ++i) {
    if (slice_sizes[i] < 0 || slice_sizes[i] > a.shape(i)) {
      throw UsageError("slice size " + std::to_string(slice_sizes[i]) + " does not fit axis " +
                       std::to_string(i));
    }
  }
  auto safe = safe_nd_indices(a, indices, axes, slice_sizes, "gather", s);
  mx::array out = mx::gather(a, safe, axes, mx::Shape(slice_sizes.begin(), slice_sizes.end()), s);
  // Nothing to read: the graph node above validated the arguments; skip the kernel.
  if (out.size() == 0) return mx::zeros(out.shape(), out.dtype(), s);
  return out;
}

mx::array scatter(const mx::array& a, const std::vector<mx::array>& indices, const mx::array& updates,
                  std::vector<int> axes, bool add, mx::StreamOrDevice s) {
  return scatter(a, indices, updates, std::move(axes), add ? ScatterKind::Add : ScatterKind::Set, s);
}

mx::array scatter(const mx::array& a, const std::vector<mx::array>& indices, const mx::array& updates,
                  std::vector<int> axes, ScatterKind kind, mx::StreamOrDevice s) {
  const char* op = scatter_kind_name(kind);
  if (indices.empty()) throw UsageError("at least one index tensor is required");
  // Trailing dims of `updates` are the slice written at each index; they must fit inside `a`.
  size_t nd = a.ndim();
  if (updates.ndim() < nd) {
    throw UsageError("updates must have ndim = index ndim + a.ndim");
  }
  std::vector<int> window(nd);
  size_t base = updates.ndim() - nd;
  for (size_t i = 0; i < nd; ++i) {
    window[i] = updates.shape(base + i);
    if (window[i] > a.shape(i)) {
      throw UsageError("the update slice does not fit a along axis " + std::to_string(i));
    }
  }
  auto safe = safe_nd_indices(a, indices, axes, window, op, s);
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

mx::array conv_general(const mx::array& input, const mx::array& weight, const std::optional<std::vector<int>>& stride,
                       const std::optional<std::vector<int>>& padding_lo,
                       const std::optional<std::vector<int>>& padding_hi,
                       const std::optional<std::vector<int>>& kernel_dilation,
                       const std::optional<std::vector<int>>& input_dilation, int groups, bool flip,
                       mx::StreamOrDevice s) {
  auto check = [](const std::optional<std::vector<int>>& v, int min, const char* name) {
    if (!v) return;
    for (int x : *v) {
      if (x < min) throw UsageError(std::string("") + name + " entries must be >= " + std::to_string(min));
    }
  };
  check(stride, 1, "stride");
  check(padding_lo, 0, "paddingLo");
  check(padding_hi, 0, "paddingHi");
  check(kernel_dilation, 1, "kernelDilation");
  check(input_dilation, 1, "inputDilation");
  if (groups < 1) throw UsageError("groups must be >= 1");
  if (input.ndim() < 3 || input.ndim() > 5) {
    throw UsageError("input must be [N, ...spatial, C] with 1 to 3 spatial dims");
  }
  // MLX's own size check ignores part of the dilation/stride arithmetic (a padded input shorter than the
  // dilated kernel can still produce an output that reads past the padded buffer): require that the
  // dilated kernel fits inside the dilated, padded input on every spatial axis.
  int spatial = static_cast<int>(input.ndim()) - 2;
  auto entry = [&](const std::optional<std::vector<int>>& v, int i, int fallback) {
    if (!v || v->empty()) return fallback;
    if (v->size() == 1) return (*v)[0];
    return i < static_cast<int>(v->size()) ? (*v)[i] : fallback;
  };
  if (input.size() > 0 && weight.size() > 0 && static_cast<int>(weight.ndim()) == spatial + 2) {
    for (int i = 0; i < spatial; ++i) {
      int64_t len = input.shape(1 + i);
      int64_t k = weight.shape(1 + i);
      int64_t in = (len - 1) * entry(input_dilation, i, 1) + 1 + entry(padding_lo, i, 0) + entry(padding_hi, i, 0);
      int64_t span = (k - 1) * entry(kernel_dilation, i, 1) + 1;
      if (span > in) {
        throw UsageError("the dilated kernel (" + std::to_string(span) + ") is longer than the dilated, padded input (" +
                         std::to_string(in) + ") along spatial axis " + std::to_string(i));
      }
    }
  }
  mx::array out =
      mx::conv_general(input, weight, stride.value_or(std::vector<int>{}), padding_lo.value_or(std::vector<int>{}),
                       padding_hi.value_or(std::vector<int>{}), kernel_dilation.value_or(std::vector<int>{}),
                       input_dilation.value_or(std::vector<int>{}), groups, flip, s);
  // An empty input or kernel (zero channels crash the CPU kernel with a division by zero): the node
  // above validated the shapes; the sum over nothing is 0.
  if (input.size() == 0 || weight.size() == 0) return mx::zeros(out.shape(), out.dtype(), s);
  return out;
}

}  // namespace mlxts::support
