// float16 and bfloat16 to and from float32, bit by bit, for the quantized matmul kernels (which include no
// MLX headers, so that one of them can be compiled with its own instruction-set flags).
#pragma once
#include <cstdint>
#include <cstring>

namespace mlxts::qmm {

// Internal linkage: the AVX2 kernel's file includes this too, and an inline function the linker merged
// with its AVX2-compiled copy could run AVX2 instructions on a CPU without them.
namespace {

inline float bits_to_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline uint32_t float_to_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

inline float bf16_to_float(uint16_t h) { return bits_to_float(static_cast<uint32_t>(h) << 16); }

// Round to nearest even; NaN stays NaN (quiet).
inline uint16_t float_to_bf16(float f) {
  uint32_t bits = float_to_bits(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

inline float f16_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  if (exponent == 0x1f) return bits_to_float(sign | 0x7f800000u | (mantissa << 13));  // inf, NaN
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float32.
    float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return sign ? -magnitude : magnitude;
  }
  return bits_to_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

// Round to nearest even, with overflow to infinity and gradual underflow, as a float16 cast does.
inline uint16_t float_to_f16(float f) {
  uint32_t bits = float_to_bits(f);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return sign | 0x7e00;  // NaN
  if (magnitude >= 0x477ff000u) return sign | 0x7c00;  // rounds to infinity (65520 and above)
  if (magnitude < 0x38800000u) {
    // Below float16's smallest normal (2^-14): a subnormal multiple of 2^-24, rounded to nearest even
    // by the float addition of 0.5 (2^-1 plus the value puts 2^-24 at the last mantissa bit).
    float shifted = bits_to_float(magnitude) + 0.5f;
    return sign | static_cast<uint16_t>(float_to_bits(shifted) - 0x3f000000u);
  }
  uint32_t rounded = magnitude + 0x0fffu + ((magnitude >> 13) & 1) - 0x38000000u;  // rebias 127 -> 15
  return sign | static_cast<uint16_t>(rounded >> 13);
}

}  // namespace

}  // namespace mlxts::qmm
