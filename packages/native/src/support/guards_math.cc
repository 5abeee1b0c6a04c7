// Guards for MLX defects (seen in MLX 0.32.4) in elementwise math, reductions and transforms of values:
// integer divisions that trap (SIGFPE), results computed in the wrong dtype, kernels that fail only when
// they run, unchecked axes, and loops that run past an empty axis. Each op's declaration in core.h names
// its defect.
#include <algorithm>
#include <set>
#include <string>

#include "support/core.h"
#include "support/indices.h"

namespace mlxts::support {

namespace {

// The dtypes whose division by -1 traps on INT_MIN (narrower ones are promoted to int in C++).
bool traps_on_minus_one(mx::Dtype dtype) { return dtype == mx::int32 || dtype == mx::int64; }

// The lengths MLX has a Hadamard matrix for: n = m * 2^k with m in {1, 12, 20, 28}, that is an odd
// part of 1, or of 3, 5 or 7 with at least a factor 4 beside it.
bool hadamard_size_ok(int n) {
  if (n <= 0) return false;
  int twos = 0;
  for (; n % 2 == 0; n /= 2) ++twos;
  return n == 1 || ((n == 3 || n == 5 || n == 7) && twos >= 2);
}

}  // namespace

mx::array floor_divide(const mx::array& a, const mx::array& b, mx::StreamOrDevice s) {
  mx::Dtype dtype = mx::promote_types(a.dtype(), b.dtype());
  if (!traps_on_minus_one(dtype)) return mx::floor_divide(a, b, s);
  mx::array x = mx::astype(a, dtype, s);
  mx::array y = mx::astype(b, dtype, s);
  mx::array minus_one = mx::equal(y, mx::array(-1, dtype), s);
  mx::array q = mx::floor_divide(x, mx::where(minus_one, mx::array(1, dtype), y, s), s);
  return mx::where(minus_one, mx::negative(x, s), q, s);
}

mx::array remainder(const mx::array& a, const mx::array& b, mx::StreamOrDevice s) {
  mx::Dtype dtype = mx::promote_types(a.dtype(), b.dtype());
  if (!traps_on_minus_one(dtype)) return mx::remainder(a, b, s);
  mx::array x = mx::astype(a, dtype, s);
  mx::array y = mx::astype(b, dtype, s);
  // x % -1 == x % 1 == 0, and dividing by 1 cannot trap.
  return mx::remainder(x, mx::where(mx::equal(y, mx::array(-1, dtype), s), mx::array(1, dtype), y, s), s);
}

std::vector<mx::array> divmod(const mx::array& a, const mx::array& b, mx::StreamOrDevice s) {
  mx::Dtype dtype = mx::promote_types(a.dtype(), b.dtype());
  if (mx::issubdtype(dtype, mx::inexact)) return mx::divmod(a, b, s);
  return {support::floor_divide(a, b, s), support::remainder(a, b, s)};
}

mx::array sign(const mx::array& a, mx::StreamOrDevice s) {
  mx::array out = mx::sign(a, s);
  if (!mx::issubdtype(a.dtype(), mx::floating)) return out;
  return mx::where(mx::isnan(a, s), a, out, s);
}

mx::array softmax(const mx::array& a, const std::optional<std::vector<int>>& axes, bool precise, mx::StreamOrDevice s) {
  mx::array x = mx::issubdtype(a.dtype(), mx::inexact) ? a : mx::astype(a, mx::float32, s);
  return axes ? mx::softmax(x, *axes, precise, s) : mx::softmax(x, precise, s);
}

mx::array diff(const mx::array& a, int n, int axis, mx::StreamOrDevice s) {
  // MLX differences n times in a loop even once the axis is empty, so a huge n would stall the JS thread
  // for minutes; beyond the axis length the answer is the same empty axis.
  int ndim = static_cast<int>(a.ndim());
  if (n > 0 && axis >= -ndim && axis < ndim) n = std::min(n, a.shape(axis < 0 ? axis + ndim : axis));
  return mx::diff(a, n, axis, s);
}

mx::array median(const mx::array& a, const std::vector<int>& axes, bool keepdims, mx::StreamOrDevice s) {
  // MLX flattens the reduced axes first and fails with an internal flatten error when there are none;
  // an empty list reduces nothing, as in the other reductions: each element is its own median.
  if (axes.empty()) return mx::issubdtype(a.dtype(), mx::inexact) ? mx::copy(a, s) : mx::astype(a, mx::float32, s);
  return mx::median(a, axes, keepdims, s);
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

mx::array hadamard_transform(const mx::array& a, std::optional<float> scale, mx::StreamOrDevice s) {
  // MLX casts complex input to float32 (dropping the imaginary part) and fails on float64 only when
  // the kernel runs; both are rejected here, when the op is built.
  if (a.dtype() == mx::complex64) throw std::invalid_argument("[hadamard_transform] complex64 input is not supported");
  if (a.dtype() == mx::float64) {
    throw std::invalid_argument("[hadamard_transform] float64 input is not supported (cast to float32)");
  }
  int n = a.ndim() == 0 ? 1 : a.shape().back();
  if (a.size() > 0 && !hadamard_size_ok(n)) {
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

}  // namespace mlxts::support
