// Helpers for the smaller public ops of mlx/ops.h: hadamard_transform, the fp8 conversions, minmax,
// unique, number_of_elements, the window functions, median, unstack, tril, triu and depends. Each checks what MLX leaves
// unchecked or gets wrong on the CPU (unchecked axes, kernel-time dtype failures, garbage for float64,
// allocations past the memory limit), so that bad input is a clear error, never a crash or a silently
// wrong result.
#include <cstdio>
#include <set>
#include <string>

#include "op_support.h"
#include "runtime.h"

namespace mlxts::support {

namespace {

// The lengths MLX has a Hadamard matrix for: n = m * 2^k with m in {1, 12, 20, 28}, that is an odd
// part of 1, or of 3, 5 or 7 with at least a factor 4 beside it.
bool misc_hadamard_size_ok(int n) {
  if (n <= 0) return false;
  int twos = 0;
  for (; n % 2 == 0; n /= 2) ++twos;
  return n == 1 || ((n == 3 || n == 5 || n == 7) && twos >= 2);
}

}  // namespace

mx::array hadamard_transform(const mx::array& a, std::optional<float> scale, mx::StreamOrDevice s) {
  // MLX casts complex input to float32 (dropping the imaginary part) and fails on float64 only when
  // the kernel runs; both are rejected here, when the op is built.
  if (a.dtype() == mx::complex64) throw std::invalid_argument("[hadamard_transform] complex64 input is not supported");
  if (a.dtype() == mx::float64) {
    throw std::invalid_argument("[hadamard_transform] float64 input is not supported (cast to float32)");
  }
  int n = a.ndim() == 0 ? 1 : a.shape().back();
  if (a.size() > 0 && !misc_hadamard_size_ok(n)) {
    throw std::invalid_argument("[hadamard_transform] the last axis has length " + std::to_string(n) +
                                "; supported lengths are m * 2^k with m in (1, 12, 20, 28)");
  }
  // MLX returns an input of length 1 with the default scale as it is, so an integer input would keep
  // its dtype there and become float32 everywhere else: cast first, so the result is always float32.
  if (!mx::issubdtype(a.dtype(), mx::floating)) return mx::hadamard_transform(mx::astype(a, mx::float32, s), scale, s);
  return mx::hadamard_transform(a, scale, s);
}

// MLX's fp8 kernels read float64 as if it were a narrower float (garbage out); float64 goes through
// float32 instead, which holds every E4M3 value exactly.
mx::array to_fp8(const mx::array& x, mx::StreamOrDevice s) {
  return mx::to_fp8(x.dtype() == mx::float64 ? mx::astype(x, mx::float32, s) : x, s);
}

mx::array from_fp8(const mx::array& x, mx::Dtype dtype, mx::StreamOrDevice s) {
  if (dtype == mx::float64) return mx::astype(mx::from_fp8(x, mx::float32, s), mx::float64, s);
  return mx::from_fp8(x, dtype, s);
}

std::vector<mx::array> minmax(const mx::array& a, const std::optional<std::vector<int>>& axes, bool keepdims,
                              mx::StreamOrDevice s) {
  auto [lo, hi] = axes ? mx::minmax(a, *axes, keepdims, s) : mx::minmax(a, keepdims, s);
  return {lo, hi};
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

mx::array number_of_elements(const mx::array& a, const std::vector<int>& axes, bool inverted, mx::Dtype dtype,
                             mx::StreamOrDevice s) {
  // MLX indexes the shape with the axes unchecked (an out-of-range axis reads past the shape).
  int ndim = static_cast<int>(a.ndim());
  std::set<int> seen;
  for (int axis : axes) {
    if (!seen.insert(normalize_axis(axis, ndim)).second) {
      throw std::invalid_argument("[number_of_elements] duplicate axis " + std::to_string(axis));
    }
  }
  // The reciprocal of a count is below 1: an integer dtype would silently give 0.
  if (inverted && !mx::issubdtype(dtype, mx::inexact)) {
    throw std::invalid_argument("[number_of_elements] inverted needs a floating-point dtype");
  }
  return mx::number_of_elements(a, axes, inverted, dtype, s);
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

mx::array median(const mx::array& a, const std::vector<int>& axes, bool keepdims, mx::StreamOrDevice s) {
  // MLX flattens the reduced axes first and fails with an internal flatten error when there are none;
  // an empty list reduces nothing, as in the other reductions: each element is its own median.
  if (axes.empty()) return mx::issubdtype(a.dtype(), mx::inexact) ? mx::copy(a, s) : mx::astype(a, mx::float32, s);
  return mx::median(a, axes, keepdims, s);
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

mx::array tril(const mx::array& a, int k, mx::StreamOrDevice s) {
  return a.ndim() >= 2 && a.size() == 0 ? a : mx::tril(a, k, s);
}

mx::array triu(const mx::array& a, int k, mx::StreamOrDevice s) {
  return a.ndim() >= 2 && a.size() == 0 ? a : mx::triu(a, k, s);
}

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

std::vector<mx::array> meshgrid(const std::vector<mx::array>& arrays, bool sparse, const std::string& indexing,
                                mx::StreamOrDevice s) {
  // Each output's shape and strides hold an int and an int64 per axis.
  long double n = arrays.size();
  require_fits_in_memory(n * n * (sizeof(int) + sizeof(int64_t)), "the shapes of " + std::to_string(arrays.size()) +
                                                                         " grids of " + std::to_string(arrays.size()) + " axes");
  return mx::meshgrid(arrays, sparse, indexing, s);
}

std::vector<mx::array> depends(const std::vector<mx::array>& inputs, const std::vector<mx::array>& dependencies) {
  if (inputs.empty()) return {};
  return mx::depends(inputs, dependencies);
}

}  // namespace mlxts::support
