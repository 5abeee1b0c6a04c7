// Convolutions: conv_general, conv1d/2d/3d and conv_transpose1d/2d/3d. Every one goes through the same
// checks (conv_check) before MLX sees it, because MLX's own shape checks miss cases in which its CPU
// kernel reads past the padded input, divides by zero (zero channels) or silently returns a wrong shape
// (a transposed convolution whose padding exceeds the dilated kernel).
#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>

#include "errors.h"
#include "support/core.h"

namespace mlxts::support {

namespace {

// Per-spatial-axis parameters of a convolution, one entry per spatial axis.
struct ConvAxes {
  std::vector<int> stride, padding_lo, padding_hi, kernel_dilation, input_dilation;
};

// A per-axis argument as given (absent, one entry for every axis, or one per axis) expanded to `spatial`
// entries, each checked to be >= min. A list of another length is a RangeError, or an MlxError where the
// number of spatial axes comes from the input's rank.
std::vector<int> conv_axis_values(const std::optional<std::vector<int>>& values, int spatial, int fallback, int min,
                                  const char* name, bool spatial_from_input) {
  std::vector<int> out;
  if (!values || values->empty()) {
    out.assign(spatial, fallback);
  } else if (values->size() == 1) {
    out.assign(spatial, (*values)[0]);
  } else if (static_cast<int>(values->size()) == spatial) {
    out = *values;
  } else {
    std::string message = std::string(name) + " must be one integer or a list of " + std::to_string(spatial) +
                          " (one per spatial axis), got a list of " + std::to_string(values->size());
    // conv_general's spatial axes are the input's; conv1d/2d/3d's are the op's own.
    if (spatial_from_input) throw std::invalid_argument(message);
    throw ArgumentRangeError(message);
  }
  for (int v : out) {
    if (v < min) throw ArgumentRangeError(std::string(name) + " entries must be >= " + std::to_string(min) + ", got " + std::to_string(v));
  }
  return out;
}

// The checks every convolution passes before MLX sees it: input and weight ranks, groups >= 1, non-empty
// kernel axes, a dilated kernel that fits the dilated, padded input (MLX's own check misses cases in
// which its kernel reads past the padded input), and float64 only where MLX's CPU kernels have a path.
void conv_check(const mx::array& input, const mx::array& weight, int spatial, const ConvAxes& axes, int groups) {
  if (static_cast<int>(input.ndim()) != spatial + 2) {
    throw std::invalid_argument("input must have " + std::to_string(spatial + 2) + " dimensions [N, ...spatial, C_in] for " +
                     std::to_string(spatial) + " spatial axes, got " + std::to_string(input.ndim()));
  }
  if (static_cast<int>(weight.ndim()) != spatial + 2) {
    throw std::invalid_argument("weight must have " + std::to_string(spatial + 2) + " dimensions [C_out, ...kernel, C_in / groups], got " +
                     std::to_string(weight.ndim()));
  }
  if (groups < 1) throw ArgumentRangeError("groups must be >= 1");
  for (int i = 0; i < spatial; ++i) {
    int64_t n = input.shape(1 + i);
    int64_t k = weight.shape(1 + i);
    if (k < 1) throw std::invalid_argument("the kernel's spatial sizes must be >= 1 (axis " + std::to_string(i) + " is empty)");
    // MLX's own size check ignores part of the dilation arithmetic: a padded input shorter than the
    // dilated kernel can still produce an output that reads past the padded buffer.
    int64_t dilated = n == 0 ? 0 : (n - 1) * axes.input_dilation[i] + 1;
    int64_t padded = dilated + axes.padding_lo[i] + axes.padding_hi[i];
    int64_t span = (k - 1) * axes.kernel_dilation[i] + 1;
    if (span > padded) {
      throw std::invalid_argument("the dilated kernel (" + std::to_string(span) + ") is longer than the dilated, padded input (" +
                       std::to_string(padded) + ") along spatial axis " + std::to_string(i));
    }
  }
  // MLX's CPU kernels have a float64 path only without kernel or input dilation and (apart from
  // some 1-D cases) without groups, found by probing; the other paths fail at eval time with
  // "unsupported data type". Say so when the op is built instead.
  if (input.dtype() == mx::float64 || weight.dtype() == mx::float64) {
    auto ones = [](const std::vector<int>& v) { return std::all_of(v.begin(), v.end(), [](int x) { return x == 1; }); };
    if (!ones(axes.kernel_dilation) || !ones(axes.input_dilation) || groups > 1) {
      throw std::invalid_argument("float64 convolution is supported by MLX's CPU kernels only without dilation (of the kernel, or "
                       "of the input: a transposed convolution's stride) and with groups = 1; use float32");
    }
  }
}

mx::array conv_or_zeros(const mx::array& out, const mx::array& input, const mx::array& weight, mx::StreamOrDevice s) {
  // Zero input channels crash the CPU kernel with a division by zero. The graph node `out` has already
  // validated the shapes; a sum over nothing is 0.
  if (input.size() == 0 || weight.size() == 0) return mx::zeros(out.shape(), out.dtype(), s);
  return out;
}

}  // namespace

mx::array conv_general(const mx::array& input, const mx::array& weight, const std::optional<std::vector<int>>& stride,
                       const std::optional<std::vector<int>>& padding_lo,
                       const std::optional<std::vector<int>>& padding_hi,
                       const std::optional<std::vector<int>>& kernel_dilation,
                       const std::optional<std::vector<int>>& input_dilation, int groups, bool flip,
                       mx::StreamOrDevice s) {
  if (input.ndim() < 3 || input.ndim() > 5) {
    throw std::invalid_argument("input must be [N, ...spatial, C] with 1 to 3 spatial dims");
  }
  int spatial = static_cast<int>(input.ndim()) - 2;
  ConvAxes axes{conv_axis_values(stride, spatial, 1, 1, "stride", true),
                conv_axis_values(padding_lo, spatial, 0, 0, "paddingLo", true),
                conv_axis_values(padding_hi, spatial, 0, 0, "paddingHi", true),
                conv_axis_values(kernel_dilation, spatial, 1, 1, "kernelDilation", true),
                conv_axis_values(input_dilation, spatial, 1, 1, "inputDilation", true)};
  conv_check(input, weight, spatial, axes, groups);
  mx::array out = mx::conv_general(input, weight, axes.stride, axes.padding_lo, axes.padding_hi, axes.kernel_dilation,
                                   axes.input_dilation, groups, flip, s);
  return conv_or_zeros(out, input, weight, s);
}

mx::array conv_nd(int spatial, const mx::array& input, const mx::array& weight, const std::vector<int>& stride,
                  const std::vector<int>& padding, const std::vector<int>& dilation, int groups, mx::StreamOrDevice s) {
  auto st = conv_axis_values(stride, spatial, 1, 1, "stride", false);
  auto pad = conv_axis_values(padding, spatial, 0, 0, "padding", false);
  auto dil = conv_axis_values(dilation, spatial, 1, 1, "dilation", false);
  conv_check(input, weight, spatial, ConvAxes{st, pad, pad, dil, std::vector<int>(spatial, 1)}, groups);
  mx::array out = [&] {
    switch (spatial) {
      case 1: return mx::conv1d(input, weight, st[0], pad[0], dil[0], groups, s);
      case 2: return mx::conv2d(input, weight, {st[0], st[1]}, {pad[0], pad[1]}, {dil[0], dil[1]}, groups, s);
      default:
        return mx::conv3d(input, weight, {st[0], st[1], st[2]}, {pad[0], pad[1], pad[2]}, {dil[0], dil[1], dil[2]}, groups, s);
    }
  }();
  return conv_or_zeros(out, input, weight, s);
}

mx::array conv_transpose_nd(int spatial, const mx::array& input, const mx::array& weight, const std::vector<int>& stride,
                            const std::vector<int>& padding, const std::vector<int>& dilation,
                            const std::vector<int>& output_padding, int groups, mx::StreamOrDevice s) {
  auto st = conv_axis_values(stride, spatial, 1, 1, "stride", false);
  auto pad = conv_axis_values(padding, spatial, 0, 0, "padding", false);
  auto dil = conv_axis_values(dilation, spatial, 1, 1, "dilation", false);
  auto out_pad = conv_axis_values(output_padding, spatial, 0, 0, "outputPadding", false);
  if (static_cast<int>(input.ndim()) != spatial + 2 || static_cast<int>(weight.ndim()) != spatial + 2) {
    conv_check(input, weight, spatial, ConvAxes{st, pad, pad, dil, st}, groups);  // reports the rank error
  }
  // A transposed convolution is the convolution of the stride-dilated input with the flipped kernel,
  // padded by span - 1 - padding before and span - 1 - padding + outputPadding after. MLX builds it
  // that way too, but returns a wrongly sized result when that padding is negative (padding larger than
  // the dilated kernel); here negative padding becomes a crop of the result instead.
  std::vector<int> lo(spatial), hi(spatial), crop_lo(spatial), lengths(spatial);
  bool crop = false;
  for (int i = 0; i < spatial; ++i) {
    int64_t n = input.shape(1 + i);
    int64_t k = weight.shape(1 + i);
    if (n < 1) throw std::invalid_argument("the input's spatial sizes must be >= 1 (axis " + std::to_string(i) + " is empty)");
    if (k < 1) throw std::invalid_argument("the kernel's spatial sizes must be >= 1 (axis " + std::to_string(i) + " is empty)");
    int64_t span = (k - 1) * dil[i] + 1;
    if (span - 1 + out_pad[i] > INT32_MAX) {
      throw std::invalid_argument("the dilated kernel plus outputPadding along spatial axis " + std::to_string(i) + " exceeds 2^31 - 1");
    }
    int64_t length = (n - 1) * st[i] + span - 2 * static_cast<int64_t>(pad[i]) + out_pad[i];
    if (length < 1) {
      throw std::invalid_argument("padding " + std::to_string(pad[i]) + " leaves no output along spatial axis " + std::to_string(i) +
                       " (the output length would be " + std::to_string(length) + ")");
    }
    if (length > INT32_MAX) throw std::invalid_argument("the output length along spatial axis " + std::to_string(i) + " exceeds 2^31 - 1");
    int64_t raw_lo = span - 1 - pad[i];
    int64_t raw_hi = span - 1 - pad[i] + out_pad[i];
    lo[i] = static_cast<int>(std::max<int64_t>(raw_lo, 0));
    hi[i] = static_cast<int>(std::max<int64_t>(raw_hi, 0));
    crop_lo[i] = static_cast<int>(lo[i] - raw_lo);
    lengths[i] = static_cast<int>(length);
    crop = crop || raw_lo < 0;
  }
  conv_check(input, weight, spatial, ConvAxes{std::vector<int>(spatial, 1), lo, hi, dil, st}, groups);
  mx::array out = [&] {
    if (crop) {
      mx::array full = mx::conv_general(input, weight, std::vector<int>(spatial, 1), lo, hi, dil, st, groups, true, s);
      mx::Shape start(full.ndim(), 0), stop(full.shape());
      for (int i = 0; i < spatial; ++i) {
        start[1 + i] = crop_lo[i];
        stop[1 + i] = crop_lo[i] + lengths[i];
      }
      return mx::slice(full, start, stop, s);
    }
    switch (spatial) {
      case 1: return mx::conv_transpose1d(input, weight, st[0], pad[0], dil[0], out_pad[0], groups, s);
      case 2:
        return mx::conv_transpose2d(input, weight, {st[0], st[1]}, {pad[0], pad[1]}, {dil[0], dil[1]},
                                    {out_pad[0], out_pad[1]}, groups, s);
      default:
        return mx::conv_transpose3d(input, weight, {st[0], st[1], st[2]}, {pad[0], pad[1], pad[2]},
                                    {dil[0], dil[1], dil[2]}, {out_pad[0], out_pad[1], out_pad[2]}, groups, s);
    }
  }();
  return conv_or_zeros(out, input, weight, s);
}

}  // namespace mlxts::support
