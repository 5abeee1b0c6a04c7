// The CPU kernels of the addon's affine quantized matmul (see primitive.h for where they are used):
//
//   y[m, n] = Σ_k x[m, k] · (scale[n, g] · code[n, k] + bias[n, g]),   g = k / group_size
//
// with 4- or 8-bit codes packed into the rows of w ([N, K], MLX's transposed layout). The sum is taken
// per group as scale · Σ x · code plus bias · Σ x, in float32 with the group sums of x computed in float64,
// so a weight is never materialised and the bias costs one multiply-add per group.
//
// Plain C++ over raw pointers, with no MLX headers, so that the AVX2 file alone can be compiled with
// AVX2 flags and picked at run time.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mlxts::qmm {

enum class Float : uint8_t { f32, f16, bf16 };

// The kernels consume codes 16 at a time as two vectors of 8 (a chunk: 8 bytes of 4-bit codes or 16
// bytes of 8-bit codes). x is laid out once per call in the order the codes come out of a chunk, so the
// kernels never shuffle codes: for 4-bit codes (a byte holds element 2i in its low nibble and 2i + 1 in
// its high nibble) each 16 elements of x become the 8 even ones then the 8 odd ones; 8-bit codes keep
// x's order.
constexpr int kChunk = 16;

// One product of M rows of x with N rows of packed weights.
struct Operands {
  int m = 0, n = 0, k = 0;
  int bits = 4;         // 4 or 8
  int group_size = 32;  // 32, 64 or 128
  const float* x = nullptr;       // [m][k], chunk order (chunk_order_row)
  const float* x_sums = nullptr;  // [m][k / group_size], Σ x over each group
  const uint8_t* w = nullptr;     // row n starts at w + n * w_stride bytes
  size_t w_stride = 0;
  Float scale_type = Float::f32;  // of scales and biases alike
  const void* scales = nullptr;   // row n starts at element n * scales_stride
  const void* biases = nullptr;
  size_t scales_stride = 0, biases_stride = 0;
  Float y_type = Float::f32;
  void* y = nullptr;  // [m][n], row m starts at element m * y_stride
  size_t y_stride = 0;
};

// Computes the outputs of weight rows [n_begin, n_end) for every row of x.
using RowsKernel = void (*)(const Operands&, int n_begin, int n_end);

void rows_portable(const Operands& ops, int n_begin, int n_end);
#if defined(__x86_64__) || defined(_M_X64)
void rows_avx2(const Operands& ops, int n_begin, int n_end);
#endif

// The fastest kernel this CPU runs (AVX2 with FMA and F16C where present), chosen once.
RowsKernel best_kernel();
// Its name, "avx2" or "portable".
const char* best_kernel_name();

// One row of x (float32, natural order, k elements) into chunk order, and its group sums.
void chunk_order_row(const float* x, int k, int bits, int group_size, float* out, float* sums);

}  // namespace mlxts::qmm
