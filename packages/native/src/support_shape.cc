// Shape-op helpers (support_shape.cc): argument forms MLX's C++ signatures do not take directly.
#include <algorithm>
#include <string>

#include "op_support.h"

namespace mlxts::support {

namespace {

mx::Shape to_shape(const std::vector<int>& v) { return mx::Shape(v.begin(), v.end()); }

std::pair<int, int> pair_of(Napi::Value v, const std::string& name) {
  if (v.IsNumber()) {
    int n = conv::integer(v, name.c_str());
    return {n, n};
  }
  std::vector<int> xs = conv::integers(v, name.c_str());
  if (xs.size() == 1) return {xs[0], xs[0]};
  if (xs.size() == 2) return {xs[0], xs[1]};
  throw ArgumentTypeError(name + " must be an integer, [n] or [before, after]");
}

// Guard for MLX 0.32.4 defects: reshape and unflatten accept negative entries other than -1 (building
// a tensor of shape [-2, -2]), and unflatten divides by zero (SIGFPE) inferring -1 beside a 0.
mx::Shape inferable_shape(const std::vector<int>& shape) {
  for (int d : shape) {
    if (d < -1) throw ArgumentRangeError("shape entries must be >= 0, or -1 for the one inferred entry, got " + std::to_string(d));
  }
  if (std::count(shape.begin(), shape.end(), 0) > 0 && std::count(shape.begin(), shape.end(), -1) > 0) {
    throw ArgumentRangeError("cannot infer the -1 entry of shape when another entry is 0");
  }
  return to_shape(shape);
}

}  // namespace

std::vector<std::pair<int, int>> pad_width(Napi::Value value, const char* name) {
  if (value.IsArray()) {
    Napi::Array list = value.As<Napi::Array>();
    bool nested = list.Length() > 0 && list.Get(uint32_t{0}).IsArray();
    if (nested) {
      std::vector<std::pair<int, int>> out;
      for (uint32_t i = 0; i < list.Length(); ++i) {
        out.push_back(pair_of(list.Get(i), std::string(name) + "[" + std::to_string(i) + "]"));
      }
      return out;
    }
  } else if (!value.IsNumber()) {
    throw ArgumentTypeError(std::string(name) + " must be an integer, [before, after] or a list of [before, after] pairs");
  }
  return {pair_of(value, name)};
}

mx::array pad(const mx::array& a, const std::vector<std::pair<int, int>>& width, const std::string& mode,
              const mx::array& value, mx::StreamOrDevice s) {
  std::vector<std::pair<int, int>> w = width;
  if (w.size() == 1 && a.ndim() != 1) w.assign(a.ndim(), width[0]);
  if (w.size() != a.ndim()) {
    throw std::invalid_argument("[pad] pad_width has " + std::to_string(w.size()) + " entries for an array with " +
                                std::to_string(a.ndim()) + " dimensions");
  }
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i].first < 0 || w[i].second < 0) throw std::invalid_argument("[pad] pad widths must be non-negative");
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
  if (mode != "constant" && mode != "edge" && mode != "reflect" && mode != "symmetric") {
    throw std::invalid_argument("[pad] unknown mode '" + mode + "' (constant, edge, reflect or symmetric)");
  }
  return mx::pad(a, w, mx::astype(value, a.dtype(), s), mode, s);
}

std::vector<mx::array> split(const mx::array& a, const std::vector<int>& indices, int axis, mx::StreamOrDevice s) {
  return mx::split(a, to_shape(indices), axis, s);
}

std::vector<mx::array> split(const mx::array& a, int sections, int axis, mx::StreamOrDevice s) {
  constexpr int kMaxSections = 1 << 20;
  if (sections > kMaxSections) {
    throw ArgumentRangeError("indicesOrSections must be at most " + std::to_string(kMaxSections) + " sections, got " +
                             std::to_string(sections));
  }
  return mx::split(a, sections, axis, s);
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

mx::array reshape(const mx::array& a, const std::vector<int>& shape, mx::StreamOrDevice s) {
  return mx::reshape(a, inferable_shape(shape), s);
}

mx::array unflatten(const mx::array& a, int axis, const std::vector<int>& shape, mx::StreamOrDevice s) {
  return mx::unflatten(a, axis, inferable_shape(shape), s);
}

mx::array tile(const mx::array& a, const std::vector<int>& reps, mx::StreamOrDevice s) {
  for (int r : reps) {
    if (r < 0) throw std::invalid_argument("[tile] reps must be non-negative, got " + std::to_string(r));
  }
  return mx::tile(a, reps, s);
}

}  // namespace mlxts::support
