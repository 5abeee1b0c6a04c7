// The fft family. One helper (fft_general) checks the axes and sizes of every transform before MLX
// sees them: MLX reports an out-of-range axis of some transforms only as "SmallVector out of range",
// and returns the input unchanged, not complex, for an empty list of axes.
#include <cmath>
#include <string>

#include <mlx/fft.h>

#include "errors.h"
#include "runtime.h"
#include "support/core.h"
#include "support/indices.h"

namespace mlxts::support {

namespace {

// Every transform: `sizes` (named `sizes_name` in messages) crops or zero-pads each transformed axis;
// axes default to the last len(sizes) axes, or all of them.
mx::array fft_general(const mx::array& a, const std::optional<std::vector<int>>& sizes,
                      const std::optional<std::vector<int>>& axes_opt, mx::fft::FFTNorm norm, FftKind kind,
                      bool inverse, const char* sizes_name, mx::StreamOrDevice s) {
  int ndim = static_cast<int>(a.ndim());
  if (ndim == 0) throw std::invalid_argument("the input must have at least one axis");
  std::vector<int> axes;
  if (axes_opt) {
    axes = *axes_opt;
  } else {
    // NumPy's rule: with sizes and no axes, the last len(sizes) axes; otherwise every axis.
    int count = sizes ? static_cast<int>(sizes->size()) : ndim;
    if (count > ndim) {
      throw std::invalid_argument(std::string(sizes_name) + " has " + std::to_string(count) + " entries but the input has only " +
                       std::to_string(ndim) + " axes");
    }
    for (int i = ndim - count; i < ndim; ++i) axes.push_back(i);
  }
  if (axes.empty()) throw ArgumentRangeError("at least one axis must be transformed");
  for (int ax : axes) normalize_axis(ax, ndim);
  auto transform = [&](auto with_sizes, auto without_sizes) {
    if (!sizes) return without_sizes(a, axes, norm, s);
    if (sizes->size() != axes.size()) {
      throw ArgumentRangeError(std::string(sizes_name) + " must have one entry per transformed axis (" + std::to_string(axes.size()) +
                       "), got " + std::to_string(sizes->size()));
    }
    for (int v : *sizes) {
      if (v <= 0) throw ArgumentRangeError(std::string(sizes_name) + (sizes_name == std::string("n") ? "" : " entries") + " must be positive");
    }
    // The zero-padded input and the complex64 result both exist while the transform runs, but only the
    // result is checked when the op is built: a size such as 2^31 - 1 would exhaust memory mid-run.
    std::vector<long double> dims(a.shape().begin(), a.shape().end());
    for (size_t i = 0; i < axes.size(); ++i) dims[axes[i] < 0 ? axes[i] + ndim : axes[i]] = (*sizes)[i];
    long double elements = 1;
    for (long double d : dims) elements *= d;
    require_fits_in_memory(2 * elements * 8, "the transform of the padded input");
    return with_sizes(a, mx::Shape(sizes->begin(), sizes->end()), axes, norm, s);
  };
  using Sized = mx::array (*)(const mx::array&, const mx::Shape&, const std::vector<int>&, mx::fft::FFTNorm, mx::StreamOrDevice);
  using Unsized = mx::array (*)(const mx::array&, const std::vector<int>&, mx::fft::FFTNorm, mx::StreamOrDevice);
  if (kind == FftKind::Complex) {
    return inverse ? transform(static_cast<Sized>(mx::fft::ifftn), static_cast<Unsized>(mx::fft::ifftn))
                   : transform(static_cast<Sized>(mx::fft::fftn), static_cast<Unsized>(mx::fft::fftn));
  }
  return inverse ? transform(static_cast<Sized>(mx::fft::irfftn), static_cast<Unsized>(mx::fft::irfftn))
                 : transform(static_cast<Sized>(mx::fft::rfftn), static_cast<Unsized>(mx::fft::rfftn));
}

}  // namespace

mx::array fft1(const mx::array& a, std::optional<int> n, int axis, mx::fft::FFTNorm norm, FftKind kind, bool inverse,
               mx::StreamOrDevice s) {
  std::optional<std::vector<int>> sizes;
  if (n) sizes = std::vector<int>{*n};
  return fft_general(a, sizes, std::vector<int>{axis}, norm, kind, inverse, "n", s);
}

mx::array fft2(const mx::array& a, const std::optional<std::vector<int>>& sizes,
               const std::optional<std::vector<int>>& axes, mx::fft::FFTNorm norm, FftKind kind, bool inverse,
               mx::StreamOrDevice s) {
  return fft_general(a, sizes, axes.value_or(std::vector<int>{-2, -1}), norm, kind, inverse, "s", s);
}

mx::array fftn(const mx::array& a, const std::optional<std::vector<int>>& sizes,
               const std::optional<std::vector<int>>& axes, mx::fft::FFTNorm norm, FftKind kind, bool inverse,
               mx::StreamOrDevice s) {
  return fft_general(a, sizes, axes, norm, kind, inverse, "s", s);
}

mx::array fftshift(const mx::array& a, const std::optional<std::vector<int>>& axes, bool inverse, mx::StreamOrDevice s) {
  if (!axes) return inverse ? mx::fft::ifftshift(a, s) : mx::fft::fftshift(a, s);
  int ndim = static_cast<int>(a.ndim());
  for (int ax : *axes) normalize_axis(ax, ndim);
  return inverse ? mx::fft::ifftshift(a, *axes, s) : mx::fft::fftshift(a, *axes, s);
}

namespace {

// The window arguments shared by stft and istft, checked where MLX does not: a window length of 0, and
// a window whose length differs from winLength (MLX silently misplaces it).
int stft_window_length(int n_fft, std::optional<int> hop, std::optional<int> win_length,
                       const std::optional<mx::array>& window, int& hop_length) {
  hop_length = hop.value_or(n_fft / 4);
  if (hop_length < 1) {
    throw ArgumentRangeError(hop ? "hopLength must be positive"
                         : "hopLength defaults to floor(nFft / 4), which is 0 for nFft < 4: pass hopLength");
  }
  int wl = win_length.value_or(n_fft);
  if (wl < 1 || wl > n_fft) {
    throw ArgumentRangeError("winLength must be between 1 and nFft (" + std::to_string(n_fft) + "), got " + std::to_string(wl));
  }
  if (window && (window->ndim() != 1 || window->shape(0) != wl)) {
    throw std::invalid_argument("window must be a 1-D tensor of length winLength (" + std::to_string(wl) + ")");
  }
  return wl;
}

}  // namespace

mx::array stft(const mx::array& x, int n_fft, std::optional<int> hop, std::optional<int> win_length,
               const std::optional<mx::array>& window, bool center, const std::string& pad_mode,
               mx::fft::FFTNorm norm, std::optional<bool> onesided, mx::StreamOrDevice s) {
  if (n_fft < 1) throw ArgumentRangeError("nFft must be positive");
  int hop_length = 0;
  int wl = stft_window_length(n_fft, hop, win_length, window, hop_length);
  if (x.ndim() == 0) throw std::invalid_argument("the input must have at least one axis");
  int len = x.shape(-1);
  if (len == 0) throw std::invalid_argument("the signal (the last axis) is empty");
  if (!center && len < n_fft) {
    throw std::invalid_argument("without center the signal (" + std::to_string(len) + ") must be at least nFft (" +
                     std::to_string(n_fft) + ") long");
  }
  // Guard for an MLX defect (seen in MLX 0.32.4) in what stft allocates beyond its result: the window and
  // the [..., nFrames, nFft] frames are built in full before the transform, which the result-size check
  // does not see (a huge nFft over a one-sample signal reached gigabytes, found by the fuzzer).
  long double padded = center ? static_cast<long double>(len) + 2.0L * (n_fft / 2) : len;
  long double frames = 1.0L + std::floor((padded - n_fft) / hop_length);
  require_fits_in_memory(frames * n_fft * static_cast<long double>(x.size() / len) * 8.0L + 4.0L * n_fft,
                         "a working set of frames for nFft " + std::to_string(n_fft));
  return mx::fft::stft(x, n_fft, hop_length, wl, window, center, pad_mode, norm, onesided, s);
}

mx::array istft(const mx::array& stft_matrix, std::optional<int> n_fft_opt, std::optional<int> hop,
                std::optional<int> win_length, const std::optional<mx::array>& window, bool center,
                mx::fft::FFTNorm norm, std::optional<bool> onesided_opt, std::optional<int> length,
                mx::StreamOrDevice s) {
  if (stft_matrix.ndim() < 2) throw std::invalid_argument("the input must have at least two axes [..., frequencies, frames]");
  int n_freq = stft_matrix.shape(-2);
  int n_frames = stft_matrix.shape(-1);
  if (n_frames < 1) throw std::invalid_argument("the input has no frames (its last axis is empty)");
  bool onesided = onesided_opt.value_or(true);
  int n_fft = n_fft_opt.value_or(onesided ? 2 * (n_freq - 1) : n_freq);
  if (n_fft < 1) throw std::invalid_argument("nFft must be positive (the default from " + std::to_string(n_freq) + " frequencies is " + std::to_string(n_fft) + ")");
  int expected = onesided ? n_fft / 2 + 1 : n_fft;
  if (n_freq != expected) {
    throw std::invalid_argument("the input has " + std::to_string(n_freq) + " frequencies, but nFft " + std::to_string(n_fft) +
                     (onesided ? " (one-sided)" : "") + " needs " + std::to_string(expected));
  }
  int hop_length = 0;
  int wl = stft_window_length(n_fft, hop, win_length, window, hop_length);
  if (length && *length < 0) throw ArgumentRangeError("length must be non-negative");
  return mx::fft::istft(stft_matrix, n_fft, hop_length, wl, window, center, norm, onesided, length, s);
}

}  // namespace mlxts::support
