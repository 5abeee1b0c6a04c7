// Axes and indices made safe before MLX sees them (declared in indices.h), for the guards of every family.
#include <algorithm>
#include <cstdint>
#include <string>

#include "dtype.h"
#include "support/indices.h"

namespace mlxts::support {

int normalize_axis(int axis, int ndim, const std::string& what) {
  if (axis < -ndim || axis >= ndim) {
    throw std::invalid_argument("axis " + std::to_string(axis) + " is out of bounds for " + what + " with " +
                                std::to_string(ndim) + " dimensions");
  }
  return axis < 0 ? axis + ndim : axis;
}

mx::array clamp_indices(const mx::array& indices, int size, mx::StreamOrDevice s) {
  if (!mx::issubdtype(indices.dtype(), mx::integer)) return indices;  // MLX rejects these itself
  // In int64: a narrow index dtype cannot hold the axis length (int8 indices on an axis of 200 would
  // wrap the bounds themselves and clamp to a negative index).
  return clamp_indices(indices, size, size - 1, s);
}

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

void require_integer(const mx::array& t, const char* name) {
  if (!mx::issubdtype(t.dtype(), mx::integer)) {
    throw std::invalid_argument(std::string(name) + " must have an integer dtype, got " + dtype_name(t.dtype()));
  }
}

}  // namespace mlxts::support
