// The loop of the quantized matmul kernels, shared by the portable and the AVX2 kernel through a small
// interface V over vectors of 8 float lanes:
//
//   V::Vec; V::zero(); V::load(const float*); V::set1(float); V::fma(a, b, c) = a * b + c; V::add(a, b);
//   V::sum(v), the sum of the lanes; V::f16(uint16_t bits), a float16 as float;
//   V::load8<T>(const void* base, size_t i), elements i .. i + 7 of a float32, float16 or bfloat16 array;
//   V::unpack<Bits>(const uint8_t* chunk, Vec& first, Vec& second), a chunk's 16 codes as floats.
//
// Everything here has internal linkage (see half.h), so each kernel's file gets its own copy compiled
// with its own flags.
#pragma once
#include "qmm/half.h"
#include "qmm/kernel.h"

namespace mlxts::qmm {
namespace {

// Rows of x handled together against one weight row: the codes are unpacked once for all of them.
constexpr int kRowBlock = 4;

constexpr size_t item_size(Float t) { return t == Float::f32 ? 4 : 2; }

template <class V, Float T>
inline float load_float(const void* base, size_t i) {
  if constexpr (T == Float::f32) {
    return static_cast<const float*>(base)[i];
  } else if constexpr (T == Float::f16) {
    return V::f16(static_cast<const uint16_t*>(base)[i]);
  } else {
    return bf16_to_float(static_cast<const uint16_t*>(base)[i]);
  }
}

inline void store_float(Float type, void* base, size_t i, float value) {
  switch (type) {
    case Float::f32: static_cast<float*>(base)[i] = value; break;
    case Float::f16: static_cast<uint16_t*>(base)[i] = float_to_f16(value); break;
    case Float::bf16: static_cast<uint16_t*>(base)[i] = float_to_bf16(value); break;
  }
}

// y[m0 + i, n] for i < MR, in float32, into out[i]. Chunks = group_size / kChunk, a template parameter so
// that the loop over a group's chunks unrolls.
template <class V, int Bits, int Chunks, int MR, Float S>
inline void dot(const Operands& o, int m0, int n, float* out) {
  using Vec = typename V::Vec;
  constexpr int chunk_bytes = kChunk * Bits / 8;
  const int groups = o.k / o.group_size;
  const uint8_t* w = o.w + static_cast<size_t>(n) * o.w_stride;
  const void* scales = static_cast<const uint8_t*>(o.scales) + static_cast<size_t>(n) * o.scales_stride * item_size(S);
  const void* biases = static_cast<const uint8_t*>(o.biases) + static_cast<size_t>(n) * o.biases_stride * item_size(S);
  const float* x = o.x + static_cast<size_t>(m0) * o.k;
  const float* sums = o.x_sums + static_cast<size_t>(m0) * groups;

  // Σ_g scale_g · Σ_(k in g) x_k · code_k, lane by lane.
  Vec acc[MR];
  for (int i = 0; i < MR; ++i) acc[i] = V::zero();
  for (int g = 0; g < groups; ++g) {
    Vec part[MR];
    for (int i = 0; i < MR; ++i) part[i] = V::zero();
    const float* xg = x + g * o.group_size;
    for (int c = 0; c < Chunks; ++c, w += chunk_bytes) {
      Vec a, b;
      V::template unpack<Bits>(w, a, b);
      for (int i = 0; i < MR; ++i) {
        const float* xc = xg + static_cast<size_t>(i) * o.k + c * kChunk;
        part[i] = V::fma(V::load(xc), a, part[i]);
        part[i] = V::fma(V::load(xc + 8), b, part[i]);
      }
    }
    Vec scale = V::set1(load_float<V, S>(scales, g));
    for (int i = 0; i < MR; ++i) acc[i] = V::fma(scale, part[i], acc[i]);
  }
  // Σ_g bias_g · Σ_(k in g) x_k, eight groups at a time.
  Vec bias_acc[MR];
  for (int i = 0; i < MR; ++i) bias_acc[i] = V::zero();
  int g = 0;
  for (; g + 8 <= groups; g += 8) {
    Vec bias = V::template load8<S>(biases, g);
    for (int i = 0; i < MR; ++i) bias_acc[i] = V::fma(bias, V::load(sums + static_cast<size_t>(i) * groups + g), bias_acc[i]);
  }
  for (int i = 0; i < MR; ++i) {
    float tail = 0.0f;
    for (int t = g; t < groups; ++t) tail += load_float<V, S>(biases, t) * sums[static_cast<size_t>(i) * groups + t];
    out[i] = V::sum(V::add(acc[i], bias_acc[i])) + tail;
  }
}

template <class V, int Bits, int Chunks, Float S>
void rows_typed(const Operands& o, int n_begin, int n_end) {
  float out[kRowBlock];
  for (int m0 = 0; m0 < o.m; m0 += kRowBlock) {
    int rows = o.m - m0 < kRowBlock ? o.m - m0 : kRowBlock;
    for (int n = n_begin; n < n_end; ++n) {
      switch (rows) {
        case 4: dot<V, Bits, Chunks, 4, S>(o, m0, n, out); break;
        case 3: dot<V, Bits, Chunks, 3, S>(o, m0, n, out); break;
        case 2: dot<V, Bits, Chunks, 2, S>(o, m0, n, out); break;
        default: dot<V, Bits, Chunks, 1, S>(o, m0, n, out); break;
      }
      for (int i = 0; i < rows; ++i) store_float(o.y_type, o.y, static_cast<size_t>(m0 + i) * o.y_stride + n, out[i]);
    }
  }
}

template <class V, int Bits, int Chunks>
void rows_grouped(const Operands& o, int n_begin, int n_end) {
  switch (o.scale_type) {
    case Float::f32: rows_typed<V, Bits, Chunks, Float::f32>(o, n_begin, n_end); break;
    case Float::f16: rows_typed<V, Bits, Chunks, Float::f16>(o, n_begin, n_end); break;
    case Float::bf16: rows_typed<V, Bits, Chunks, Float::bf16>(o, n_begin, n_end); break;
  }
}

template <class V, int Bits>
void rows_packed(const Operands& o, int n_begin, int n_end) {
  switch (o.group_size) {
    case 32: rows_grouped<V, Bits, 2>(o, n_begin, n_end); break;
    case 64: rows_grouped<V, Bits, 4>(o, n_begin, n_end); break;
    default: rows_grouped<V, Bits, 8>(o, n_begin, n_end); break;
  }
}

// Instantiated for every bits, group size (32, 64 or 128), scale type and block of rows.
template <class V>
void rows(const Operands& o, int n_begin, int n_end) {
  if (o.bits == 4) {
    rows_packed<V, 4>(o, n_begin, n_end);
  } else {
    rows_packed<V, 8>(o, n_begin, n_end);
  }
}

}  // namespace
}  // namespace mlxts::qmm
