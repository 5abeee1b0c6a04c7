// What the generated tests do not reach: MLX behaviours the binding guards against (gather indices out
// of range, empty operands, scales of the wrong shape, stacked weights against a 2-D x), dtype mixes,
// strided inputs, a sweep of bad inputs that must all end as JS errors, and the tuple types of quantizePacked.
import * as mx from '@mlxts/core';
import * as quant from '@mlxts/quant';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { floats, gaussian, input, prng } from './support/refs.js';
import { affineDecode, unpackBits } from './support/reference.js';

function randomTensor(shape: number[], seed: number, dtype: mx.DType = 'float32'): mx.Tensor {
  const rand = prng(seed);
  return input(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gaussian(rand)), shape, dtype)[0];
}

const u32 = (values: number[]) => mx.array(Uint32Array.from(values));

describe('gatherQmm indices', () => {
  it('wraps negative indices and clamps out-of-range ones (MLX does not bounds-check them)', () =>
    withoutLeaks(() => {
      const [wq, s, b] = quant.quantizePacked(randomTensor([3, 8, 64], 1), { groupSize: 32 });
      const x = randomTensor([4, 1, 64], 2);
      const opts = { groupSize: 32 };
      const wild = quant.gatherQmm(x, wq, s, b, { ...opts, rhsIndices: mx.array([-1, 7, 100000, -3], 'int32'), lhsIndices: mx.array([9, -1, 0, -100], 'int32') });
      const tame = quant.gatherQmm(x, wq, s, b, { ...opts, rhsIndices: u32([2, 2, 2, 0]), lhsIndices: u32([3, 3, 0, 0]) });
      expect(wild.toArray()).toEqual(tame.toArray());
      // Any integer dtype; floats and bools are refused.
      for (const idx of [mx.array(Uint8Array.from([2, 0, 1, 1])), mx.array([2n, 0n, 1n, 1n]), mx.array(Int16Array.from([2, 0, 1, 1]))]) {
        expect(quant.gatherQmm(x, wq, s, b, { ...opts, rhsIndices: idx }).toArray()).toEqual(quant.gatherQmm(x, wq, s, b, { ...opts, rhsIndices: u32([2, 0, 1, 1]) }).toArray());
      }
      expect(() => quant.gatherQmm(x, wq, s, b, { ...opts, rhsIndices: mx.array([true, false]) })).toThrow(/^gatherQmm: rhsIndices must be integers, got bool$/);
    }));

  it('gives the same result with sortedIndices (a promise about the order, used only for speed)', () =>
    withoutLeaks(() => {
      const [wq, s, b] = quant.quantizePacked(randomTensor([4, 16, 128], 3));
      const x = randomTensor([6, 1, 128], 4);
      const rhs = u32([0, 0, 1, 2, 3, 3]);
      expect(quant.gatherQmm(x, wq, s, b, { rhsIndices: rhs, sortedIndices: true }).toArray()).toEqual(quant.gatherQmm(x, wq, s, b, { rhsIndices: rhs }).toArray());
    }));

  it('takes a global scale per expert', () =>
    withoutLeaks(() => {
      // Two experts of very different magnitudes, each quantized with its own global scale.
      const experts = [mx.multiply(randomTensor([1, 8, 64], 5), 1000), mx.multiply(randomTensor([1, 8, 64], 6), 0.001)];
      const parts = experts.map((e) => quant.quantizePacked(e, { mode: 'nvfp4', globalScale: mx.max(mx.abs(e)) }));
      const gs = mx.stack(experts.map((e) => mx.max(mx.abs(e))));
      const wq = mx.concatenate(parts.map((p) => p[0]), 0);
      const s = mx.concatenate(parts.map((p) => p[1]), 0);
      const x = randomTensor([2, 1, 64], 7);
      const y = floats(quant.gatherQmm(x, wq, s, undefined, { mode: 'nvfp4', globalScale: gs, rhsIndices: u32([1, 0]) }));
      const perRow = [1, 0].map((e, t) =>
        floats(quant.quantizedMatmulPacked(mx.take(x, mx.array([t], 'int32'), 0), parts[e][0], parts[e][1], undefined, { mode: 'nvfp4', globalScale: mx.max(mx.abs(experts[e])) })),
      );
      perRow.flat().forEach((want, i) => expect(Math.abs(y[i] - want)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want))));
      expect(() => quant.gatherQmm(x, wq, s, undefined, { mode: 'nvfp4', globalScale: mx.ones([3]), rhsIndices: u32([0]) })).toThrow(/^gatherQmm: globalScale must be a scalar or hold one entry per expert, shape \[2\], got shape \[3\]$/);
    }));
});

describe('guards around MLX', () => {
  it('multiplies a 1-D or 2-D x by every matrix of stacked weights (MLX alone uses the first)', () =>
    withoutLeaks(() => {
      const w = mx.concatenate([mx.ones([1, 8, 64]), mx.multiply(mx.ones([1, 8, 64]), 2)], 0);
      const [wq, s, b] = quant.quantizePacked(w, { bits: 8 });
      const opts = { bits: 8 };
      expect(quant.quantizedMatmulPacked(mx.ones([1, 64]), wq, s, b, opts).toArray()).toEqual([[Array(8).fill(64)], [Array(8).fill(128)]]);
      expect(quant.quantizedMatmulPacked(mx.ones([64]), wq, s, b, opts).toArray()).toEqual([Array(8).fill(64), Array(8).fill(128)]);
      expect(quant.quantizedMatmulPacked(mx.ones([3, 1, 64]), mx.take(wq, mx.array([1], 'int32'), 0), mx.take(s, mx.array([1], 'int32'), 0), mx.take(b, mx.array([1], 'int32'), 0), opts).shape).toEqual([3, 1, 8]);
    }));

  it('returns empty or zero results for empty operands (MLX kernels divide by zero on them)', () =>
    withoutLeaks(() => {
      const [wq, s, b] = quant.quantizePacked(randomTensor([16, 64], 8), { groupSize: 32 });
      const opts = { groupSize: 32 };
      expect(quant.quantizedMatmulPacked(mx.zeros([0, 64]), wq, s, b, opts).shape).toEqual([0, 16]);
      expect(quant.quantizedMatmulPacked(mx.zeros([0, 16]), wq, s, b, { ...opts, transpose: false }).shape).toEqual([0, 64]);
      expect(quant.quantizedMatmulPacked(mx.zeros([2, 0]), mx.zeros([3, 0], 'uint32'), mx.zeros([3, 0]), mx.zeros([3, 0]), opts).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
      const [ew, es, eb] = quant.quantizePacked(mx.zeros([0, 64]), opts);
      expect(ew.shape).toEqual([0, 8]);
      expect(quant.dequantizePacked(ew, es, eb, opts).shape).toEqual([0, 64]);
      expect(quant.quantizedMatmulPacked(mx.ones([2, 64]), ew, es, eb, opts).shape).toEqual([2, 0]);
      expect(quant.gatherQmm(mx.ones([1, 1, 64]), wq, s, b, { ...opts, rhsIndices: mx.zeros([0], 'uint32') }).shape).toEqual([0, 1, 16]);
      expect(quant.gatherQmm(mx.ones([1, 1, 64]), mx.zeros([0, 16, 8], 'uint32'), mx.zeros([0, 16, 2]), mx.zeros([0, 16, 2]), { ...opts, rhsIndices: u32([0]) }).toArray()).toEqual([[Array(16).fill(0)]]);
    }));

  it('requires one scale (and bias) per group (MLX checks only the last axis and reads past smaller ones)', () =>
    withoutLeaks(() => {
      const [wq, s, b] = quant.quantizePacked(randomTensor([16, 64], 9), { groupSize: 32 });
      const opts = { groupSize: 32 };
      const short = mx.ones([10, 2]);
      const message = /scales must have shape \[16, 2\] \(one per group of 32\) for w of shape \[16, 8\] with bits 4, got \[10, 2\]$/;
      expect(() => quant.dequantizePacked(wq, short, short, opts)).toThrow(message);
      expect(() => quant.quantizedMatmulPacked(mx.ones([2, 64]), wq, short, short, opts)).toThrow(message);
      expect(() => quant.quantizedMatmulPacked(mx.ones([2, 16]), wq, short, short, { ...opts, transpose: false })).toThrow(message);
      expect(() => quant.dequantizePacked(wq, s, mx.ones([16, 1]), opts)).toThrow(/^dequantizePacked: biases must have the shape of scales, \[16, 2\], got \[16, 1\]$/);
      expect(() => quant.dequantizePacked(wq, s, b, { groupSize: 32, bits: 3 })).toThrow(/^dequantizePacked: w's last dimension \(8 words\) does not hold whole groups of 32 3-bit codes$/);
    }));

  it('reads strided and broadcast packed inputs as their contiguous copies', () =>
    withoutLeaks(() => {
      const [wq, s, b] = quant.quantizePacked(randomTensor([16, 64], 10), { groupSize: 32 });
      const opts = { groupSize: 32 };
      const x = randomTensor([3, 64], 11);
      const stored = mx.reshape(mx.array(mx.transpose(wq).toTypedArray() as Uint32Array), [8, 16]);
      const wqT = mx.transpose(stored); // a strided view holding wq's words
      expect(wqT.shape).toEqual([16, 8]);
      expect(quant.dequantizePacked(wqT, s, b, opts).toArray()).toEqual(quant.dequantizePacked(wq, s, b, opts).toArray());
      expect(quant.quantizedMatmulPacked(x, wqT, s, b, opts).toArray()).toEqual(quant.quantizedMatmulPacked(x, wq, s, b, opts).toArray());
      const one = mx.broadcastTo(mx.array([[0.5]]), [16, 2]);
      const bias = mx.broadcastTo(mx.array([[-1]]), [16, 2]);
      const dense = mx.broadcastTo(mx.array([[0.5, 0.5]]), [16, 2]);
      expect(quant.dequantizePacked(wq, one, bias, opts).toArray()).toEqual(quant.dequantizePacked(wq, mx.multiply(mx.ones([16, 2]), 0.5), mx.multiply(mx.ones([16, 2]), -1), opts).toArray());
      expect(quant.quantizedMatmulPacked(x, wq, dense, bias, opts).toArray()).toEqual(quant.quantizedMatmulPacked(x, wq, mx.multiply(mx.ones([16, 2]), 0.5), mx.multiply(mx.ones([16, 2]), -1), opts).toArray());
    }));
});

describe('dtypes', () => {
  it('dequantizes in the scales dtype and then converts to the asked one', () =>
    withoutLeaks(() => {
      for (const [from, to] of [['float16', 'float32'], ['bfloat16', 'float32'], ['float32', 'float16'], ['float16', 'bfloat16']] as const) {
        const [wq, s, b] = quant.quantizePacked(randomTensor([8, 128], 12, from), { groupSize: 32, bits: 5 });
        const out = quant.dequantizePacked(wq, s, b, { groupSize: 32, bits: 5, dtype: to });
        expect(out.dtype).toBe(to);
        const codes = unpackBits(wq.toTypedArray() as Uint32Array, 5, 128);
        const scales = floats(s);
        const biases = floats(b);
        const want = Array.from(codes, (q, i) => affineDecode(scales[Math.floor(i / 32)], q, biases[Math.floor(i / 32)], from, to));
        expect(floats(out)).toEqual(want);
      }
    }));

  it('quantized matmul result dtypes: affine promotes x with the scales, the float modes keep x', () =>
    withoutLeaks(() => {
      const w32 = randomTensor([8, 64], 13);
      const [wq, s, b] = quant.quantizePacked(w32);
      const [fq, fs] = quant.quantizePacked(w32, { mode: 'mxfp4' });
      for (const dtype of ['float16', 'bfloat16'] as const) {
        const x = randomTensor([2, 64], 14, dtype);
        expect(quant.quantizedMatmulPacked(x, wq, s, b).dtype).toBe('float32');
        expect(quant.quantizedMatmulPacked(x, fq, fs, undefined, { mode: 'mxfp4' }).dtype).toBe(dtype);
      }
    }));
});

describe('half-precision activations', () => {
  it('accumulate in float32: 4096 ones sum to 4096 in every mode and layout (MLX alone gives 256 or 2048 on the CPU)', () =>
    withoutLeaks(() => {
      const k = 4096;
      for (const dtype of ['float16', 'bfloat16'] as const) {
        for (const mode of ['affine', 'mxfp4', 'mxfp8'] as const) {
          for (const transpose of [true, false]) {
            const q = quant.quantize(mx.astype(mx.ones(transpose ? [2, 8, k] : [2, k, 64]), dtype), { mode });
            const x = mx.astype(mx.ones([3, 1, k]), dtype);
            const what = `${dtype} ${mode} transpose ${transpose}`;
            const direct = quant.quantizedMatmul(mx.astype(mx.ones([2, 1, k]), dtype), q, { transpose });
            expect(direct.dtype, what).toBe(dtype);
            expect(new Set(floats(direct)), what).toEqual(new Set([k]));
            const gathered = quant.gatherQuantizedMatmul(x, q, { transpose, rhsIndices: u32([1, 0, 1]) });
            expect(new Set(floats(gathered)), what).toEqual(new Set([k]));
          }
        }
      }
    }));
});

describe('memory', () => {
  it('packs to bits/8 bytes per element plus the scales (and biases)', () =>
    withoutLeaks(() => {
      const [n, k] = [256, 1024];
      const w = randomTensor([n, k], 15);
      expect(w.nbytes).toBe(n * k * 4);
      const expected: [quant.QuantizeOptions, number][] = [
        [{ bits: 4, groupSize: 64 }, (n * k) / 2 + ((n * k) / 64) * 8],
        [{ bits: 8, groupSize: 128 }, n * k + ((n * k) / 128) * 8],
        [{ bits: 3, groupSize: 32 }, (n * k * 3) / 8 + ((n * k) / 32) * 8],
        [{ mode: 'mxfp4' }, (n * k) / 2 + (n * k) / 32],
        [{ mode: 'mxfp8' }, n * k + (n * k) / 32],
        [{ mode: 'nvfp4' }, (n * k) / 2 + (n * k) / 16],
        [{ mode: 'nvfp4', globalScale: 'auto' }, (n * k) / 2 + (n * k) / 16 + 4],
      ];
      for (const [options, bytes] of expected) {
        const q = quant.quantize(w, options);
        mx.evalSync(q);
        expect(q.nbytes, JSON.stringify(options)).toBe(bytes);
      }
      // A bfloat16 model: affine scales and biases are bfloat16 too.
      expect(quant.quantize(mx.astype(w, 'bfloat16'), { bits: 4, groupSize: 64 }).nbytes).toBe((n * k) / 2 + ((n * k) / 64) * 4);
    }));
});

describe('bad input', () => {
  it('every combination of wrong shapes, dtypes and modes ends as a JS error or a result, never a crash', () =>
    withoutLeaks(() => {
      const rand = prng(16);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
      const dtypes: mx.DType[] = ['float32', 'float16', 'bfloat16', 'float64', 'int32', 'uint32', 'uint8', 'bool'];
      const modes = ['affine', 'mxfp4', 'mxfp8', 'nvfp4', 'int4'];
      const dims = [0, 1, 2, 3, 8, 16, 32, 64];
      const tensor = () => {
        const shape = Array.from({ length: pick([0, 1, 2, 3]) }, () => pick(dims));
        return mx.zeros(shape, pick(dtypes));
      };
      let errors = 0;
      let results = 0;
      for (let i = 0; i < 600; i++) {
        mx.tidy(() => {
          const opts = { mode: pick(modes) as never, bits: pick([undefined, 1, 3, 4, 7, 8, 9]), groupSize: pick([undefined, 16, 32, 64, 100]), transpose: pick([true, false]) };
          const optional = () => (rand() < 0.5 ? undefined : tensor());
          const calls = [
            () => quant.quantizePacked(tensor(), { ...opts, globalScale: optional() }),
            () => quant.dequantizePacked(tensor(), tensor(), optional(), { ...opts, globalScale: optional() }),
            () => quant.quantizedMatmulPacked(tensor(), tensor(), tensor(), optional(), { ...opts, globalScale: optional() }),
            () => quant.gatherQmm(tensor(), tensor(), tensor(), optional(), { ...opts, lhsIndices: optional(), rhsIndices: optional() }),
          ];
          try {
            const out = pick(calls)();
            mx.evalSync(out);
            results++;
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
            expect((e as Error).message).toMatch(/^(quantizePacked|dequantizePacked|quantizedMatmulPacked|gatherQmm|eval): /);
            errors++;
          }
        });
      }
      expect(errors + results).toBe(600);
      expect(errors).toBeGreaterThan(300);
    }));

  it('valid packed parts with each wrong option throw before any kernel runs', () =>
    withoutLeaks(() => {
      const [wq, s, b] = quant.quantizePacked(randomTensor([16, 128], 17));
      const [fq, fs] = quant.quantizePacked(randomTensor([16, 128], 17), { mode: 'mxfp4' });
      const x = randomTensor([2, 128], 18);
      for (const bits of [2, 3, 5, 6, 8]) expect(() => quant.quantizedMatmulPacked(x, wq, s, b, { bits })).toThrow(Error);
      expect(() => quant.quantizedMatmulPacked(x, fq, fs, undefined, { groupSize: 32 })).toThrow(/affine mode needs biases/);
      const [aq, as, ab] = quant.quantizePacked(randomTensor([16, 128], 17), { groupSize: 32 });
      expect(() => quant.quantizedMatmulPacked(x, aq, as, ab, { mode: 'mxfp4' })).toThrow(/^quantizedMatmulPacked: mxfp4 mode has no biases: pass none$/);
      expect(() => quant.quantizedMatmulPacked(x, fq, fs, undefined, { mode: 'nvfp4' })).toThrow(/scales must have shape \[16, 8\]/);
      expect(() => quant.quantizedMatmulPacked(x, fq, fs, undefined, { mode: 'mxfp4', globalScale: mx.array(1) })).toThrow(/^quantizedMatmulPacked: globalScale is only supported by the nvfp4 mode, got mode 'mxfp4'$/);
      expect(() => quant.quantizedMatmulPacked(x, fq, mx.astype(fs, 'float32'), undefined, { mode: 'mxfp4' })).toThrow(/^quantizedMatmulPacked: mxfp4 scales must be uint8 \(as quantize returns them\), got float32$/);
      expect(() => quant.dequantizePacked(wq, s, b, { mode: 'affine', groupSize: 16 })).toThrow(/^dequantizePacked: affine mode supports groupSize 32, 64 or 128, got 16$/);
    }));
});

describe('quantizePacked results', () => {
  it('are typed by the mode: three parts for affine (the default), two for the floating-point modes', () =>
    withoutLeaks(() => {
      const w = mx.ones([2, 64]);
      expectTypeOf(quant.quantizePacked(w)).toEqualTypeOf<[mx.Tensor, mx.Tensor, mx.Tensor]>();
      expectTypeOf(quant.quantizePacked(w, { mode: 'affine', bits: 8 })).toEqualTypeOf<[mx.Tensor, mx.Tensor, mx.Tensor]>();
      expectTypeOf(quant.quantizePacked(w, { mode: 'mxfp8' })).toEqualTypeOf<[mx.Tensor, mx.Tensor]>();
      const mode = (w.ndim === 2 ? 'mxfp4' : 'affine') as 'affine' | 'mxfp4'; // known only when it runs
      expectTypeOf(quant.quantizePacked(w, { mode })).toEqualTypeOf<[mx.Tensor, mx.Tensor, mx.Tensor] | [mx.Tensor, mx.Tensor]>();
      expect([quant.quantizePacked(w).length, quant.quantizePacked(w, { mode: 'mxfp8' }).length, quant.quantizePacked(w, { mode }).length]).toEqual([3, 2, 2]);
    }));
});
