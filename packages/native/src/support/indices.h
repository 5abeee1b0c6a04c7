// Axes and indices made safe before MLX sees them (indices.cc): shared by the guards of every family.
// MLX's gather and scatter kernels do not bounds-check their indices (seen in MLX 0.32.4): an
// out-of-range index reads or writes outside the buffer, so every gather-like helper passes its indices
// through clamp_indices.
#pragma once
#include <string>

#include "runtime.h"

namespace mlxts::support {

// `axis` of a tensor with `ndim` axes, negative ones counted from the end. Out of range is the kind of
// error MLX raises for its own axis checks (an MlxError in JS): "axis 3 is out of bounds for a tensor
// with 2 dimensions", where `what` names the tensor.
int normalize_axis(int axis, int ndim, const std::string& what = "a tensor");

// Indices mapped into [0, size): negative ones count from the end, the rest clamp. Non-integer indices
// are returned unchanged for MLX to reject.
mx::array clamp_indices(const mx::array& indices, int size, mx::StreamOrDevice s);

// Integer indices as int64, negative ones counted from the end of an axis of length `size`, then clamped
// into [0, hi]. Non-integer indices are rejected.
mx::array clamp_indices(const mx::array& indices, int size, int hi, mx::StreamOrDevice s);

// An MlxError naming `name` unless `t` has an integer dtype.
void require_integer(const mx::array& t, const char* name);

}  // namespace mlxts::support
