// What generated wrappers include: the converters, error mapping, result wrapping, and the small
// hand-written helpers that schema callees name (mlxts::support::*) where MLX's own signature does
// not fit the JS API directly.
#pragma once
#include <optional>
#include <variant>
#include <vector>

#include <napi.h>
#include <mlx/fft.h>

#include "convert.h"
#include "distributed.h"
#include "errors.h"
#include "generated/enums.h"
#include "tensor.h"

namespace mlxts {

inline Napi::Value to_js(Napi::Env env, mx::array array) { return Tensor::wrap(env, std::move(array)); }

inline Napi::Value to_js(Napi::Env env, std::vector<mx::array> arrays) {
  Napi::Array out = Napi::Array::New(env, arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) out.Set(i, Tensor::wrap(env, std::move(arrays[i])));
  return out;
}

inline Napi::Value to_js(Napi::Env env, std::pair<mx::array, mx::array> arrays) {
  return to_js(env, std::vector<mx::array>{std::move(arrays.first), std::move(arrays.second)});
}

// Ops that return nothing (schema `returns: {type: void}`) call helpers returning std::monostate.
inline Napi::Value to_js(Napi::Env env, std::monostate) { return env.Undefined(); }

namespace support {

// arange(stop) / arange(start, stop, step); int32 when every bound is integral, else float32.
mx::array arange(double start, std::optional<double> stop, std::optional<double> step, std::optional<mx::Dtype> dtype,
                 mx::StreamOrDevice s);

// Indices mapped into [0, size): negative ones count from the end, the rest clamp. MLX's gather kernels
// do not bounds-check, so every gather-like helper passes its indices through this. Non-integer indices
// are returned unchanged for MLX to reject.
mx::array clamp_indices(const mx::array& indices, int size, mx::StreamOrDevice s);

// `axis` of a tensor with `ndim` axes, negative ones counted from the end. Out of range is the kind of
// error MLX raises for its own axis checks (an MlxError in JS): "axis 3 is out of bounds for a tensor
// with 2 dimensions", where `what` names the tensor.
int normalize_axis(int axis, int ndim, const std::string& what = "a tensor");

// Full-rank begin/end/step for a static slice given for the leading axes (the rest taken whole); checks
// the lists' lengths and that no stride is 0. mx::slice and mx::slice_update follow Python's
// slice.indices() on them: negative indices count from the end and out-of-range ones clamp.
struct SliceBounds {
  mx::Shape begin, end, step;
};
SliceBounds slice_bounds(const mx::array& a, const std::vector<int>& start, const std::vector<int>& stop,
                         const std::optional<std::vector<int>>& strides);

// Static slicing over the leading axes (the rest are taken whole), Python semantics.
mx::array slice(const mx::array& a, const std::vector<int>& start, const std::vector<int>& stop,
                const std::optional<std::vector<int>>& strides, mx::StreamOrDevice s);

// Gathers with indices made safe first: negative indices count from the end and out-of-range ones are
// clamped to the nearest valid index. MLX's gather kernels do not bounds-check, and an out-of-range
// index would read arbitrary memory or crash the process.
mx::array take(const mx::array& a, const mx::array& indices, std::optional<int> axis, mx::StreamOrDevice s);
mx::array take_along_axis(const mx::array& a, const mx::array& indices, int axis, mx::StreamOrDevice s);

// The linalg family (support_linalg.cc). Guard for an MLX defect (seen in MLX 0.32.4): the CPU kernels
// of inv, tri_inv, cholesky_inv, lu, lu_factor, solve and solve_triangular divide by the matrix size and
// trap (SIGFPE, killing the process) when the matrix `a` has an empty row or column axis. Guard for an
// MLX defect (seen in MLX 0.32.4), for every op below: the CPU kernels count a batch's matrices as
// size / (M * N) with M * N in 32 bits, so a matrix of 2^32 elements divides by zero (SIGFPE; eigh:
// SIGSEGV); only an empty batch of such matrices ([0, 65536, 65536]) gets past the memory limit. Each
// op is built by MLX as usual (so its shape and dtype checks run), then the outputs of such a matrix or
// batch are given without a kernel.
mx::array inv(const mx::array& a, mx::StreamOrDevice s);
mx::array tri_inv(const mx::array& a, bool upper, mx::StreamOrDevice s);
mx::array cholesky_inv(const mx::array& a, bool upper, mx::StreamOrDevice s);
std::vector<mx::array> lu(const mx::array& a, mx::StreamOrDevice s);
std::pair<mx::array, mx::array> lu_factor(const mx::array& a, mx::StreamOrDevice s);
mx::array solve(const mx::array& a, const mx::array& b, mx::StreamOrDevice s);
mx::array solve_triangular(const mx::array& a, const mx::array& b, bool upper, mx::StreamOrDevice s);
mx::array cholesky(const mx::array& a, bool upper, mx::StreamOrDevice s);
mx::array det(const mx::array& a, mx::StreamOrDevice s);
std::pair<mx::array, mx::array> slogdet(const mx::array& a, mx::StreamOrDevice s);
mx::array pinv(const mx::array& a, mx::StreamOrDevice s);
std::pair<mx::array, mx::array> qr(const mx::array& a, mx::StreamOrDevice s);
std::vector<mx::array> svd(const mx::array& a, bool compute_uv, mx::StreamOrDevice s);
std::pair<mx::array, mx::array> eigh(const mx::array& a, const std::string& uplo, mx::StreamOrDevice s);
mx::array eigvalsh(const mx::array& a, const std::string& uplo, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): eig and eigvals of a matrix with an infinite
// entry corrupt the heap in LAPACK's geev ("double free or corruption", SIGABRT), and a NaN entry fails
// with LAPACK error -4. Such a matrix is decomposed as zeros instead, and its eigenvalues and
// eigenvectors are NaN.
std::pair<mx::array, mx::array> eig(const mx::array& a, mx::StreamOrDevice s);
mx::array eigvals(const mx::array& a, mx::StreamOrDevice s);

// The fused-kernel family (support_fast.cc). `layout` is "bhtd" ([batch, heads, tokens, dims], MLX's own)
// or "bthd" ([batch, tokens, heads, dims]), which is transposed around the kernel.
// Guard for an MLX defect (seen in MLX 0.32.4): rms_norm and layer_norm of an input with an empty last
// axis keep a float32 statistic per row, which the result-size check does not see ([2^31 - 1, 0] took
// 8.6 GB and minutes for an empty result). Built by MLX as usual (its checks run), an empty input's
// result is then given without a kernel.
mx::array rms_norm(const mx::array& x, const std::optional<mx::array>& weight, float eps, mx::StreamOrDevice s);
mx::array layer_norm(const mx::array& x, const std::optional<mx::array>& weight, const std::optional<mx::array>& bias,
                     float eps, mx::StreamOrDevice s);
mx::array rope(const mx::array& x, int dims, bool traditional, std::optional<float> base, float scale, int offset,
               const std::optional<mx::array>& freqs, const std::string& layout, mx::StreamOrDevice s);
mx::array rope(const mx::array& x, int dims, bool traditional, std::optional<float> base, float scale,
               const mx::array& offset, const std::optional<mx::array>& freqs, const std::string& layout,
               mx::StreamOrDevice s);
mx::array rope_positions(const mx::array& x, int dims, const mx::array& positions, bool traditional, float base,
                         float scale, const std::string& layout, mx::StreamOrDevice s);
mx::array sdpa(const mx::array& q, const mx::array& k, const mx::array& v, std::optional<double> scale,
               const std::optional<std::string>& mask_mode, const std::optional<mx::array>& mask,
               const std::optional<mx::array>& key_mask, const std::optional<mx::array>& sinks,
               const std::string& layout, mx::StreamOrDevice s);
mx::array swiglu(const mx::array& gate, const mx::array& up, mx::StreamOrDevice s);
// Targets are wrapped/clamped into [0, classes) (the kernel reads logits at them unchecked); no rows give an
// empty result rather than MLX's logsumexp error.
mx::array cross_entropy(const mx::array& logits, const mx::array& targets, mx::StreamOrDevice s);
// The gated delta rule recurrence over T steps with every shape checked first; T = 0 passes the state through.
std::vector<mx::array> gated_delta_update(const mx::array& q, const mx::array& k, const mx::array& v,
                                          const mx::array& gamma, const mx::array& beta,
                                          const std::optional<mx::array>& state, const std::optional<mx::array>& mask,
                                          mx::StreamOrDevice s);
// Writes new keys/values into the caches at `offset` (along the token axis) and attends over the valid
// prefix with a causal mask (and `key_mask`); returns {attention, new key cache, new value cache}.
std::vector<mx::array> kv_cache_attention(const mx::array& q, const mx::array& new_k, const mx::array& new_v,
                                          const mx::array& k_cache, const mx::array& v_cache, int offset,
                                          std::optional<double> scale, const std::optional<mx::array>& key_mask,
                                          const std::string& layout, mx::StreamOrDevice s);

// Products (support_products.cc).
// Broadcasts a and b to one shape first (MLX checks `axis` against a single operand's rank).
mx::array vecdot(const mx::array& a, const mx::array& b, int axis, mx::StreamOrDevice s);
// Checks a and b are matrices that contract, and clamps every [start, end) segment into [0, K] (a reversed
// one becomes empty): the kernel does not check either and would read past its operands.
mx::array segmented_mm(const mx::array& a, const mx::array& b, const mx::array& segments, mx::StreamOrDevice s);

// Elementwise math (support_math.cc).

// MLX's sign of a real NaN is 0; NumPy's (and this one's) is NaN.
mx::array sign(const mx::array& a, mx::StreamOrDevice s);

// A clip bound given as a JS number: a weak scalar that takes the dtype of `a`, by the same rule as
// operand conversion (a non-integral number beside an integer or bool tensor is float32).
mx::array weak_scalar_like(const mx::array& a, double value);

// Integer floor division and remainder that cannot trap: the CPU kernels divide with the hardware
// instruction, which raises SIGFPE for INT_MIN / -1 on int32 and int64. A divisor of -1 is handled
// without dividing (the quotient is the negation, wrapping for INT_MIN; the remainder is 0). Other
// dtypes go straight to MLX, whose kernels already map a zero integer divisor to quotient 0 and
// remainder `a`.
mx::array floor_divide(const mx::array& a, const mx::array& b, mx::StreamOrDevice s);
mx::array remainder(const mx::array& a, const mx::array& b, mx::StreamOrDevice s);

// MLX's DivMod kernel divides integers without the zero-divisor guard of floor_divide/remainder, so an
// integer zero divisor would crash the process: integer (and bool) inputs use the two guarded ops above,
// floating-point inputs MLX's divmod.
std::vector<mx::array> divmod(const mx::array& a, const mx::array& b, mx::StreamOrDevice s);

// Softmax over the given axes (every axis when none). Guards an MLX 0.32.4 defect: over any axes other
// than the last one alone, MLX computes integer and bool input in its own dtype and returns zeros of
// that dtype; such input is computed in float32 here, as MLX does over the last axis.
mx::array softmax(const mx::array& a, const std::optional<std::vector<int>>& axes, bool precise, mx::StreamOrDevice s);

// mx::diff with the order capped at the axis length: MLX loops n times even past an empty axis.
mx::array diff(const mx::array& a, int n, int axis, mx::StreamOrDevice s);

// Shape ops (support_shape.cc).

// Pads with a constant (cast to a's dtype) or by edge/reflect/symmetric copies; widths that would read
// outside the axis are rejected before MLX sees them.
mx::array pad(const mx::array& a, const std::vector<std::pair<int, int>>& width, const std::string& mode,
              double value, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): MLX splits an empty axis into any number of
// empty parts, and 2^31 - 1 of them exhausted memory. More than 2^20 sections are refused, as unstack
// refuses parts: each is a separate tensor.
std::vector<mx::array> split(const mx::array& a, int sections, int axis, mx::StreamOrDevice s);
mx::array roll(const mx::array& a, const std::vector<int>& shift, const std::optional<std::vector<int>>& axes,
               mx::StreamOrDevice s);
// reshape and unflatten: one -1 entry is inferred; other negative entries, and -1 beside a 0, are refused.
mx::array reshape(const mx::array& a, const mx::Shape& shape, mx::StreamOrDevice s);
mx::array unflatten(const mx::array& a, int axis, const mx::Shape& shape, mx::StreamOrDevice s);
mx::array tile(const mx::array& a, const std::vector<int>& reps, mx::StreamOrDevice s);

// Seed ops (support_seed.cc).
mx::array einsum(const std::string& subscripts, const std::vector<mx::array>& operands, mx::StreamOrDevice s);
mx::array tensordot(const mx::array& a, const mx::array& b, const std::vector<std::vector<int>>& axes,
                    mx::StreamOrDevice s);
// A bitcast; a view as bool maps every nonzero byte to true (raw bytes other than 0/1 are invalid bools).
mx::array view(const mx::array& a, mx::Dtype dtype, mx::StreamOrDevice s);
// Rejects any shape/strides/offset whose reachable element range leaves [0, a.size()): MLX does not check.
mx::array as_strided(const mx::array& a, const std::vector<int>& shape, const std::vector<int>& strides, int offset,
                     mx::StreamOrDevice s);
mx::array slice_update(const mx::array& a, const mx::array& update, const std::vector<int>& start,
                       const std::vector<int>& stop, const std::optional<std::vector<int>>& strides,
                       mx::StreamOrDevice s);
// Indices are wrapped (negative) and clamped so that every slice lies inside `a`: MLX does not bounds-check.
mx::array gather(const mx::array& a, const std::vector<mx::array>& indices, std::vector<int> axes,
                 const std::vector<int>& slice_sizes, mx::StreamOrDevice s);
// Convolutions and the fft family (support_conv.cc, support_fft.cc).

// Per-spatial-axis parameters of a convolution, one entry per spatial axis.
struct ConvAxes {
  std::vector<int> stride, padding_lo, padding_hi, kernel_dilation, input_dilation;
};
// A per-axis argument as given (absent, one entry for every axis, or one per axis) expanded to `spatial`
// entries, each checked to be >= min. A list of another length is a RangeError, or an MlxError where the
// number of spatial axes comes from the input's rank.
std::vector<int> conv_axis_values(const std::optional<std::vector<int>>& values, int spatial, int fallback, int min,
                                  const char* name, bool spatial_from_input);
// The checks every convolution passes before MLX sees it: input and weight ranks, groups >= 1, non-empty
// kernel axes, a dilated kernel that fits the dilated, padded input (MLX's own check misses cases in
// which its kernel reads past the padded input), and float64 only where MLX's CPU kernels have a path.
void conv_check(const mx::array& input, const mx::array& weight, int spatial, const ConvAxes& axes, int groups);
// `out`, or zeros of its shape when input or weight is empty (zero channels crash the CPU kernel).
mx::array conv_or_zeros(const mx::array& out, const mx::array& input, const mx::array& weight, mx::StreamOrDevice s);
mx::array conv_general(const mx::array& input, const mx::array& weight, const std::optional<std::vector<int>>& stride,
                       const std::optional<std::vector<int>>& padding_lo,
                       const std::optional<std::vector<int>>& padding_hi,
                       const std::optional<std::vector<int>>& kernel_dilation,
                       const std::optional<std::vector<int>>& input_dilation, int groups, bool flip,
                       mx::StreamOrDevice s);
// conv1d/2d/3d (spatial = 1, 2, 3) with MLX Python's int-or-per-axis arguments.
mx::array conv_nd(int spatial, const mx::array& input, const mx::array& weight, const std::vector<int>& stride,
                  const std::vector<int>& padding, const std::vector<int>& dilation, int groups, mx::StreamOrDevice s);
// conv_transpose1d/2d/3d. Padding larger than the dilated kernel crops the result (MLX would return a
// wrongly sized one).
mx::array conv_transpose_nd(int spatial, const mx::array& input, const mx::array& weight, const std::vector<int>& stride,
                            const std::vector<int>& padding, const std::vector<int>& dilation,
                            const std::vector<int>& output_padding, int groups, mx::StreamOrDevice s);

// Every transform: `sizes` (named `sizes_name` in messages)
// crops or zero-pads each transformed axis; axes default to the last len(sizes) axes, or all of them.
mx::array fft_general(const mx::array& a, const std::optional<std::vector<int>>& sizes,
                      const std::optional<std::vector<int>>& axes, mx::fft::FFTNorm norm, FftKind kind,
                      bool inverse, const char* sizes_name, mx::StreamOrDevice s);
// One axis (fft, ifft, rfft, irfft), two axes defaulting to the last two (fft2, ...), or n axes (fftn, ...).
mx::array fft1(const mx::array& a, std::optional<int> n, int axis, mx::fft::FFTNorm norm, FftKind kind, bool inverse,
               mx::StreamOrDevice s);
mx::array fft2(const mx::array& a, const std::optional<std::vector<int>>& sizes,
               const std::optional<std::vector<int>>& axes, mx::fft::FFTNorm norm, FftKind kind, bool inverse,
               mx::StreamOrDevice s);
mx::array fftn(const mx::array& a, const std::optional<std::vector<int>>& sizes,
               const std::optional<std::vector<int>>& axes, mx::fft::FFTNorm norm, FftKind kind, bool inverse,
               mx::StreamOrDevice s);
// fftshift / ifftshift, with axes checked first.
mx::array fftshift(const mx::array& a, const std::optional<std::vector<int>>& axes, bool inverse, mx::StreamOrDevice s);
// Short-time transforms with their window, padding and frequency-count arguments checked first.
mx::array stft(const mx::array& x, int n_fft, std::optional<int> hop, std::optional<int> win_length,
               const std::optional<mx::array>& window, bool center, const std::string& pad_mode,
               mx::fft::FFTNorm norm, std::optional<bool> onesided, mx::StreamOrDevice s);
mx::array istft(const mx::array& stft_matrix, std::optional<int> n_fft, std::optional<int> hop,
                std::optional<int> win_length, const std::optional<mx::array>& window, bool center,
                mx::fft::FFTNorm norm, std::optional<bool> onesided, std::optional<int> length,
                mx::StreamOrDevice s);

// The quantization family (support_quant.cc): the mode, group size and bits are checked against MLX's
// mode table first, with messages that name the allowed values.
std::vector<mx::array> quantize(const mx::array& w, std::optional<int> group_size, std::optional<int> bits,
                                const std::string& mode, const std::optional<mx::array>& global_scale,
                                mx::StreamOrDevice s);
mx::array dequantize(const mx::array& w, const mx::array& scales, const std::optional<mx::array>& biases,
                     std::optional<int> group_size, std::optional<int> bits, const std::string& mode,
                     const std::optional<mx::array>& global_scale, std::optional<mx::Dtype> dtype,
                     mx::StreamOrDevice s);
// With an nvfp4 global scale, which MLX's CPU kernels do not take, the product is scaled by
// global_scale / (448 * 6), the factor dequantize applies to every element.
mx::array quantized_matmul(const mx::array& x, const mx::array& w, const mx::array& scales,
                           const std::optional<mx::array>& biases, bool transpose, std::optional<int> group_size,
                           std::optional<int> bits, const std::string& mode,
                           const std::optional<mx::array>& global_scale, mx::StreamOrDevice s);
// Gather indices are wrapped (negative) and clamped into range first, as take() does.
mx::array gather_qmm(const mx::array& x, const mx::array& w, const mx::array& scales,
                     const std::optional<mx::array>& biases, const std::optional<mx::array>& lhs_indices,
                     const std::optional<mx::array>& rhs_indices, bool transpose, std::optional<int> group_size,
                     std::optional<int> bits, const std::string& mode, const std::optional<mx::array>& global_scale,
                     bool sorted_indices, mx::StreamOrDevice s);

// window_scatter_max / window_scatter_min (support_window.cc): XLA's select-and-scatter. For every window
// of `a` (window shape, strides, padding [lo, hi] per axis), the source value of that window is added at
// the position of the window's largest (or smallest) element, into a tensor of init_value.
mx::array window_scatter(const mx::array& a, const mx::array& source, const mx::array& init_value,
                         const std::vector<int>& window, const std::optional<std::vector<int>>& strides,
                         const std::optional<std::vector<std::vector<int>>>& padding, bool select_max,
                         mx::StreamOrDevice s);

// MLX builds a malformed view for a diagonal that lies outside the matrix (an offset past its edge): a
// reduction over it runs for seconds over memory it should not touch. These return an empty diagonal
// (and a zero trace) instead, and call MLX otherwise (which also reports bad axes).
mx::array diagonal(const mx::array& a, int offset, int axis1, int axis2, mx::StreamOrDevice s);
mx::array diag(const mx::array& a, int k, mx::StreamOrDevice s);
mx::array trace(const mx::array& a, int offset, int axis1, int axis2, std::optional<mx::Dtype> dtype, mx::StreamOrDevice s);

// Random sampling (support_random.cc): mx.random.*. Every sampler checks its dtype and shape before MLX
// sees them (a shape whose size overflows or exceeds the memory limit is refused), and takes an optional
// key: without one, MLX's default key sequence of the calling thread is split.
mx::array random_key(double seed);
std::monostate random_seed(double seed);
std::vector<mx::array> random_split(const mx::array& key, int num, mx::StreamOrDevice s);
mx::array random_bits(const std::optional<mx::Shape>& shape, int width, const std::optional<mx::array>& key,
                      mx::StreamOrDevice s);
mx::array random_uniform(const mx::array& low, const mx::array& high, const std::optional<mx::Shape>& shape,
                         mx::Dtype dtype, const std::optional<mx::array>& key, mx::StreamOrDevice s);
mx::array random_normal(const std::optional<mx::Shape>& shape, mx::Dtype dtype, const mx::array& loc,
                        const mx::array& scale, const std::optional<mx::array>& key, mx::StreamOrDevice s);
mx::array random_randint(const mx::array& low, const mx::array& high, const std::optional<mx::Shape>& shape,
                         mx::Dtype dtype, const std::optional<mx::array>& key, mx::StreamOrDevice s);
mx::array random_bernoulli(const mx::array& p, const std::optional<mx::Shape>& shape,
                           const std::optional<mx::array>& key, mx::StreamOrDevice s);
mx::array random_truncated_normal(const mx::array& lower, const mx::array& upper,
                                  const std::optional<mx::Shape>& shape, mx::Dtype dtype,
                                  const std::optional<mx::array>& key, mx::StreamOrDevice s);
mx::array random_gumbel(const std::optional<mx::Shape>& shape, mx::Dtype dtype, const std::optional<mx::array>& key,
                        mx::StreamOrDevice s);
mx::array random_laplace(const std::optional<mx::Shape>& shape, mx::Dtype dtype, double loc, double scale,
                         const std::optional<mx::array>& key, mx::StreamOrDevice s);
mx::array random_categorical(const mx::array& logits, int axis, const std::optional<mx::Shape>& shape,
                             std::optional<int> num_samples, const std::optional<mx::array>& key, mx::StreamOrDevice s);
mx::array random_permutation(int n, const std::optional<mx::array>& key, mx::StreamOrDevice s);
mx::array random_permutation(const mx::array& x, int axis, const std::optional<mx::array>& key, mx::StreamOrDevice s);
mx::array random_multivariate_normal(const mx::array& mean, const mx::array& cov,
                                     const std::optional<mx::Shape>& shape, mx::Dtype dtype,
                                     const std::optional<mx::array>& key, mx::StreamOrDevice s);

// Small public ops of mlx/ops.h (support_misc.cc).
// Rejects lengths of the last axis that MLX has no Hadamard matrix for, and complex64/float64 input.
mx::array hadamard_transform(const mx::array& a, std::optional<float> scale, mx::StreamOrDevice s);
// float64 goes through float32: MLX's fp8 kernels mishandle it.
mx::array to_fp8(const mx::array& x, mx::StreamOrDevice s);
mx::array from_fp8(const mx::array& x, mx::Dtype dtype, mx::StreamOrDevice s);
// [min, max] over the given axes (every axis when none).
std::vector<mx::array> minmax(const mx::array& a, const std::optional<std::vector<int>>& axes, bool keepdims,
                              mx::StreamOrDevice s);
// A JS-number fill value is a weak scalar of a's dtype; a size whose outputs cannot fit in the memory
// limit is refused.
std::vector<mx::array> unique(const mx::array& a, int size, bool return_index, bool return_inverse,
                              bool return_counts, std::optional<double> fill_value, mx::StreamOrDevice s);
// Checks the axes (in range, distinct) and that an inverted count has a floating-point dtype.
mx::array number_of_elements(const mx::array& a, const std::vector<int>& axes, bool inverted, mx::Dtype dtype,
                             mx::StreamOrDevice s);
// A window function of M points, refused when its float32 working set exceeds MLX's memory limit.
mx::array window_function(WindowKind kind, int M, mx::StreamOrDevice s);
// An empty axis list reduces nothing (MLX fails inside its flatten).
mx::array median(const mx::array& a, const std::vector<int>& axes, bool keepdims, mx::StreamOrDevice s);
// n x m with ones at and below diagonal k. Guard for an MLX defect (seen in MLX 0.32.4): MLX builds
// aranges of n and m and a bool matrix before the result, which the result-size check does not see
// (tri(0, 2^31 - 1) allocated 8 GB for no elements, tri(1e9, 1) 4 GB for a 1 GB result). An empty
// result is made without them, a working set past the memory limit is refused, and negative n or m
// are refused.
mx::array tri(int n, int m, int k, mx::Dtype dtype, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): linspace computes in float32 whatever the dtype (1e9
// int8 values made 4 GB intermediates for a 1 GB result); a working set past the memory limit is
// refused.
mx::array linspace(double start, double stop, int num, bool endpoint, mx::Dtype dtype, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): tril and triu mask with MLX's tri, whose aranges of the
// row and column counts cost memory even for an empty matrix ([2^30, 0] allocated 4 GB, an empty batch
// of 65536 x 65536 matrices 4 GB for the mask): an empty input is returned as it is.
mx::array tril(const mx::array& a, int k, mx::StreamOrDevice s);
mx::array triu(const mx::array& a, int k, mx::StreamOrDevice s);
// n inputs give n outputs of n axes each: refused when their shapes alone (n^2 entries) could not fit
// in the memory limit.
std::vector<mx::array> meshgrid(const std::vector<mx::array>& arrays, bool sparse, const std::string& indexing,
                                 mx::StreamOrDevice s);
// Refuses an axis longer than 2^20: every part is a separate tensor.
std::vector<mx::array> unstack(const mx::array& a, int axis, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): depends reads inputs[0] unchecked (for its stream), so an empty
// `inputs` crashed the process (SIGSEGV). No inputs give no outputs.
std::vector<mx::array> depends(const std::vector<mx::array>& inputs, const std::vector<mx::array>& dependencies);

// Scatter, dynamic-slice and indexed-matmul ops (scatter_* and clamp_indices with `hi` in support_seed.cc,
// the rest in support_scatter.cc). MLX's kernels for these do not bounds-check indices or dynamic
// starts, so every index is made safe here first: negative ones count from the end, the rest clamp.

mx::array scatter(const mx::array& a, const std::vector<mx::array>& indices, const mx::array& updates,
                  std::vector<int> axes, ScatterKind kind, mx::StreamOrDevice s);
// Integer indices as int64, negative ones counted from the end of an axis of length `size`, then clamped
// into [0, hi]. Non-integer indices are rejected.
mx::array clamp_indices(const mx::array& indices, int size, int hi, mx::StreamOrDevice s);
// put_along_axis (add = false) and scatter_add_axis (add = true); without an axis, `a` is flattened
// first and the result takes `a`'s shape again.
mx::array put_along_axis(const mx::array& a, const mx::array& indices, const mx::array& values,
                         std::optional<int> axis, bool add, mx::StreamOrDevice s);
// A block of shape `slice_size` (one entry per axis of `a`) read at a start given as a tensor (one
// entry per axis in `axes`; the other axes start at 0). Starts are clamped so the block lies inside `a`.
mx::array slice_dynamic(const mx::array& a, const mx::array& start, std::vector<int> axes,
                        const std::vector<int>& slice_size, mx::StreamOrDevice s);
// Writes `update` (its shape, with leading 1s up to a's rank, is the block written) at a start given as a
// tensor, clamped like slice_dynamic.
mx::array slice_update_dynamic(const mx::array& a, const mx::array& update, const mx::array& start,
                               std::vector<int> axes, mx::StreamOrDevice s);
// slice_update_add / _prod / _max / _min over a static slice given like slice_update.
mx::array slice_update_reduce(const mx::array& a, const mx::array& update, const std::vector<int>& start,
                              const std::vector<int>& stop, const std::optional<std::vector<int>>& strides,
                              ScatterKind kind, mx::StreamOrDevice s);
// An empty `src` is rejected (MLX's kernel divides by its size) unless `a` is empty.
mx::array masked_scatter(const mx::array& a, const mx::array& mask, const mx::array& src, mx::StreamOrDevice s);
// beta * c + alpha * (a @ b); an empty result (which MLX's addmm fails to build when batched) is returned
// as zeros of the broadcast shape.
mx::array addmm(const mx::array& c, const mx::array& a, const mx::array& b, double alpha, double beta,
                mx::StreamOrDevice s);
// With a mask, MLX's CPU kernel multiplies float32 only: float16/bfloat16 are computed in float32 and
// cast back, float64 is rejected. The block size must be 32 or 64.
mx::array block_masked_mm(const mx::array& a, const mx::array& b, int block_size,
                          const std::optional<mx::array>& mask_out, const std::optional<mx::array>& mask_lhs,
                          const std::optional<mx::array>& mask_rhs, mx::StreamOrDevice s);
// Indices are clamped into each operand's flattened batch; an index into an empty batch is rejected.
// MLX's CPU kernel multiplies float32 only: float16/bfloat16 are computed in float32 and cast back,
// float64 is rejected.
mx::array gather_mm(const mx::array& a, const mx::array& b, const std::optional<mx::array>& lhs_indices,
                    const std::optional<mx::array>& rhs_indices, bool sorted_indices, mx::StreamOrDevice s);

}  // namespace support

}  // namespace mlxts
