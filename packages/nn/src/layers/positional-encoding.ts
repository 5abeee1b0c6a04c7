// Positional encodings: rotary (RoPE, on the fused kernel of @mlxts/fast), sinusoidal, and ALiBi biases.
import * as mx from '@mlxts/core';
import type { DType, Tensor } from '@mlxts/core';
import * as fast from '@mlxts/fast';
import { checkBoolean, checkNonNegativeInt, checkNumber, checkOptions, checkPositiveInt } from '../checks.js';
import { Module } from '../module.js';

/**
 * Rotary positional encoding of the first `dims` features of `[..., T, D]` inputs. The default rotates
 * the two halves of those features against each other; `traditional` rotates consecutive pairs.
 */
export class RoPE extends Module {
  readonly dims: number;
  readonly traditional: boolean;
  readonly base: number;
  readonly scale: number;

  constructor(dims: number, options: { traditional?: boolean; base?: number; scale?: number } = {}) {
    super();
    checkOptions('RoPE', options, ['traditional', 'base', 'scale']);
    this.dims = checkPositiveInt('RoPE', 'dims', dims);
    this.traditional = checkBoolean('RoPE', 'traditional', options.traditional ?? false);
    this.base = checkNumber('RoPE', 'base', options.base ?? 10000);
    this.scale = checkNumber('RoPE', 'scale', options.scale ?? 1.0);
  }

  /**
   * Encodes positions `offset, offset + 1, ...` along the second-to-last axis; `offset` is a number or a
   * `[B]` int32 tensor (a position computed in the graph, as in a compiled decode step).
   */
  forward(x: Tensor, offset: number | Tensor = 0): Tensor {
    return fast.rope(x, this.dims, { traditional: this.traditional, base: this.base, scale: this.scale, offset });
  }

  protected override extraRepr(): string {
    return `${this.dims}, traditional=${this.traditional}`;
  }
}

/**
 * Sinusoidal positional encoding: for positions `x` (any shape), `[sin(x σ), cos(x σ)] * scale` with
 * `dims / 2` frequencies σ spaced geometrically from `maxFreq` down to `minFreq`; the result has shape
 * `[...x.shape, dims]`.
 */
export class SinusoidalPositionalEncoding extends Module {
  readonly _sigmas: Tensor;
  readonly scale: number;
  readonly cosFirst: boolean;

  constructor(dims: number, options: { minFreq?: number; maxFreq?: number; scale?: number; cosFirst?: boolean; fullTurns?: boolean } = {}) {
    super();
    checkOptions('SinusoidalPositionalEncoding', options, ['minFreq', 'maxFreq', 'scale', 'cosFirst', 'fullTurns']);
    checkPositiveInt('SinusoidalPositionalEncoding', 'dims', dims);
    if (dims % 2 !== 0) throw new RangeError(`SinusoidalPositionalEncoding: dims must be even, got ${dims}`);
    const minFreq = Math.log(checkNumber('SinusoidalPositionalEncoding', 'minFreq', options.minFreq ?? 0.0001));
    const maxFreq = Math.log(checkNumber('SinusoidalPositionalEncoding', 'maxFreq', options.maxFreq ?? 1));
    const half = dims / 2;
    this._sigmas = mx.tidy(() => {
      const oneZero = half === 1 ? mx.array([1.0]) : mx.subtract(1, mx.divide(mx.arange(0, half), half - 1));
      const sigmas = mx.exp(mx.add(mx.multiply(oneZero, maxFreq - minFreq), minFreq));
      return options.fullTurns ? mx.multiply(sigmas, 2 * Math.PI) : sigmas;
    });
    this.scale = checkNumber('SinusoidalPositionalEncoding', 'scale', options.scale ?? Math.sqrt(2 / dims));
    this.cosFirst = checkBoolean('SinusoidalPositionalEncoding', 'cosFirst', options.cosFirst ?? false);
  }

  forward(x: Tensor): Tensor {
    const y = mx.multiply(mx.expandDims(x, -1), this._sigmas);
    const [cos, sin] = [mx.cos(y), mx.sin(y)];
    const encoded = mx.concatenate(this.cosFirst ? [cos, sin] : [sin, cos], -1);
    return this.scale !== 1 ? mx.multiply(encoded, this.scale) : encoded;
  }
}

/**
 * Attention with linear biases: adds `-slope_h * |i - j|` to the attention scores `[B, H, Tq, Tk]`, with a
 * geometric slope per head.
 */
export class ALiBi extends Module {
  /** The bias `[1, H, Tq - offset, Tk]` for queries at positions `offset ..< qLength` and keys `0 ..< kLength`. */
  static createAlibiMatrix(qSequenceLength: number, kSequenceLength: number, numHeads: number, offset = 0, dtype: DType = 'float32'): Tensor {
    checkNonNegativeInt('ALiBi.createAlibiMatrix', 'offset', offset);
    return mx.tidy(() => {
      const x1 = mx.arange(offset, qSequenceLength);
      const x2 = mx.arange(0, kSequenceLength);
      const distance = mx.negative(mx.abs(mx.expandDims(mx.subtract(mx.expandDims(x1, 1), mx.expandDims(x2, 0)), [0, 1])));
      return mx.astype(mx.multiply(distance, ALiBi.createAlibiSlope(numHeads, dtype)), dtype);
    });
  }

  /** The slopes `[H, 1, 1]`: a geometric sequence per head (interleaved when H is not a power of two). */
  static createAlibiSlope(numHeads: number, dtype: DType = 'float32'): Tensor {
    checkPositiveInt('ALiBi.createAlibiSlope', 'numHeads', numHeads);
    const slopes = (n: number): number[] => {
      if (Number.isInteger(Math.log2(n))) {
        const start = 2 ** -(2 ** -(Math.log2(n) - 3));
        return Array.from({ length: n }, (_, i) => start * start ** i);
      }
      const closest = 2 ** Math.floor(Math.log2(n));
      return [...slopes(closest), ...slopes(2 * closest).filter((_, i) => i % 2 === 0).slice(0, n - closest)];
    };
    return mx.tidy(() => mx.expandDims(mx.array(slopes(numHeads), dtype), [-1, -2]));
  }

  forward(attentionScores: Tensor, offset = 0, mask?: Tensor): Tensor {
    const [, heads, q, k] = attentionScores.shape;
    let bias = ALiBi.createAlibiMatrix(q + offset, k, heads, offset, attentionScores.dtype);
    if (mask !== undefined) bias = mx.add(bias, mask);
    return mx.add(attentionScores, bias);
  }
}
