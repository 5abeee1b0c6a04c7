// mx.random.* helpers. MLX's samplers check most of their arguments, but not all of them clearly or
// early: some name another op in their message (gumbel reports "[uniform]"), an out-of-range
// permutation axis only says "SmallVector out of range", float64 fails only at evaluation, and the
// runtime's memory-limit check sees results, not intermediates such as categorical's Gumbel noise.
// The sample dtypes each sampler takes are the schema's (`dtypes`, checked by the generated wrapper: MLX's
// CPU samplers have no float64 kernel and fail only at evaluation); these helpers check axes, counts and
// sizes when the op is built.
#include <cmath>
#include <cstdio>
#include <string>

#include "errors.h"
#include "runtime.h"
#include "support/core.h"
#include "support/indices.h"

namespace mlxts::support {

namespace {

// JS numbers are exact integers up to 2^53 - 1; MLX seeds are uint64.
uint64_t random_seed_value(double seed) {
  bool integral = std::isfinite(seed) && std::floor(seed) == seed;
  if (!integral || seed < 0 || seed > 9007199254740991.0) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.17g", seed);
    std::string message = std::string("seed must be an integer in [0, 2^53 - 1], got ") + text;
    // A fraction is the wrong kind of number; NaN, infinities and integers outside the range are out of range.
    if (std::isfinite(seed) && !integral) throw ArgumentTypeError(message);
    throw ArgumentRangeError(message);
  }
  return static_cast<uint64_t>(seed);
}

// Refuses a sample whose working set cannot fit in MLX's memory limit, computed in floating point so
// that a size overflowing size_t is refused too. MLX's samplers draw uint32 bits and compute in float32
// whatever the sample dtype, so the peak is the sample plus `float32_arrays` float32 arrays of its
// size, one fewer when the sample itself is 4 bytes wide (MLX then reuses the buffers). Measured on MLX
// 0.32.4: one for uniform, normal, randint, bernoulli, gumbel and truncatedNormal (a float16 sample
// peaks at 3x its size, an int8 one at 5x), three for laplace, two for permutation and categorical.
void random_check_size(const mx::Shape& shape, mx::Dtype dtype, const char* what, int float32_arrays = 1) {
  int extra = dtype.size() == 4 ? float32_arrays - 1 : float32_arrays;
  long double bytes = dtype.size() + 4.0L * extra;
  for (int d : shape) bytes *= d;
  if (bytes <= static_cast<long double>(memory_limit())) return;
  std::string dims;
  for (int d : shape) dims += (dims.empty() ? "" : ",") + std::to_string(d);
  require_fits_in_memory(bytes, std::string(what) + " of shape (" + dims + ") and its float32 working set");
}

mx::Shape random_shape(const std::optional<mx::Shape>& shape, mx::Dtype dtype, int float32_arrays = 1) {
  mx::Shape out = shape.value_or(mx::Shape{});
  random_check_size(out, dtype, "a sample", float32_arrays);
  return out;
}

}  // namespace

mx::array random_key(double seed) { return mx::random::key(random_seed_value(seed)); }

std::monostate random_seed(double seed) {
  mx::random::seed(random_seed_value(seed));
  return {};
}

std::vector<mx::array> random_split(const mx::array& key, int num, mx::StreamOrDevice s) {
  if (num < 0) throw ArgumentRangeError("num must be >= 0, got " + std::to_string(num));
  // One JS tensor per key: beyond this many, building them takes seconds. The same keys as one tensor
  // are bits([num, 2], 4, key), which is what MLX's split computes.
  constexpr int kMaxKeys = 1 << 16;
  if (num > kMaxKeys) {
    throw ArgumentRangeError("num must be at most " + std::to_string(kMaxKeys) + ", got " + std::to_string(num) +
                                "; mx.random.bits([num, 2], 4, { key }) gives the same keys as one [num, 2] tensor");
  }
  random_check_size({num, 2}, mx::uint32, "the keys");
  mx::array keys = mx::random::split(key, num, s);
  std::vector<mx::array> out;
  out.reserve(num);
  for (int i = 0; i < num; ++i) out.push_back(mx::reshape(mx::slice(keys, {i, 0}, {i + 1, 2}, s), {2}, s));
  return out;
}

mx::array random_bits(const std::optional<mx::Shape>& shape, int width, const std::optional<mx::array>& key,
                      mx::StreamOrDevice s) {
  if (width != 1 && width != 2 && width != 4) {
    throw ArgumentRangeError("width must be 1, 2 or 4 bytes, got " + std::to_string(width));
  }
  return mx::random::bits(random_shape(shape, mx::uint32), width, key, s);
}

mx::array random_uniform(const mx::array& low, const mx::array& high, const std::optional<mx::Shape>& shape,
                         mx::Dtype dtype, const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  return mx::random::uniform(low, high, random_shape(shape, dtype), dtype, key, s);
}

mx::array random_normal(const std::optional<mx::Shape>& shape, mx::Dtype dtype, const mx::array& loc,
                        const mx::array& scale, const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  mx::Shape out = random_shape(shape, dtype);
  // loc and scale take the sample dtype, so a float32 scalar does not promote a float16 sample.
  return mx::random::normal(out, dtype, mx::astype(loc, dtype, s), mx::astype(scale, dtype, s), key, s);
}

mx::array random_randint(const mx::array& low, const mx::array& high, const std::optional<mx::Shape>& shape,
                         mx::Dtype dtype, const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  return mx::random::randint(low, high, random_shape(shape, dtype), dtype, key, s);
}

mx::array random_bernoulli(const mx::array& p, const std::optional<mx::Shape>& shape,
                           const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  if (!shape) return mx::random::bernoulli(p, key, s);
  return mx::random::bernoulli(p, random_shape(shape, mx::bool_), key, s);
}

mx::array random_truncated_normal(const mx::array& lower, const mx::array& upper,
                                  const std::optional<mx::Shape>& shape, mx::Dtype dtype,
                                  const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  if (!shape) return mx::random::truncated_normal(lower, upper, dtype, key, s);
  return mx::random::truncated_normal(lower, upper, random_shape(shape, dtype), dtype, key, s);
}

mx::array random_gumbel(const std::optional<mx::Shape>& shape, mx::Dtype dtype, const std::optional<mx::array>& key,
                        mx::StreamOrDevice s) {
  return mx::random::gumbel(random_shape(shape, dtype), dtype, key, s);
}

mx::array random_laplace(const std::optional<mx::Shape>& shape, mx::Dtype dtype, double loc, double scale,
                         const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  return mx::random::laplace(random_shape(shape, dtype, 3), dtype, static_cast<float>(loc), static_cast<float>(scale),
                             key, s);
}

mx::array random_categorical(const mx::array& logits, int axis, const std::optional<mx::Shape>& shape,
                             std::optional<int> num_samples, const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  if (shape && num_samples) throw ArgumentTypeError("give at most one of shape and numSamples");
  int ax = normalize_axis(axis, logits.ndim(), "logits");
  if (logits.shape(ax) == 0) throw std::invalid_argument("logits has no categories along axis " + std::to_string(axis));
  // MLX draws Gumbel noise for every category of every sample: check that array's size, not just the result's.
  // An empty result is made here: MLX's argmax refuses to reduce the empty noise.
  mx::Shape result = logits.shape();
  result.erase(result.begin() + ax);
  if (num_samples) {
    if (*num_samples < 0) throw ArgumentRangeError("numSamples must be >= 0, got " + std::to_string(*num_samples));
    result.push_back(*num_samples);
  } else if (shape) {
    result = *shape;
  }
  mx::Shape noise = result;
  noise.push_back(logits.shape(ax));
  random_check_size(noise, mx::float32, "the Gumbel noise", 2);
  bool empty = false;
  for (int d : result) empty = empty || d == 0;
  if (empty) {
    // Still check that the logits broadcast to `shape`, as MLX would.
    if (shape) {
      mx::Shape rest = logits.shape();
      rest.erase(rest.begin() + ax);
      if (mx::broadcast_shapes(rest, *shape) != *shape) throw std::invalid_argument("logits do not broadcast to shape");
    }
    return mx::zeros(result, mx::uint32, s);
  }
  if (num_samples) return mx::random::categorical(logits, axis, *num_samples, key, s);
  if (shape) return mx::random::categorical(logits, axis, *shape, key, s);
  return mx::random::categorical(logits, axis, key, s);
}

mx::array random_permutation(int n, const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  if (n < 0) throw ArgumentRangeError("permutation of a negative count " + std::to_string(n));
  random_check_size({n}, mx::uint32, "a permutation", 2);
  return mx::random::permutation(n, key, s);
}

mx::array random_permutation(const mx::array& x, int axis, const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  if (x.ndim() == 0) throw std::invalid_argument("cannot permute a 0-d tensor (pass a count for arange)");
  int ax = normalize_axis(axis, x.ndim(), "x");
  // Guard for an MLX defect (seen in MLX 0.32.4): MLX sorts random keys of every index of the axis
  // even when the tensor is empty ([2^30, 0] spent minutes and 8 GB); no entries need no permuting.
  if (x.size() == 0) return x;
  random_check_size({x.shape(ax)}, mx::uint32, "a permutation", 2);
  return mx::random::permutation(x, axis, key, s);
}

mx::array random_multivariate_normal(const mx::array& mean, const mx::array& cov,
                                     const std::optional<mx::Shape>& shape, mx::Dtype dtype,
                                     const std::optional<mx::array>& key, mx::StreamOrDevice s) {
  mx::Shape out = shape.value_or(mx::Shape{});
  if (mean.ndim() > 0) out.push_back(mean.shape(-1));
  random_check_size(out, mx::float32, "a sample", 2);
  return mx::random::multivariate_normal(mean, cov, shape.value_or(mx::Shape{}), dtype, key, s);
}

}  // namespace mlxts::support
