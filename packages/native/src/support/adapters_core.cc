// Adapters: argument forms of the core family's JS API that MLX's C++ signatures do not take and the
// schema's types cannot express (arange's one-bound form, slices given for the leading axes only, a
// std::tuple result), and checks the error rule asks for before MLX sees the arguments.
#include <cmath>
#include <string>

#include "errors.h"
#include "support/core.h"

namespace mlxts::support {

namespace {

// Full-rank begin/end/step for a static slice given for the leading axes (the rest taken whole); checks
// the lists' lengths and that no stride is 0. mx::slice and mx::slice_update follow Python's
// slice.indices() on them: negative indices count from the end and out-of-range ones clamp.
struct SliceBounds {
  mx::Shape begin, end, step;
};

SliceBounds slice_bounds(const mx::array& a, const std::vector<int>& start, const std::vector<int>& stop,
                         const std::optional<std::vector<int>>& strides) {
  size_t n = start.size();
  if (stop.size() != n || (strides && strides->size() != n)) {
    throw ArgumentRangeError("start, stop and strides must have the same length");
  }
  if (n > a.ndim()) throw std::invalid_argument("more slice indices than the tensor has axes");
  SliceBounds b{mx::Shape(a.ndim(), 0), a.shape(), mx::Shape(a.ndim(), 1)};
  for (size_t i = 0; i < n; ++i) {
    int st = strides ? (*strides)[i] : 1;
    if (st == 0) throw ArgumentRangeError("a slice stride cannot be 0");
    b.begin[i] = start[i];
    b.end[i] = stop[i];
    b.step[i] = st;
  }
  return b;
}

}  // namespace

mx::array arange(double start, std::optional<double> stop, std::optional<double> step, std::optional<mx::Dtype> dtype,
                 mx::StreamOrDevice s) {
  double begin = stop ? start : 0.0;
  double end = stop ? *stop : start;
  double delta = step.value_or(1.0);
  auto integral = [](double v) { return std::isfinite(v) && std::floor(v) == v; };
  mx::Dtype inferred = integral(begin) && integral(end) && integral(delta) ? mx::int32 : mx::float32;
  return mx::arange(begin, end, delta, dtype.value_or(inferred), s);
}

mx::array slice(const mx::array& a, const std::vector<int>& start, const std::vector<int>& stop,
                const std::optional<std::vector<int>>& strides, mx::StreamOrDevice s) {
  SliceBounds b = slice_bounds(a, start, stop, strides);
  return mx::slice(a, b.begin, b.end, b.step, s);
}

mx::array slice_update(const mx::array& a, const mx::array& update, const std::vector<int>& start,
                       const std::vector<int>& stop, const std::optional<std::vector<int>>& strides,
                       mx::StreamOrDevice s) {
  SliceBounds b = slice_bounds(a, start, stop, strides);
  return mx::slice_update(a, update, b.begin, b.end, b.step, s);
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

std::vector<mx::array> minmax(const mx::array& a, const std::optional<std::vector<int>>& axes, bool keepdims,
                              mx::StreamOrDevice s) {
  auto [lo, hi] = axes ? mx::minmax(a, *axes, keepdims, s) : mx::minmax(a, keepdims, s);
  return {lo, hi};
}

mx::array tile(const mx::array& a, const std::vector<int>& reps, mx::StreamOrDevice s) {
  for (int r : reps) {
    if (r < 0) throw ArgumentRangeError("[tile] reps must be non-negative, got " + std::to_string(r));
  }
  return mx::tile(a, reps, s);
}

}  // namespace mlxts::support
