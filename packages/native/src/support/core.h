// The hand-written helpers that callees of the core family name (mlxts::support::*), grouped by the file
// that defines them. Each file holds one kind (docs/concepts/adding-an-op.md says when each is allowed):
// - guards_*.cc: guards around MLX defects, each naming the defect and the MLX version it was seen in,
//   so that an MLX upgrade can delete it;
// - adapters_core.cc: argument forms the schema's types cannot express;
// - composite_*.cc: ops MLX lacks, built from MLX ops.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <mlx/fft.h>

#include "generated/enums.h"
#include "runtime.h"

namespace mlxts::support {

// Adapters (adapters_core.cc).

// arange(stop) / arange(start, stop, step); int32 when every bound is integral, else float32.
mx::array arange(double start, std::optional<double> stop, std::optional<double> step, std::optional<mx::Dtype> dtype,
                 mx::StreamOrDevice s);
// Static slicing over the leading axes (the rest are taken whole), Python semantics: negative indices
// count from the end and out-of-range ones clamp. The lists must have the same length; no stride is 0.
mx::array slice(const mx::array& a, const std::vector<int>& start, const std::vector<int>& stop,
                const std::optional<std::vector<int>>& strides, mx::StreamOrDevice s);
mx::array slice_update(const mx::array& a, const mx::array& update, const std::vector<int>& start,
                       const std::vector<int>& stop, const std::optional<std::vector<int>>& strides,
                       mx::StreamOrDevice s);
// slice_update_add / _prod / _max / _min over a static slice given like slice_update.
mx::array slice_update_reduce(const mx::array& a, const mx::array& update, const std::vector<int>& start,
                              const std::vector<int>& stop, const std::optional<std::vector<int>>& strides,
                              ScatterKind kind, mx::StreamOrDevice s);
// [min, max] over the given axes (every axis when none): MLX returns a std::tuple.
std::vector<mx::array> minmax(const mx::array& a, const std::optional<std::vector<int>>& axes, bool keepdims,
                              mx::StreamOrDevice s);
// Negative reps are a RangeError (the error rule) before MLX sees them.
mx::array tile(const mx::array& a, const std::vector<int>& reps, mx::StreamOrDevice s);

// Guards: gather, scatter and dynamic slices (guards_indexing.cc). Guard for an MLX defect (seen in MLX
// 0.32.4): these kernels do not bounds-check indices or dynamic starts, and an out-of-range one reads or
// writes outside the buffer. Every index is made safe first: negative ones count from the end, the rest
// clamp (indices.h).
mx::array take(const mx::array& a, const mx::array& indices, std::optional<int> axis, mx::StreamOrDevice s);
mx::array take_along_axis(const mx::array& a, const mx::array& indices, int axis, mx::StreamOrDevice s);
// Indices are wrapped (negative) and clamped so that every slice lies inside `a`.
mx::array gather(const mx::array& a, const std::vector<mx::array>& indices, std::vector<int> axes,
                 const std::vector<int>& slice_sizes, mx::StreamOrDevice s);
mx::array scatter(const mx::array& a, const std::vector<mx::array>& indices, const mx::array& updates,
                  std::vector<int> axes, ScatterKind kind, mx::StreamOrDevice s);
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
// Guard for an MLX defect (seen in MLX 0.32.4): the kernel divides by the size of `src`, so an empty
// `src` is rejected unless `a` is empty.
mx::array masked_scatter(const mx::array& a, const mx::array& mask, const mx::array& src, mx::StreamOrDevice s);

// Guards: views (guards_views.cc).
// Guard for an MLX defect (seen in MLX 0.32.4): a raw byte other than 0 or 1 is an invalid bool that
// MLX's kernels disagree about, so a view as bool maps every nonzero byte to true.
mx::array view(const mx::array& a, mx::Dtype dtype, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): MLX does not check that the view stays inside its input.
// Any shape/strides/offset whose reachable element range leaves [0, a.size()) is rejected.
mx::array as_strided(const mx::array& a, const std::vector<int>& shape, const std::vector<int>& strides, int offset,
                     mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): MLX builds a malformed view for a diagonal that lies
// outside the matrix (an offset past its edge): a reduction over it runs for seconds over memory it should
// not touch. These return an empty diagonal (and a zero trace) instead, and call MLX otherwise (which
// also reports bad axes).
mx::array diagonal(const mx::array& a, int offset, int axis1, int axis2, mx::StreamOrDevice s);
mx::array diag(const mx::array& a, int k, mx::StreamOrDevice s);
mx::array trace(const mx::array& a, int offset, int axis1, int axis2, std::optional<mx::Dtype> dtype, mx::StreamOrDevice s);

// Guards: elementwise math, reductions and value transforms (guards_math.cc).
// Guard for an MLX defect (seen in MLX 0.32.4): integer floor division and remainder trap, because the
// CPU kernels divide with the hardware instruction, which raises SIGFPE for INT_MIN / -1 on int32 and
// int64. A divisor of -1 is handled without dividing (the quotient is the negation, wrapping for INT_MIN;
// the remainder is 0). Other dtypes go straight to MLX, whose kernels already map a zero integer divisor
// to quotient 0 and remainder `a`.
mx::array floor_divide(const mx::array& a, const mx::array& b, mx::StreamOrDevice s);
mx::array remainder(const mx::array& a, const mx::array& b, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): the DivMod kernel divides integers without the
// zero-divisor guard of floor_divide/remainder, so an integer zero divisor would crash the process:
// integer (and bool) inputs use the two guarded ops above, floating-point inputs MLX's divmod.
std::vector<mx::array> divmod(const mx::array& a, const mx::array& b, mx::StreamOrDevice s);
// MLX's sign of a real NaN is 0 (seen in MLX 0.32.4), hiding a bad value; NumPy's (and this one's) is NaN.
mx::array sign(const mx::array& a, mx::StreamOrDevice s);
// Softmax over the given axes (every axis when none). Guard for an MLX defect (seen in MLX 0.32.4): over
// any axes other than the last one alone, MLX computes integer and bool input in its own dtype and
// returns zeros of that dtype; such input is computed in float32 here, as MLX does over the last axis.
mx::array softmax(const mx::array& a, const std::optional<std::vector<int>>& axes, bool precise, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): mx::diff loops n times even past an empty axis, so the
// order is capped at the axis length.
mx::array diff(const mx::array& a, int n, int axis, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): an empty axis list fails inside MLX's flatten; here it
// reduces nothing.
mx::array median(const mx::array& a, const std::vector<int>& axes, bool keepdims, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): MLX indexes the shape with the axes unchecked. The axes
// are checked (in range, distinct), and an inverted count must have a floating-point dtype.
mx::array number_of_elements(const mx::array& a, const std::vector<int>& axes, bool inverted, mx::Dtype dtype,
                             mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): complex64 input loses its imaginary part and float64
// fails only when the kernel runs. Both are rejected, as are lengths of the last axis that MLX has no
// Hadamard matrix for.
mx::array hadamard_transform(const mx::array& a, std::optional<float> scale, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): the fp8 kernels read float64 as if it were a narrower
// float; float64 goes through float32.
mx::array to_fp8(const mx::array& x, mx::StreamOrDevice s);
mx::array from_fp8(const mx::array& x, mx::Dtype dtype, mx::StreamOrDevice s);

// Guards: memory beyond the result (guards_memory.cc). The runtime checks each result against MLX's
// memory limit; these ops allocate more than their result.
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
// A window function of M points. Guard for an MLX defect (seen in MLX 0.32.4): the window is built from
// float32 temporaries as long as itself, which the result-size check does not see; it is refused when
// that working set exceeds MLX's memory limit.
mx::array window_function(WindowKind kind, int M, mx::StreamOrDevice s);
// A size whose outputs together cannot fit in the memory limit is refused (MLX would fail to allocate
// while the kernel runs); a JS-number fill value is a weak scalar of a's dtype.
std::vector<mx::array> unique(const mx::array& a, int size, bool return_index, bool return_inverse,
                              bool return_counts, std::optional<double> fill_value, mx::StreamOrDevice s);
// n inputs give n outputs of n axes each: refused when their shapes alone (n^2 entries) could not fit
// in the memory limit.
std::vector<mx::array> meshgrid(const std::vector<mx::array>& arrays, bool sparse, const std::string& indexing,
                                mx::StreamOrDevice s);
// Refuses an axis longer than 2^20: every part is a separate tensor.
std::vector<mx::array> unstack(const mx::array& a, int axis, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): MLX splits an empty axis into any number of empty parts,
// and 2^31 - 1 of them exhausted memory. More than 2^20 sections are refused, as unstack refuses parts:
// each is a separate tensor.
std::vector<mx::array> split(const mx::array& a, int sections, int axis, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): tril and triu mask with MLX's tri, whose aranges of the
// row and column counts cost memory even for an empty matrix ([2^30, 0] allocated 4 GB, an empty batch
// of 65536 x 65536 matrices 4 GB for the mask): an empty input is returned as it is.
mx::array tril(const mx::array& a, int k, mx::StreamOrDevice s);
mx::array triu(const mx::array& a, int k, mx::StreamOrDevice s);

// Guards: shape ops (guards_shape.cc).
// Pads with a constant (cast to a's dtype) or by edge/reflect/symmetric copies; widths that would read
// outside the axis (reflect and symmetric past its length, edge of an empty axis) are rejected before MLX
// sees them.
mx::array pad(const mx::array& a, const std::vector<std::pair<int, int>>& width, const std::string& mode,
              double value, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): MLX pairs a list of shifts with the axes without checking
// that the lengths match.
mx::array roll(const mx::array& a, const std::vector<int>& shift, const std::optional<std::vector<int>>& axes,
               mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): reshape and unflatten accept negative entries other than
// -1 (building a tensor of shape [-2, -2]), and unflatten divides by zero (SIGFPE) inferring -1 beside a
// 0. One -1 entry is inferred; other negative entries, and -1 beside a 0, are refused.
mx::array reshape(const mx::array& a, const mx::Shape& shape, mx::StreamOrDevice s);
mx::array unflatten(const mx::array& a, int axis, const mx::Shape& shape, mx::StreamOrDevice s);

// Guards: products (guards_products.cc).
// The axes are a pair of lists of equal length, each checked against its operand (in range, distinct).
mx::array tensordot(const mx::array& a, const mx::array& b, const std::vector<std::vector<int>>& axes,
                    mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): MLX checks `axis` against a single operand's rank, so a
// and b are broadcast to one shape first.
mx::array vecdot(const mx::array& a, const mx::array& b, int axis, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): the kernel checks neither that a and b are matrices that
// contract nor its segments, and reads past its operands. Both are checked, and every [start, end)
// segment is clamped into [0, K] (a reversed one becomes empty).
mx::array segmented_mm(const mx::array& a, const mx::array& b, const mx::array& segments, mx::StreamOrDevice s);
// beta * c + alpha * (a @ b). Guard for an MLX defect (seen in MLX 0.32.4): MLX fails to build a
// batched product with an empty operand, so an empty result is returned as zeros of the broadcast
// shape (or beta * c).
mx::array addmm(const mx::array& c, const mx::array& a, const mx::array& b, double alpha, double beta,
                mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): with a mask, the CPU kernel multiplies float32 only and
// fails at evaluation otherwise: float16/bfloat16 are computed in float32 and cast back, float64 is
// rejected. The block size must be 32 or 64.
mx::array block_masked_mm(const mx::array& a, const mx::array& b, int block_size,
                          const std::optional<mx::array>& mask_out, const std::optional<mx::array>& mask_lhs,
                          const std::optional<mx::array>& mask_rhs, mx::StreamOrDevice s);
// Guard for MLX defects (seen in MLX 0.32.4): the indices are not bounds-checked, so they are clamped into
// each operand's flattened batch (an index into an empty batch is rejected); the CPU kernel multiplies
// float32 only, so float16/bfloat16 are computed in float32 and cast back, and float64 is rejected.
mx::array gather_mm(const mx::array& a, const mx::array& b, const std::optional<mx::array>& lhs_indices,
                    const std::optional<mx::array>& rhs_indices, bool sorted_indices, mx::StreamOrDevice s);

// Guards: ops on the graph (guards_graph.cc).
// Guard for an MLX defect (seen in MLX 0.32.4): depends reads inputs[0] unchecked (for its stream), so an
// empty `inputs` crashed the process (SIGSEGV). No inputs give no outputs.
std::vector<mx::array> depends(const std::vector<mx::array>& inputs, const std::vector<mx::array>& dependencies);

// Guards: convolutions (guards_conv.cc). Every convolution is checked before MLX sees it: MLX's own
// shape checks (seen in MLX 0.32.4) miss cases in which its CPU kernel reads past the padded input,
// divides by zero (zero channels) or returns a wrongly sized result.
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

// Guards: the fft module (guards_fft.cc). Guard for an MLX defect (seen in MLX 0.32.4): MLX reports an
// out-of-range axis of some transforms only as "SmallVector out of range", and returns the input
// unchanged, not complex, for an empty list of axes; axes and sizes are checked first.
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
// Short-time transforms with their window, padding and frequency-count arguments checked first (MLX
// silently misplaces a window whose length differs from winLength).
mx::array stft(const mx::array& x, int n_fft, std::optional<int> hop, std::optional<int> win_length,
               const std::optional<mx::array>& window, bool center, const std::string& pad_mode,
               mx::fft::FFTNorm norm, std::optional<bool> onesided, mx::StreamOrDevice s);
mx::array istft(const mx::array& stft_matrix, std::optional<int> n_fft, std::optional<int> hop,
                std::optional<int> win_length, const std::optional<mx::array>& window, bool center,
                mx::fft::FFTNorm norm, std::optional<bool> onesided, std::optional<int> length,
                mx::StreamOrDevice s);

// Guards: random sampling, mx.random.* (guards_random.cc). Every sampler checks its shape before MLX
// sees it: a shape whose size overflows, or whose float32 working set exceeds the memory limit (which the
// result-size check does not see), is refused. Each takes an optional key: without one, MLX's default key
// sequence of the calling thread is split.
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

// Composites (composite_window_scatter.cc).
// window_scatter_max / window_scatter_min: XLA's select-and-scatter, which MLX lacks. For every window of
// `a` (window shape, strides, padding [lo, hi] per axis), the source value of that window is added at the
// position of the window's largest (or smallest) element, into a tensor of init_value.
mx::array window_scatter(const mx::array& a, const mx::array& source, const mx::array& init_value,
                         const std::vector<int>& window, const std::optional<std::vector<int>>& strides,
                         const std::optional<std::vector<std::vector<int>>>& padding, bool select_max,
                         mx::StreamOrDevice s);

}  // namespace mlxts::support
