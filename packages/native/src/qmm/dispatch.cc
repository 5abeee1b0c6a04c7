// The one place that decides between the addon's CPU quantized matmul and MLX's.
//
// The addon's kernel covers what LLM inference on a CPU multiplies by: affine 4- and 8-bit weights
// (GGUF's Q4_0, Q4_1 and Q8_0 load as affine with group size 32) in MLX's transposed layout, activations
// and scales in float32, float16 or bfloat16, any batch of rows. There MLX 0.32's CPU kernel is a scalar
// loop (and accumulates in the activations' half type); elsewhere MLX's kernel runs: the floating-point
// modes, 1-, 2-, 3-, 5- and 6-bit codes, transpose: false, GPU streams, and shapes MLX itself refuses
// (so that its error messages stay the same).
//
// MLXTS_QMM_KERNEL, read at every call so that benchmarks and tests can compare kernels in one process:
// unset (or "auto") as above; "mlx" always MLX's kernel; "mlxts" the addon's fastest kernel for this CPU
// and "portable" its portable one, both an error where they do not apply.
#include "qmm/dispatch.h"

#include <cstdlib>
#include <stdexcept>

#include "qmm/primitive.h"

namespace mlxts::qmm {

namespace {

bool kernel_float(mx::Dtype d) { return d == mx::float32 || d == mx::float16 || d == mx::bfloat16; }

// Why the addon's kernel does not apply, or nullptr when it does.
const char* unsupported(const mx::array& x, const mx::array& w, const mx::array& scales,
                        const std::optional<mx::array>& biases, bool transpose, int group_size, int bits,
                        const std::string& mode, const mx::Stream& stream) {
  if (stream.device != mx::Device::cpu) return "it runs on the CPU only";
  if (mode != "affine") return "it supports the affine mode only";
  if (!transpose) return "it supports transpose: true only";
  if (bits != 4 && bits != 8) return "it supports 4- and 8-bit codes only";
  if (group_size % 16 != 0) return "it supports group sizes 32, 64 and 128 only";
  if (!biases || !kernel_float(x.dtype()) || !kernel_float(scales.dtype()) || biases->dtype() != scales.dtype()) {
    return "it needs float32, float16 or bfloat16 x and scales, and biases of the scales' dtype";
  }
  if (w.ndim() < 2 || x.ndim() < 1 || x.shape(-1) != static_cast<int64_t>(w.shape(-1)) * 32 / bits) {
    return "x's last dimension does not match w";
  }
  if (x.size() == 0 || w.size() == 0) return "it needs non-empty operands";
  if (w.ndim() > 2) {
    if (x.ndim() < 3) return "a stack of weights needs x with batch axes";
    for (int i = 3; i <= static_cast<int>(std::min(x.ndim(), w.ndim())); ++i) {
      if (x.shape(-i) != w.shape(-i) && x.shape(-i) != 1 && w.shape(-i) != 1) return "batch axes do not broadcast";
    }
  }
  return nullptr;
}

}  // namespace

std::optional<mx::array> quantized_matmul(const mx::array& x, const mx::array& w, const mx::array& scales,
                                          const std::optional<mx::array>& biases, bool transpose, int group_size,
                                          int bits, const std::string& mode, mx::StreamOrDevice s) {
  const char* choice = std::getenv("MLXTS_QMM_KERNEL");
  std::string kernel = choice && *choice ? choice : "auto";
  if (kernel == "mlx") return std::nullopt;
  if (kernel != "auto" && kernel != "mlxts" && kernel != "portable") {
    throw std::invalid_argument("MLXTS_QMM_KERNEL must be auto, mlx, mlxts or portable, got '" + kernel + "'");
  }
  mx::Stream stream = mx::to_stream(s);
  if (const char* why = unsupported(x, w, scales, biases, transpose, group_size, bits, mode, stream)) {
    if (kernel == "auto") return std::nullopt;
    throw std::invalid_argument("MLXTS_QMM_KERNEL=" + kernel + ", but the addon's kernel does not apply: " + why);
  }
  RowsKernel rows = kernel == "portable" ? rows_portable : best_kernel();
  return mx::array(QuantizedMatmulCpu::output_shape(x, w), QuantizedMatmulCpu::output_dtype(x, scales),
                   std::make_shared<QuantizedMatmulCpu>(stream, group_size, bits, rows), {x, w, scales, *biases});
}

}  // namespace mlxts::qmm
