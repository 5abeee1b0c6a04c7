// Independent TS references for the quantization tests: an affine quantizer that reproduces MLX's packed
// words, scales and biases; decoders for the packed formats of every mode; float64 matmul. Nothing here
// calls MLX. The affine algorithm was established by experiment against MLX 0.32 (bit-exact on random
// float32, float16 and bfloat16 inputs for every bits and group size):
//
//   per group of `groupSize` consecutive elements along the last axis, in float32 arithmetic:
//     n     = 2^bits - 1
//     bits = 1:  scale = max((max - min) / n, 1e-7), bias = min                       (no adjustment)
//     bits > 1:  s0 = max((max - min) / n, 1e-7)
//                the endpoint of larger magnitude is the "edge" (min if |min| > |max|, else max), and the
//                scale's sign is chosen so codes run from the edge inward: scale = +s0 for edge = min,
//                -s0 for edge = max;
//                q0 = round(edge / scale); if q0 != 0 then scale = edge / q0 and bias = edge
//                (so the edge is exact and 0 falls on a code), else bias = 0
//     code  = clamp(round((w - bias) / scale), 0, n)       round = half to even (rint), a true division
//   scales and biases are then stored in w's dtype (the codes use the float32 scale);
//   codes are packed little-endian into a bit stream, code i at bit i * bits of its row, 32 bits per
//   uint32 word (a 3-, 5- or 6-bit code can straddle two words).
import type { Nd } from '@mlxts/testing';

const f = Math.fround;
const EPS = f(1e-7);

/** Round half to even, as C's rint in the default rounding mode. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface AffineQuantized {
  /** Packed words, row after row. */
  readonly words: Uint32Array;
  /** One float32 scale and bias per group (before rounding to the input's dtype). */
  readonly scales: Float32Array;
  readonly biases: Float32Array;
  /** The integer code of every element. */
  readonly codes: Uint8Array;
}

/** Quantizes float32 `values` (row-major, rows of `rowLength`) as MLX's affine mode does. */
export function affineQuantize(values: ArrayLike<number>, rowLength: number, groupSize: number, bits: number): AffineQuantized {
  const n = 2 ** bits - 1;
  const groups = values.length / groupSize;
  const scales = new Float32Array(groups);
  const biases = new Float32Array(groups);
  const codes = new Uint8Array(values.length);
  for (let g = 0; g < groups; g++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = g * groupSize; i < (g + 1) * groupSize; i++) {
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
    }
    let scale = Math.max(f(f(hi - lo) / n), EPS);
    let bias = lo;
    if (bits > 1) {
      const edgeIsMin = Math.abs(lo) > Math.abs(hi);
      const edge = edgeIsMin ? lo : hi;
      scale = edgeIsMin ? scale : -scale;
      const q0 = roundHalfEven(f(edge / scale));
      if (q0 !== 0) {
        scale = f(edge / q0);
        bias = edge;
      } else {
        bias = 0;
      }
    }
    scales[g] = scale;
    biases[g] = bias;
    for (let i = g * groupSize; i < (g + 1) * groupSize; i++) {
      codes[i] = Math.min(n, Math.max(0, roundHalfEven(f(f(values[i] - bias) / scale))));
    }
  }
  return { words: packBits(codes, bits, rowLength), scales, biases, codes };
}

/** Packs codes of `bits` bits into uint32 words, LSB first, each row of `rowLength` codes starting a new word. */
export function packBits(codes: ArrayLike<number>, bits: number, rowLength: number): Uint32Array {
  const wordsPerRow = (rowLength * bits) / 32;
  const rows = codes.length / rowLength;
  const words = new Uint32Array(rows * wordsPerRow);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < rowLength; i++) {
      const code = codes[r * rowLength + i];
      const bit = i * bits;
      const w = r * wordsPerRow + Math.floor(bit / 32);
      const offset = bit % 32;
      words[w] = (words[w] | (code << offset)) >>> 0;
      if (offset + bits > 32) words[w + 1] = (words[w + 1] | (code >>> (32 - offset))) >>> 0;
    }
  }
  return words;
}

/** The inverse of packBits. */
export function unpackBits(words: ArrayLike<number>, bits: number, rowLength: number): Uint8Array {
  const wordsPerRow = (rowLength * bits) / 32;
  const rows = words.length / wordsPerRow;
  const codes = new Uint8Array(rows * rowLength);
  const mask = 2 ** bits - 1;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < rowLength; i++) {
      const bit = i * bits;
      const w = r * wordsPerRow + Math.floor(bit / 32);
      const offset = bit % 32;
      let v = words[w] >>> offset;
      if (offset + bits > 32) v |= words[w + 1] << (32 - offset);
      codes[r * rowLength + i] = v & mask;
    }
  }
  return codes;
}

const E2M1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6];

/** A 4-bit E2M1 code (sign, 2 exponent bits, 1 mantissa bit). */
export function decodeE2M1(code: number): number {
  const v = E2M1[code & 7];
  return code & 8 ? -v : v;
}

/** An 8-bit E4M3 (fn: no infinities, 0x7f/0xff is NaN) code. */
export function decodeE4M3(code: number): number {
  const sign = code & 0x80 ? -1 : 1;
  const e = (code >> 3) & 0xf;
  const m = code & 7;
  if (e === 15 && m === 7) return NaN;
  return sign * (e === 0 ? (m / 8) * 2 ** -6 : (1 + m / 8) * 2 ** (e - 7));
}

/** An 8-bit E8M0 scale: a power of two. */
export function decodeE8M0(code: number): number {
  return code === 255 ? NaN : 2 ** (code - 127);
}

/**
 * The value of every element of a floating-point mode's packed weights, as MLX computes it: the element
 * code's value times its group scale (an exact product in float32); with an nvfp4 global scale,
 * `element * (scale * (globalScale / 2688))` with each step rounded to float32 (measured). Then rounded
 * to `outDtype`.
 */
export function decodeFloatMode(mode: 'mxfp4' | 'mxfp8' | 'nvfp4', words: ArrayLike<number>, scaleBytes: ArrayLike<number>, rowLength: number, outDtype: string, globalScale?: number): number[] {
  const bits = mode === 'mxfp8' ? 8 : 4;
  const groupSize = mode === 'nvfp4' ? 16 : 32;
  const codes = unpackBits(words, bits, rowLength);
  const out = new Array<number>(codes.length);
  const global = globalScale === undefined ? undefined : f(globalScale / (448 * 6));
  for (let i = 0; i < codes.length; i++) {
    const s = scaleBytes[Math.floor(i / groupSize)];
    const element = bits === 4 ? decodeE2M1(codes[i]) : decodeE4M3(codes[i]);
    const scale = mode === 'nvfp4' ? decodeE4M3(s) : decodeE8M0(s);
    out[i] = roundTo(outDtype, global === undefined ? element * scale : f(element * f(scale * global)));
  }
  return out;
}

/** float64 `a @ b` (or `a @ bᵀ`) of row-major matrices: a [m, k], b [k, n] (or [n, k]). */
export function matmul2d(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, transposeB: boolean): { value: number[]; magnitude: number[] } {
  const value = new Array<number>(m * n).fill(0);
  const magnitude = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let mag = 0;
      for (let p = 0; p < k; p++) {
        const prod = a[i * k + p] * (transposeB ? b[j * k + p] : b[p * n + j]);
        s += prod;
        mag += Math.abs(prod);
      }
      value[i * n + j] = s;
      magnitude[i * n + j] = mag;
    }
  }
  return { value, magnitude };
}

/** `x` rounded to the nearest float32, float16 or bfloat16 value (ties to even). */
export function roundTo(dtype: string, x: number): number {
  if (dtype === 'float32' || x === 0 || !Number.isFinite(x)) return Math.fround(x);
  const mantissaBits = dtype === 'float16' ? 10 : 7;
  const minExponent = dtype === 'float16' ? -14 : -126;
  const ulp = 2 ** (Math.max(Math.floor(Math.log2(Math.abs(x))), minExponent) - mantissaBits);
  return roundHalfEven(x / ulp) * ulp;
}

/**
 * MLX's affine dequantization of one element, as measured: `scale * code` rounded to the scales' dtype,
 * plus the bias rounded again (arithmetic in the scales' dtype, no fused multiply-add), then converted to
 * the output dtype.
 */
export function affineDecode(scale: number, code: number, bias: number, scalesDtype: string, outDtype: string): number {
  return roundTo(outDtype, roundTo(scalesDtype, roundTo(scalesDtype, scale * code) + bias));
}

/** Unit roundoff of a floating dtype (half the distance from 1 to the next value). */
export function unitRoundoff(dtype: string): number {
  return dtype === 'float16' ? 2 ** -11 : dtype === 'bfloat16' ? 2 ** -8 : 2 ** -24;
}

export function nd(shape: readonly number[], data: readonly number[]): Nd {
  return { shape, data };
}
