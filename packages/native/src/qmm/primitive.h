// An MLX primitive for affine quantized matmul with transposed weights (x @ dequantize(w)ᵀ) on the CPU,
// evaluated by the kernels of kernel.h on the helper threads of worker_pool.h. dispatch.h decides where
// it is used; everywhere else MLX's own QuantizedMatmul runs.
//
// Inputs: x [..., M, K] (float32, float16 or bfloat16, any strides), w [..., N, K * bits / 32] uint32,
// scales and biases [..., N, K / group_size] (one float dtype). Batch axes broadcast as in MLX's op when
// x and w both have more than two; with a 2-D w every row of x is multiplied by it. The output dtype is
// x's promoted with the scales', as MLX's; sums are taken in float32 whatever the dtypes.
#pragma once
#include <mlx/primitives.h>

#include "qmm/kernel.h"

namespace mlxts::qmm {

namespace mx = mlx::core;

class QuantizedMatmulCpu : public mx::Primitive {
 public:
  QuantizedMatmulCpu(mx::Stream stream, int group_size, int bits, RowsKernel kernel)
      : mx::Primitive(stream), group_size_(group_size), bits_(bits), kernel_(kernel) {}

  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override;
  // Never reached: dispatch.cc only builds this primitive on CPU streams.
  void eval_gpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override;

  // Transformations go through MLX's own op on the same inputs (fallback()), so gradients, forward-mode
  // derivatives and vmap behave exactly as they do for mx::quantized_matmul.
  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>& outputs) override;
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>& argnums) override;
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& axes) override;

  const char* name() const override { return "MlxtsQuantizedMatmul"; }
  bool is_equivalent(const mx::Primitive& other) const override;
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override;

  // The output shape and dtype for these inputs.
  static mx::Shape output_shape(const mx::array& x, const mx::array& w);
  static mx::Dtype output_dtype(const mx::array& x, const mx::array& scales);

 private:
  // The same product through MLX's QuantizedMatmul, with x widened to float32 (MLX's CPU kernel would
  // otherwise accumulate in float16 or bfloat16) and the result converted to output_dtype.
  std::vector<mx::array> fallback(const std::vector<mx::array>& inputs);
  std::function<std::vector<mx::array>(const std::vector<mx::array>&)> of(const std::vector<mx::array>& primals,
                                                                          const std::vector<int>& argnums);

  int group_size_;
  int bits_;
  RowsKernel kernel_;
};

}  // namespace mlxts::qmm
