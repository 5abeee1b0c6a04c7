// window_scatter_max / window_scatter_min, which MLX lacks, composed from MLX ops: the window positions
// are visited as K strided slices of the padded input (K = elements per window), the winner of each
// window is an argmax/argmin over those K slices (first position on ties), and each source value is
// written back through K strided slice updates.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "dtype.h"
#include "errors.h"
#include "support/core.h"

namespace mlxts::support {

mx::array window_scatter(const mx::array& a, const mx::array& source, const mx::array& init_value,
                         const std::vector<int>& window, const std::optional<std::vector<int>>& strides,
                         const std::optional<std::vector<std::vector<int>>>& padding, bool select_max,
                         mx::StreamOrDevice s) {
  int ndim = static_cast<int>(a.ndim());
  if (!mx::issubdtype(a.dtype(), mx::floating)) {
    throw std::invalid_argument(std::string("a must be floating point, got ") + dtype_name(a.dtype()));
  }
  if (static_cast<int>(window.size()) != ndim) throw std::invalid_argument("windowDimensions needs one entry per axis of a");
  std::vector<int> step = strides.value_or(std::vector<int>(ndim, 1));
  if (static_cast<int>(step.size()) != ndim) throw std::invalid_argument("strides needs one entry per axis of a");
  std::vector<std::vector<int>> pads = padding.value_or(std::vector<std::vector<int>>(ndim, {0, 0}));
  if (static_cast<int>(pads.size()) != ndim) throw std::invalid_argument("padding needs one [lo, hi] pair per axis of a");
  mx::Shape lo(ndim), hi(ndim), counts(ndim), padded_shape(ndim);
  size_t positions = 1;
  for (int i = 0; i < ndim; ++i) {
    if (pads[i].size() != 2 || pads[i][0] < 0 || pads[i][1] < 0) throw ArgumentRangeError("padding entries must be [lo, hi] pairs of non-negative integers");
    if (window[i] < 1) throw ArgumentRangeError("windowDimensions must be positive");
    if (step[i] < 1) throw ArgumentRangeError("strides must be positive");
    lo[i] = pads[i][0];
    hi[i] = pads[i][1];
    padded_shape[i] = a.shape(i) + lo[i] + hi[i];
    if (padded_shape[i] < window[i]) throw std::invalid_argument("a window is larger than the padded input along axis " + std::to_string(i));
    counts[i] = (padded_shape[i] - window[i]) / step[i] + 1;
    positions *= static_cast<size_t>(window[i]);
  }
  if (source.shape() != counts) {
    std::string want;
    for (int c : counts) want += (want.empty() ? "" : ", ") + std::to_string(c);
    throw std::invalid_argument("source must have one value per window, shape [" + want + "]");
  }
  if (positions > 4096) throw ArgumentRangeError("windows of more than 4096 elements are not supported");

  double fill = select_max ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  std::vector<int> axes(ndim);
  for (int i = 0; i < ndim; ++i) axes[i] = i;
  mx::array padded = mx::pad(a, axes, lo, hi, mx::array(fill, a.dtype()), "constant", s);

  // The K candidate slices, one per position inside the window, in row-major window order.
  std::vector<mx::Shape> starts;
  std::vector<mx::array> candidates;
  mx::Shape step_shape(step.begin(), step.end());
  for (size_t k = 0; k < positions; ++k) {
    mx::Shape start(ndim), stop(ndim);
    size_t rest = k;
    for (int i = ndim - 1; i >= 0; --i) {
      start[i] = static_cast<int>(rest % window[i]);
      rest /= window[i];
      stop[i] = start[i] + (counts[i] - 1) * step[i] + 1;
    }
    starts.push_back(start);
    candidates.push_back(mx::slice(padded, start, stop, step_shape, s));
  }
  mx::array stacked = mx::stack(candidates, -1, s);
  mx::array winner = select_max ? mx::argmax(stacked, -1, false, s) : mx::argmin(stacked, -1, false, s);

  mx::array values = mx::astype(source, a.dtype(), s);
  mx::array zero = mx::zeros_like(values, s);
  mx::array out = mx::zeros(padded_shape, a.dtype(), s);
  for (size_t k = 0; k < positions; ++k) {
    mx::array chosen = mx::where(mx::equal(winner, mx::array(static_cast<uint32_t>(k)), s), values, zero, s);
    mx::Shape stop(ndim);
    for (int i = 0; i < ndim; ++i) stop[i] = starts[k][i] + (counts[i] - 1) * step[i] + 1;
    mx::array placed = mx::slice_update(mx::zeros(padded_shape, a.dtype(), s), chosen, starts[k], stop, step_shape, s);
    out = mx::add(out, placed, s);
  }
  mx::Shape end(ndim);
  for (int i = 0; i < ndim; ++i) end[i] = lo[i] + a.shape(i);
  return mx::add(mx::slice(out, lo, end, s), mx::astype(init_value, a.dtype(), s), s);
}

}  // namespace mlxts::support
