// The portable quantized matmul kernel (plain loops over 8 lanes, which the compiler vectorises for the
// baseline instruction set), the run-time choice between it and the AVX2 one, and the layout of x.
#include "qmm/kernel.h"

#include "qmm/kernel_loop.h"

namespace mlxts::qmm {
namespace {

struct Portable {
  struct Vec {
    float v[8];
  };
  static Vec zero() { return Vec{}; }
  static Vec load(const float* p) {
    Vec r;
    for (int l = 0; l < 8; ++l) r.v[l] = p[l];
    return r;
  }
  static Vec set1(float value) {
    Vec r;
    for (int l = 0; l < 8; ++l) r.v[l] = value;
    return r;
  }
  static Vec fma(const Vec& a, const Vec& b, const Vec& c) {
    Vec r;
    for (int l = 0; l < 8; ++l) r.v[l] = a.v[l] * b.v[l] + c.v[l];
    return r;
  }
  static Vec add(const Vec& a, const Vec& b) {
    Vec r;
    for (int l = 0; l < 8; ++l) r.v[l] = a.v[l] + b.v[l];
    return r;
  }
  static float sum(const Vec& a) {
    float s = 0.0f;
    for (int l = 0; l < 8; ++l) s += a.v[l];
    return s;
  }
  static float f16(uint16_t bits) { return f16_to_float(bits); }
  template <Float T>
  static Vec load8(const void* base, size_t i) {
    Vec r;
    for (int l = 0; l < 8; ++l) r.v[l] = load_float<Portable, T>(base, i + l);
    return r;
  }
  template <int Bits>
  static void unpack(const uint8_t* p, Vec& first, Vec& second) {
    for (int l = 0; l < 8; ++l) {
      if constexpr (Bits == 4) {
        first.v[l] = static_cast<float>(p[l] & 0xf);
        second.v[l] = static_cast<float>(p[l] >> 4);
      } else {
        first.v[l] = static_cast<float>(p[l]);
        second.v[l] = static_cast<float>(p[l + 8]);
      }
    }
  }
};

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

}  // namespace

void rows_portable(const Operands& ops, int n_begin, int n_end) { rows<Portable>(ops, n_begin, n_end); }

RowsKernel best_kernel() {
#if defined(__x86_64__) || defined(_M_X64)
  static const RowsKernel kernel = cpu_has_avx2() ? rows_avx2 : rows_portable;
#else
  static const RowsKernel kernel = rows_portable;
#endif
  return kernel;
}

const char* best_kernel_name() { return best_kernel() == rows_portable ? "portable" : "avx2"; }

void chunk_order_row(const float* x, int k, int bits, int group_size, float* out, float* sums) {
  if (bits == 4) {
    for (int c = 0; c < k; c += kChunk) {
      for (int l = 0; l < 8; ++l) {
        out[c + l] = x[c + 2 * l];
        out[c + 8 + l] = x[c + 2 * l + 1];
      }
    }
  } else {
    for (int i = 0; i < k; ++i) out[i] = x[i];
  }
  for (int g = 0; g < k / group_size; ++g) {
    double s = 0.0;
    for (int i = g * group_size; i < (g + 1) * group_size; ++i) s += x[i];
    sums[g] = static_cast<float>(s);
  }
}

}  // namespace mlxts::qmm
