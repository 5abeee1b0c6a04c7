// Helpers for the elementwise math ops of the schema (declared in op_support.h, namespace support).
#include <cmath>

#include "op_support.h"

namespace mlxts::support {

mx::array weak_scalar_like(const mx::array& a, double value) {
  mx::Dtype peer = a.dtype();
  bool integral = std::isfinite(value) && std::floor(value) == value;
  if (mx::issubdtype(peer, mx::inexact)) return mx::array(value, peer);
  if (mx::issubdtype(peer, mx::integer) && integral) return mx::array(value, peer);
  if (peer == mx::bool_ && integral) return mx::array(value, mx::int32);
  return mx::array(value, mx::float32);
}

namespace {

// The dtypes whose division by -1 traps on INT_MIN (narrower ones are promoted to int in C++).
bool traps_on_minus_one(mx::Dtype dtype) { return dtype == mx::int32 || dtype == mx::int64; }

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

}  // namespace mlxts::support

namespace mlxts::support {

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

mx::array sign(const mx::array& a, mx::StreamOrDevice s) {
  mx::array out = mx::sign(a, s);
  if (!mx::issubdtype(a.dtype(), mx::floating)) return out;
  return mx::where(mx::isnan(a, s), a, out, s);
}

}  // namespace mlxts::support
