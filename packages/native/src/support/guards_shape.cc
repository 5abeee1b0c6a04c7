// Guards for MLX defects (seen in MLX 0.32.4) in shape ops: shapes with negative entries MLX accepts or
// divides by zero on, pad widths that would read outside an axis, and shift lists MLX pairs with axes
// unchecked.
#include <algorithm>
#include <string>

#include "errors.h"
#include "support/core.h"

namespace mlxts::support {

namespace {

mx::Shape to_shape(const std::vector<int>& v) { return mx::Shape(v.begin(), v.end()); }

// Guard for MLX 0.32.4 defects: reshape and unflatten accept negative entries other than -1 (building
// a tensor of shape [-2, -2]), and unflatten divides by zero (SIGFPE) inferring -1 beside a 0.
const mx::Shape& inferable_shape(const mx::Shape& shape) {
  for (int d : shape) {
    if (d < -1) throw ArgumentRangeError("shape entries must be >= 0, or -1 for the one inferred entry, got " + std::to_string(d));
  }
  if (std::count(shape.begin(), shape.end(), 0) > 0 && std::count(shape.begin(), shape.end(), -1) > 0) {
    throw ArgumentRangeError("cannot infer the -1 entry of shape when another entry is 0");
  }
  return shape;
}

}  // namespace

mx::array pad(const mx::array& a, const std::vector<std::pair<int, int>>& width, const std::string& mode,
              double value, mx::StreamOrDevice s) {
  std::vector<std::pair<int, int>> w = width;
  if (w.size() == 1 && a.ndim() != 1) w.assign(a.ndim(), width[0]);
  if (w.size() != a.ndim()) {
    throw std::invalid_argument("[pad] pad_width has " + std::to_string(w.size()) + " entries for an array with " +
                                std::to_string(a.ndim()) + " dimensions");
  }
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i].first < 0 || w[i].second < 0) throw ArgumentRangeError("[pad] pad widths must be non-negative");
    if (mode != "constant" && (w[i].first > 0 || w[i].second > 0)) {
      int n = a.shape(static_cast<int>(i));
      // edge needs an element to copy; reflect and symmetric read inside the axis.
      int limit = mode == "reflect" ? n - 1 : n;
      if (n == 0 || (mode != "edge" && (w[i].first > limit || w[i].second > limit))) {
        throw std::invalid_argument("[pad] " + mode + " padding of " + std::to_string(std::max(w[i].first, w[i].second)) +
                                    " does not fit axis " + std::to_string(i) + " of length " + std::to_string(n));
      }
    }
  }
  return mx::pad(a, w, mx::astype(mx::array(value), a.dtype(), s), mode, s);
}

mx::array roll(const mx::array& a, const std::vector<int>& shift, const std::optional<std::vector<int>>& axes,
               mx::StreamOrDevice s) {
  if (!axes) {
    if (shift.size() != 1) throw std::invalid_argument("[roll] a list of shifts needs a matching list of axes");
    return mx::roll(a, shift[0], s);
  }
  if (shift.size() == 1) return mx::roll(a, shift[0], *axes, s);
  // MLX pairs shifts with axes without checking the lengths match.
  if (shift.size() != axes->size()) {
    throw std::invalid_argument("[roll] a list of shifts needs one shift per axis (" + std::to_string(shift.size()) +
                                " shifts for " + std::to_string(axes->size()) + " axes)");
  }
  return mx::roll(a, to_shape(shift), *axes, s);
}

mx::array reshape(const mx::array& a, const mx::Shape& shape, mx::StreamOrDevice s) {
  return mx::reshape(a, inferable_shape(shape), s);
}

mx::array unflatten(const mx::array& a, int axis, const mx::Shape& shape, mx::StreamOrDevice s) {
  return mx::unflatten(a, axis, inferable_shape(shape), s);
}

}  // namespace mlxts::support
