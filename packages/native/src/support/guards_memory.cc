// Guards for MLX defects (seen in MLX 0.32.4) in what an op allocates beyond its result. The runtime
// refuses a result past MLX's memory limit when the op is built, but these ops also build intermediates
// (aranges, masks, float32 working copies) or return one tensor per part, which that check does not see:
// each is refused here when it could not fit, or made without the intermediates where it is empty.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "errors.h"
#include "runtime.h"
#include "support/core.h"

namespace mlxts::support {

namespace {

// A JS number beside `a` as a weak scalar that takes the dtype of `a`, by the same rule as operand
// conversion (a non-integral number beside an integer or bool tensor is float32).
mx::array weak_scalar_like(const mx::array& a, double value) {
  mx::Dtype peer = a.dtype();
  bool integral = std::isfinite(value) && std::floor(value) == value;
  if (mx::issubdtype(peer, mx::inexact)) return mx::array(value, peer);
  if (mx::issubdtype(peer, mx::integer) && integral) return mx::array(value, peer);
  if (peer == mx::bool_ && integral) return mx::array(value, mx::int32);
  return mx::array(value, mx::float32);
}

}  // namespace

mx::array tri(int n, int m, int k, mx::Dtype dtype, mx::StreamOrDevice s) {
  if (n < 0 || m < 0) {
    throw ArgumentRangeError("n and m must be >= 0, got " + std::to_string(n) + " and " + std::to_string(m));
  }
  if (n == 0 || m == 0) return mx::zeros({n, m}, dtype, s);
  // MLX compares an int32 arange of n with one of m into a bool matrix, then casts it.
  long double cells = static_cast<long double>(n) * m;
  require_fits_in_memory(4.0L * n + 4.0L * m + cells * (dtype == mx::bool_ ? 1 : 1 + dtype.size()),
                         "tri of " + std::to_string(n) + " x " + std::to_string(m) + " and its working set");
  return mx::tri(n, m, k, dtype, s);
}

mx::array linspace(double start, double stop, int num, bool endpoint, mx::Dtype dtype, mx::StreamOrDevice s) {
  // MLX computes the values in float32 (an arange, its complement and their scaled sum), then casts.
  long double extra = dtype == mx::float32 ? 0 : dtype.size();
  require_fits_in_memory(static_cast<long double>(std::max(num, 0)) * (3 * 4 + extra),
                         "linspace of " + std::to_string(num) + " values and its float32 working set");
  return mx::linspace(start, stop, num, endpoint, dtype, s);
}

mx::array window_function(WindowKind kind, int M, mx::StreamOrDevice s) {
  // The window is built from float32 temporaries as long as itself (a range, its cosine, the sums);
  // only the result is checked against the memory limit when the op is built, so a window whose
  // working set cannot fit is refused here rather than failing to allocate while it runs.
  constexpr double kBuffers = 3;
  long double bytes = kBuffers * 4.0L * std::max(M, 0);
  const char* name = kind == WindowKind::Hanning ? "hanning" : kind == WindowKind::Hamming ? "hamming"
                     : kind == WindowKind::Blackman ? "blackman" : "bartlett";
  require_fits_in_memory(bytes, "[" + std::string(name) + "] computing a window of " + std::to_string(M) + " points");
  switch (kind) {
    case WindowKind::Hanning: return mx::hanning(M, s);
    case WindowKind::Hamming: return mx::hamming(M, s);
    case WindowKind::Blackman: return mx::blackman(M, s);
    case WindowKind::Bartlett: break;
  }
  return mx::bartlett(M, s);
}

std::vector<mx::array> unique(const mx::array& a, int size, bool return_index, bool return_inverse,
                              bool return_counts, std::optional<double> fill_value, mx::StreamOrDevice s) {
  // Each output is checked against the memory limit on its own when it is wrapped; together (values,
  // 4-byte indices and counts) they must fit too, or the kernel would fail to allocate while it runs.
  long double bytes = static_cast<long double>(std::max(size, 0)) * (a.itemsize() + 8.0L);
  require_fits_in_memory(bytes, "[unique] the outputs of size " + std::to_string(size));
  std::optional<mx::array> fill;
  if (fill_value) fill = weak_scalar_like(a, *fill_value);
  return mx::unique(a, size, return_index, return_inverse, return_counts, fill, s);
}

std::vector<mx::array> meshgrid(const std::vector<mx::array>& arrays, bool sparse, const std::string& indexing,
                                mx::StreamOrDevice s) {
  // Each output's shape and strides hold an int and an int64 per axis.
  long double n = arrays.size();
  require_fits_in_memory(n * n * (sizeof(int) + sizeof(int64_t)), "the shapes of " + std::to_string(arrays.size()) +
                                                                         " grids of " + std::to_string(arrays.size()) + " axes");
  return mx::meshgrid(arrays, sparse, indexing, s);
}

std::vector<mx::array> unstack(const mx::array& a, int axis, mx::StreamOrDevice s) {
  // One tensor per index costs about 1.5 KB of native memory plus a JS object, whatever the input's
  // size: an axis of ten million (even of empty rows) would exhaust the process before returning.
  constexpr int kMaxParts = 1 << 20;
  int ndim = static_cast<int>(a.ndim());
  if (axis >= -ndim && axis < ndim && a.shape(axis < 0 ? axis + ndim : axis) > kMaxParts) {
    throw std::invalid_argument("[unstack] the axis has " + std::to_string(a.shape(axis < 0 ? axis + ndim : axis)) +
                                " entries, more than the " + std::to_string(kMaxParts) +
                                " parts unstack returns (use take or slice to read entries)");
  }
  return mx::unstack(a, axis, s);
}

std::vector<mx::array> split(const mx::array& a, int sections, int axis, mx::StreamOrDevice s) {
  constexpr int kMaxSections = 1 << 20;
  if (sections > kMaxSections) {
    throw ArgumentRangeError("indicesOrSections must be at most " + std::to_string(kMaxSections) + " sections, got " +
                             std::to_string(sections));
  }
  return mx::split(a, sections, axis, s);
}

mx::array tril(const mx::array& a, int k, mx::StreamOrDevice s) {
  return a.ndim() >= 2 && a.size() == 0 ? a : mx::tril(a, k, s);
}

mx::array triu(const mx::array& a, int k, mx::StreamOrDevice s) {
  return a.ndim() >= 2 && a.size() == 0 ? a : mx::triu(a, k, s);
}

}  // namespace mlxts::support
