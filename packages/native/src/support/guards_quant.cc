// Helpers behind the @mlxts/quant ops: one check of the mode, group size and bits (with messages that
// name the allowed values, which MLX's own do not always do), dtype, rank and shape checks made when the
// op is built rather than when a kernel fails or reads out of bounds, the nvfp4 global scale where MLX's
// CPU kernels lack it, float32 accumulation for half-precision activations on the CPU, and gather
// indices made safe before they reach MLX's gather kernels.
#include <algorithm>
#include <sstream>

#include "dtype.h"
#include "errors.h"
#include "qmm/dispatch.h"
#include "support/indices.h"
#include "support/quant.h"

namespace mlxts::support {

namespace {

// E2M1's largest magnitude (6) times E4M3's (448): nvfp4 dequantization multiplies every element by
// global_scale / kNvfp4Range (measured against mx::dequantize; see the quant family's tests).
constexpr float kNvfp4Range = 448.0f * 6.0f;

struct Params {
  int group_size;
  int bits;
  bool affine;
};

std::string shape_string(const mx::Shape& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

// The mode table of MLX 0.32 (quantization_params_from_mode and the per-mode checks of quantize). `mode`
// is a value of the QuantMode enum, checked by the generated wrapper.
Params params(const std::string& mode, std::optional<int> group_size, std::optional<int> bits) {
  if (mode == "affine") {
    int g = group_size.value_or(64);
    int b = bits.value_or(4);
    if (g != 32 && g != 64 && g != 128) {
      throw ArgumentRangeError("affine mode supports groupSize 32, 64 or 128, got " + std::to_string(g));
    }
    if (b < 1 || b > 8 || b == 7) {
      throw ArgumentRangeError("affine mode supports bits 1, 2, 3, 4, 5, 6 or 8, got " + std::to_string(b));
    }
    return {g, b, true};
  }
  struct Fixed {
    int group_size;
    int bits;
  };
  Fixed f = mode == "mxfp4" ? Fixed{32, 4} : mode == "mxfp8" ? Fixed{32, 8} : Fixed{16, 4};
  if ((group_size && *group_size != f.group_size) || (bits && *bits != f.bits)) {
    throw ArgumentRangeError(mode + " mode has a fixed groupSize " + std::to_string(f.group_size) + " and bits " +
                     std::to_string(f.bits) + ", got groupSize " + std::to_string(group_size.value_or(f.group_size)) +
                     " and bits " + std::to_string(bits.value_or(f.bits)));
  }
  return {f.group_size, f.bits, false};
}

bool kernel_float(mx::Dtype d) { return d == mx::float32 || d == mx::float16 || d == mx::bfloat16; }

void check_float(const mx::array& a, const char* name) {
  if (!kernel_float(a.dtype())) {
    throw std::invalid_argument(std::string(name) + " must be float32, float16 or bfloat16, got " + dtype_name(a.dtype()));
  }
}

// What every op over packed weights needs before MLX sees them: uint32 words with at least two axes,
// scales (and biases) that agree with the mode.
void check_packed(const mx::array& w, const mx::array& scales, const std::optional<mx::array>& biases,
                  const std::string& mode, const Params& p) {
  if (w.dtype() != mx::uint32) {
    throw std::invalid_argument(std::string("w must be the packed uint32 weights from quantize, got ") + dtype_name(w.dtype()));
  }
  if (w.ndim() < 2) throw std::invalid_argument("w must have at least 2 dimensions, got shape " + shape_string(w.shape()));
  // MLX checks only the last axis of scales (and nothing of biases' shape against w), and its kernels
  // would read past the end of smaller ones: require exactly one scale per group.
  long bits_per_row = static_cast<long>(w.shape(-1)) * 32;
  if (bits_per_row % p.bits != 0 || (bits_per_row / p.bits) % p.group_size != 0) {
    throw std::invalid_argument("w's last dimension (" + std::to_string(w.shape(-1)) + " words) does not hold whole groups of " +
                     std::to_string(p.group_size) + " " + std::to_string(p.bits) + "-bit codes");
  }
  mx::Shape expected = w.shape();
  expected.back() = static_cast<int>(bits_per_row / p.bits / p.group_size);
  if (scales.shape() != expected) {
    throw std::invalid_argument("scales must have shape " + shape_string(expected) + " (one per group of " +
                     std::to_string(p.group_size) + ") for w of shape " + shape_string(w.shape()) + " with bits " +
                     std::to_string(p.bits) + ", got " + shape_string(scales.shape()));
  }
  if (biases && biases->shape() != expected) {
    throw std::invalid_argument("biases must have the shape of scales, " + shape_string(expected) + ", got " +
                     shape_string(biases->shape()));
  }
  if (p.affine) {
    if (!biases) throw ArgumentTypeError("affine mode needs biases (the third array quantize returned)");
    if (!mx::issubdtype(scales.dtype(), mx::floating)) {
      throw std::invalid_argument(std::string("affine scales must be floating, got ") + dtype_name(scales.dtype()));
    }
  } else {
    if (biases) throw ArgumentTypeError(mode + " mode has no biases: pass none");
    if (scales.dtype() != mx::uint8) {
      throw std::invalid_argument(mode + " scales must be uint8 (as quantize returns them), got " + dtype_name(scales.dtype()));
    }
  }
}

// MLX's quantized matmul kernels take no global scale on the CPU (quantized_matmul has no such argument,
// and gather_qmm refuses one off the GPU). The global scale multiplies every dequantized element by the
// same factor, so it is applied to the product instead.
mx::array global_scale_factor(const mx::array& global_scale, const std::string& mode, mx::StreamOrDevice s) {
  if (mode != "nvfp4") throw ArgumentTypeError("globalScale is only supported by the nvfp4 mode, got mode '" + mode + "'");
  if (global_scale.dtype() != mx::float32) {
    throw std::invalid_argument(std::string("globalScale must be float32, got ") + dtype_name(global_scale.dtype()));
  }
  return mx::divide(global_scale, mx::array(kNvfp4Range), s);
}

// MLX's quantized matmul kernels divide by zero on empty operands (SIGFPE on the CPU). An empty x, w or
// result gives an empty result, or zeros where only the reduced axis is empty.
mx::array empty_safe(const mx::array& y, const mx::array& x, const mx::array& w, mx::StreamOrDevice s) {
  return y.size() == 0 || x.size() == 0 || w.size() == 0 ? mx::zeros(y.shape(), y.dtype(), s) : y;
}

mx::array scaled(const mx::array& y, const mx::array& factor, mx::StreamOrDevice s) {
  return mx::astype(mx::multiply(y, factor, s), y.dtype(), s);
}

// MLX's CPU quantized matmul kernels accumulate in the activations' dtype: with float16 or bfloat16 x,
// a sum of 4096 ones comes out as 2048 or 256 (every mode with transpose false, affine with transpose
// true). On the CPU, x is therefore widened to float32 and the result converted back to the dtype MLX
// gives (x's promoted with the scales' in affine mode, x's otherwise).
struct Activations {
  mx::array x;
  std::optional<mx::Dtype> result;
};

Activations widened(const mx::array& x, const mx::array& scales, const Params& p, mx::StreamOrDevice s) {
  bool half = x.dtype() == mx::float16 || x.dtype() == mx::bfloat16;
  if (!half || mx::to_stream(s).device != mx::Device::cpu) return {x, std::nullopt};
  mx::Dtype result = p.affine ? mx::promote_types(x.dtype(), scales.dtype()) : x.dtype();
  return {mx::astype(x, mx::float32, s), result};
}

mx::array narrowed(const mx::array& y, const Activations& a, mx::StreamOrDevice s) {
  return a.result && y.dtype() != *a.result ? mx::astype(y, *a.result, s) : y;
}

int batch_count(const mx::array& a) {
  int n = 1;
  for (int i = 0; i + 2 < static_cast<int>(a.ndim()); ++i) n *= a.shape(i);
  return n;
}

// Gather indices into [0, size): negative ones count from the end, the rest clamp. MLX's gather kernels
// do not bounds-check, and an out-of-range index would read arbitrary memory.
mx::array safe_indices(const mx::array& indices, int size, const char* name, mx::StreamOrDevice s) {
  if (!mx::issubdtype(indices.dtype(), mx::integer)) {
    throw std::invalid_argument(std::string(name) + " must be integers, got " + dtype_name(indices.dtype()));
  }
  return clamp_indices(indices, size, s);
}

}  // namespace

std::vector<mx::array> quantize(const mx::array& w, std::optional<int> group_size, std::optional<int> bits,
                                const std::string& mode, const std::optional<mx::array>& global_scale,
                                mx::StreamOrDevice s) {
  Params p = params(mode, group_size, bits);
  if (w.ndim() < 2) {
    throw std::invalid_argument("w must have at least 2 dimensions (groups run along the last axis), got shape " +
                     shape_string(w.shape()));
  }
  check_float(w, "w");
  if (w.shape(-1) % p.group_size != 0) {
    throw std::invalid_argument("the last dimension of w (" + std::to_string(w.shape(-1)) + ") must be a multiple of groupSize " +
                     std::to_string(p.group_size));
  }
  // MLX 0.32's nvfp4 kernel packs 32 elements at a time and fails with a bare reshape error otherwise.
  if (mode == "nvfp4" && w.size() % 32 != 0) {
    throw std::invalid_argument("nvfp4 needs a number of elements of w that is a multiple of 32, got shape " +
                     shape_string(w.shape()));
  }
  return mx::quantize(w, p.group_size, p.bits, mode, global_scale, s);
}

mx::array dequantize(const mx::array& w, const mx::array& scales, const std::optional<mx::array>& biases,
                     std::optional<int> group_size, std::optional<int> bits, const std::string& mode,
                     const std::optional<mx::array>& global_scale, std::optional<mx::Dtype> dtype,
                     mx::StreamOrDevice s) {
  Params p = params(mode, group_size, bits);
  check_packed(w, scales, biases, mode, p);
  if (w.size() == 0) {  // MLX fails to reshape an empty matrix
    mx::Shape shape = w.shape();
    shape.back() = static_cast<int>(static_cast<long>(w.shape(-1)) * 32 / p.bits);
    return mx::zeros(shape, dtype.value_or(p.affine ? scales.dtype() : mx::bfloat16), s);
  }
  mx::array out = mx::dequantize(w, scales, biases, p.group_size, p.bits, mode, global_scale, dtype, s);
  // With a global scale MLX 0.32 returns float32 whatever dtype was asked for.
  return dtype && out.dtype() != *dtype ? mx::astype(out, *dtype, s) : out;
}

mx::array quantized_matmul(const mx::array& x, const mx::array& w, const mx::array& scales,
                           const std::optional<mx::array>& biases, bool transpose, std::optional<int> group_size,
                           std::optional<int> bits, const std::string& mode,
                           const std::optional<mx::array>& global_scale, mx::StreamOrDevice s) {
  Params p = params(mode, group_size, bits);
  check_packed(w, scales, biases, mode, p);
  check_float(x, "x");
  if (x.ndim() == 0) throw std::invalid_argument("x must have at least 1 dimension, got a scalar");
  std::optional<mx::array> factor;
  if (global_scale) {
    factor = global_scale_factor(*global_scale, mode, s);
    if (global_scale->ndim() != 0) {
      throw std::invalid_argument("globalScale must be a scalar, got shape " + shape_string(global_scale->shape()));
    }
  }
  // MLX broadcasts batch axes only when x and w both have more than two: a 1-D or 2-D x against a stack
  // of matrices would silently be multiplied by the first matrix alone. Give x leading axes of length 1
  // (and take the vector axis off again afterwards), as matmul does.
  mx::array xx = x;
  bool vector = x.ndim() == 1 && w.ndim() > 2;
  if (w.ndim() > 2 && x.ndim() < w.ndim()) {
    mx::Shape shape(w.ndim() - std::max<size_t>(x.ndim(), 2), 1);
    if (vector) shape.push_back(1);
    shape.insert(shape.end(), x.shape().begin(), x.shape().end());
    xx = mx::reshape(x, shape, s);
  }
  // The addon's CPU kernel where it applies (it sums in float32 whatever the dtypes), MLX's otherwise.
  if (auto fast = qmm::quantized_matmul(xx, w, scales, biases, transpose, p.group_size, p.bits, mode, s)) {
    return vector ? mx::squeeze(*fast, -2, s) : *fast;
  }
  Activations a = widened(xx, scales, p, s);
  mx::array y = mx::quantized_matmul(a.x, w, scales, biases, transpose, p.group_size, p.bits, mode, s);
  y = empty_safe(y, x, w, s);
  if (vector) y = mx::squeeze(y, -2, s);
  return narrowed(factor ? scaled(y, *factor, s) : y, a, s);
}

mx::array gather_qmm(const mx::array& x, const mx::array& w, const mx::array& scales,
                     const std::optional<mx::array>& biases, const std::optional<mx::array>& lhs_indices,
                     const std::optional<mx::array>& rhs_indices, bool transpose, std::optional<int> group_size,
                     std::optional<int> bits, const std::string& mode, const std::optional<mx::array>& global_scale,
                     bool sorted_indices, mx::StreamOrDevice s) {
  Params p = params(mode, group_size, bits);
  check_packed(w, scales, biases, mode, p);
  check_float(x, "x");
  mx::Shape experts(w.shape().begin(), w.shape().end() - 2);
  std::optional<mx::array> factor;
  if (global_scale) {
    factor = global_scale_factor(*global_scale, mode, s);
    if (global_scale->ndim() != 0 && global_scale->shape() != experts) {
      throw std::invalid_argument("globalScale must be a scalar or hold one entry per expert, shape " +
                       shape_string(experts) + ", got shape " + shape_string(global_scale->shape()));
    }
  }
  std::optional<mx::array> lhs, rhs;
  if (lhs_indices) lhs = safe_indices(*lhs_indices, batch_count(x), "lhsIndices", s);
  if (rhs_indices) rhs = safe_indices(*rhs_indices, batch_count(w), "rhsIndices", s);
  Activations a = widened(x, scales, p, s);
  mx::array y = mx::gather_qmm(a.x, w, scales, biases, lhs, rhs, transpose, p.group_size, p.bits, mode, std::nullopt,
                               sorted_indices, s);
  y = empty_safe(y, x, w, s);
  if (!factor) return narrowed(y, a, s);
  if (global_scale->ndim() == 0) return narrowed(scaled(y, *factor, s), a, s);
  // One factor per output matrix: the expert that rhsIndices picked (by default the batch position).
  mx::array picked = rhs ? *rhs : mx::reshape(mx::arange(batch_count(w), mx::uint32, s), experts, s);
  mx::array per = mx::take(mx::flatten(*factor, s), picked, s);
  mx::Shape shape = per.shape();
  shape.push_back(1);
  shape.push_back(1);
  return narrowed(scaled(y, mx::reshape(per, shape, s), s), a, s);
}

}  // namespace mlxts::support
