// The AVX2 quantized matmul kernel: compiled with -mavx2 -mfma -mf16c for this file alone (see
// CMakeLists.txt) and called only where the CPU has all three (best_kernel in kernel.cc).
#include <immintrin.h>

#include "qmm/kernel_loop.h"

namespace mlxts::qmm {
namespace {

struct Avx2 {
  using Vec = __m256;
  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec load(const float* p) { return _mm256_loadu_ps(p); }
  static Vec set1(float v) { return _mm256_set1_ps(v); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  static float sum(Vec v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static float f16(uint16_t bits) { return _cvtsh_ss(bits); }
  template <Float T>
  static Vec load8(const void* base, size_t i) {
    if constexpr (T == Float::f32) {
      return _mm256_loadu_ps(static_cast<const float*>(base) + i);
    } else {
      __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(base) + i));
      if constexpr (T == Float::f16) return _mm256_cvtph_ps(h);
      return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
  }

  // Eight bytes widened to eight 32-bit lanes.
  static __m256i bytes(const uint8_t* p) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  template <int Bits>
  static void unpack(const uint8_t* p, Vec& first, Vec& second) {
    if constexpr (Bits == 4) {
      __m256i b = bytes(p);
      first = _mm256_cvtepi32_ps(_mm256_and_si256(b, _mm256_set1_epi32(0xf)));
      second = _mm256_cvtepi32_ps(_mm256_srli_epi32(b, 4));
    } else {
      first = _mm256_cvtepi32_ps(bytes(p));
      second = _mm256_cvtepi32_ps(bytes(p + 8));
    }
  }
};

}  // namespace

void rows_avx2(const Operands& ops, int n_begin, int n_end) { rows<Avx2>(ops, n_begin, n_end); }

}  // namespace mlxts::qmm
