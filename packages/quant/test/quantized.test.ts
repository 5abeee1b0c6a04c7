// The QuantizedTensor API: what it carries, that it agrees with the low-level ops and with a dense
// matmul, ownership (dispose, using, tidy, keep, fromPacked) and its errors.
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';
import * as quant from '@mlxts/quant';
import { FLOAT_CONFIGS, floats, gaussian, input, label, prng, type Config } from './support/refs.js';
import { matmul2d, unitRoundoff } from './support/reference.js';

const CONFIGS: Config[] = [
  { mode: 'affine', bits: 4, groupSize: 64 },
  { mode: 'affine', bits: 3, groupSize: 32 },
  { mode: 'affine', bits: 8, groupSize: 128 },
  ...FLOAT_CONFIGS,
];

function randomTensor(shape: number[], seed: number, dtype: mx.DType = 'float32'): mx.Tensor {
  const rand = prng(seed);
  return input(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gaussian(rand)), shape, dtype)[0];
}

function quantizeWith(w: mx.Tensor, c: Config): quant.QuantizedTensor {
  return c.mode === 'affine'
    ? quant.quantize(w, { bits: c.bits, groupSize: c.groupSize })
    : quant.quantize(w, { mode: c.mode, ...(c.globalScale ? { globalScale: 'auto' as const } : {}) });
}

describe('quantize', () => {
  it('keeps the logical shape and dtype and carries the packed parts and config', () =>
    withoutLeaks(() => {
      const w = randomTensor([2, 8, 256], 1, 'bfloat16');
      const q = quant.quantize(w);
      expect(quant.isQuantized(q)).toBe(true);
      expect(quant.isQuantized(w)).toBe(false);
      expect([q.shape, q.dtype, q.mode, q.bits, q.groupSize, q.ndim, q.size]).toEqual([[2, 8, 256], 'bfloat16', 'affine', 4, 64, 3, 4096]);
      expect([q.weight.dtype, q.weight.shape]).toEqual(['uint32', [2, 8, 32]]);
      expect([q.scales.dtype, q.scales.shape, q.biases?.shape, q.globalScale]).toEqual(['bfloat16', [2, 8, 4], [2, 8, 4], null]);
      for (const c of FLOAT_CONFIGS) {
        const f = quantizeWith(w, c);
        expect([f.mode, f.bits, f.groupSize, f.dtype, f.biases, f.scales.dtype]).toEqual([c.mode, c.bits, c.groupSize, 'bfloat16', null, 'uint8']);
        expect(f.globalScale === null).toBe(!c.globalScale);
      }
    }));

  it('is the low-level quantizePacked, part for part', () =>
    withoutLeaks(() => {
      const w = randomTensor([16, 128], 2);
      for (const c of CONFIGS) {
        const q = quantizeWith(w, c);
        const gs = c.globalScale ? mx.max(mx.abs(w)) : undefined;
        const parts = quant.quantizePacked(w, { mode: c.mode, bits: c.bits, groupSize: c.groupSize, globalScale: gs });
        expect(Array.from(q.weight.toTypedArray() as Uint32Array), label(c)).toEqual(Array.from(parts[0].toTypedArray() as Uint32Array));
        expect(q.scales.toArray(), label(c)).toEqual(parts[1].toArray());
        expect(q.biases?.toArray(), label(c)).toEqual(parts[2]?.toArray());
        if (gs) expect(q.globalScale?.item()).toBe(gs.item());
      }
    }));

  it('takes JS data, a non-contiguous view and a stream like any op', () =>
    withoutLeaks(() => {
      const data = Array.from({ length: 4 }, (_, r) => Array.from({ length: 64 }, (_, i) => Math.sin(r * 64 + i)));
      const fromJs = quant.quantize(data, { bits: 8 });
      const dense = mx.array(data);
      expect(fromJs.dtype).toBe('float32');
      expect(fromJs.weight.toArray()).toEqual(quant.quantize(dense, { bits: 8 }).weight.toArray());
      // A transposed view quantizes as its contiguous copy does.
      const view = mx.transpose(mx.reshape(dense, [64, 4]));
      const copy = mx.array(view.toArray() as number[][]);
      expect(quant.quantize(view, { groupSize: 32 }).weight.toArray()).toEqual(quant.quantize(copy, { groupSize: 32 }).weight.toArray());
      expect(quant.quantize(dense, { stream: 'cpu' }).weight.toArray()).toEqual(quant.quantize(dense).weight.toArray());
    }));

  it('accepts the nvfp4 global scale as a tensor, a number or auto (float32, as MLX requires)', () =>
    withoutLeaks(() => {
      const w = randomTensor([4, 64], 3);
      const amax = mx.max(mx.abs(w));
      const byTensor = quant.quantize(w, { mode: 'nvfp4', globalScale: amax });
      const byNumber = quant.quantize(w, { mode: 'nvfp4', globalScale: amax.item() as number });
      const byAuto = quant.quantize(w, { mode: 'nvfp4', globalScale: 'auto' });
      const byHalf = quant.quantize(w, { mode: 'nvfp4', globalScale: amax.astype('float16') });
      for (const q of [byNumber, byAuto]) expect(q.scales.toArray()).toEqual(byTensor.scales.toArray());
      expect(byHalf.globalScale?.dtype).toBe('float32');
      // The QuantizedTensor holds its own handle: disposing it leaves the caller's tensor alive.
      byTensor.dispose();
      expect(amax.disposed).toBe(false);
    }));
});

describe('dequantize and quantizedMatmul', () => {
  it('dequantize returns the logical dtype in every mode (MLX alone gives bfloat16 for the float modes)', () =>
    withoutLeaks(() => {
      for (const dtype of ['float32', 'float16', 'bfloat16'] as const) {
        const w = randomTensor([4, 128], 4, dtype);
        for (const c of CONFIGS) {
          const q = quantizeWith(w, c);
          const d = quant.dequantize(q);
          expect([d.dtype, d.shape], `${label(c)} ${dtype}`).toEqual([dtype, [4, 128]]);
          expect(q.dequantize({ dtype: 'float32' }).toArray()).toEqual(quant.dequantize(q, { dtype: 'float32' }).toArray());
          const raw = quant.dequantizePacked(q.weight, q.scales, q.biases ?? undefined, { mode: q.mode, bits: q.bits, groupSize: q.groupSize, globalScale: q.globalScale ?? undefined, dtype });
          expect(d.toArray()).toEqual(raw.toArray());
        }
      }
    }));

  it('q.matmulFrom(x) is matmul(x, dequantize(q)) in every mode and activation dtype, batched and not', () =>
    withoutLeaks(() => {
      for (const dtype of ['float32', 'float16', 'bfloat16'] as const) {
        const tol = 8 * unitRoundoff(dtype) * (dtype === 'float32' ? 2 : 1);
        for (const c of CONFIGS) {
          for (const xShape of [[3, 64], [2, 3, 64], [64]]) {
            // q's logical shape [K, N] = [64, 128]: groups run along N.
            const q = quantizeWith(randomTensor([64, 128], 5, dtype), c);
            const x = randomTensor(xShape, 6, dtype);
            const y = q.matmulFrom(x);
            const dense = mx.matmul(x, quant.dequantize(q, { dtype: 'float32' }).astype(dtype));
            expect(y.shape, `${label(c)} ${dtype} ${xShape}`).toEqual(dense.shape);
            expect(y.dtype).toBe(dtype);
            const deq = floats(quant.dequantize(q, { dtype: 'float32' }));
            const xs = floats(x);
            const m = xs.length / 64;
            const ref = matmul2d(xs, deq, m, 64, 128, false);
            const got = floats(y);
            ref.value.forEach((r, i) => {
              if (!(Math.abs(got[i] - r) <= tol * ref.magnitude[i] * 3)) throw new Error(`${label(c)} ${dtype} ${xShape}: ${got[i]} vs ${r}`);
            });
          }
        }
      }
    }));

  it('quantizedMatmul defaults to the transposed layout (x @ qᵀ, as nn.QuantizedLinear) and is quantizedMatmulPacked', () =>
    withoutLeaks(() => {
      const w = randomTensor([8, 128], 7);
      const x = randomTensor([2, 128], 8);
      for (const c of CONFIGS) {
        const q = quantizeWith(w, c);
        const y = quant.quantizedMatmul(x, q);
        expect(y.shape).toEqual([2, 8]);
        const raw = quant.quantizedMatmulPacked(x, q.weight, q.scales, q.biases ?? undefined, { mode: q.mode, bits: q.bits, groupSize: q.groupSize, globalScale: q.globalScale ?? undefined });
        expect(y.toArray(), label(c)).toEqual(raw.toArray());
        expect(q.matmulFrom(x, { transpose: true }).toArray()).toEqual(y.toArray());
      }
    }));

  it('gatherQuantizedMatmul routes each token to its expert', () =>
    withoutLeaks(() => {
      const experts = randomTensor([3, 16, 128], 9);
      const x = randomTensor([5, 1, 128], 10);
      const rhs = [2, 0, 0, 1, 2];
      for (const c of CONFIGS) {
        const q = quantizeWith(experts, c);
        const y = quant.gatherQuantizedMatmul(x, q, { rhsIndices: mx.array(Uint32Array.from(rhs)) });
        expect(y.shape).toEqual([5, 1, 16]);
        const perRow = rhs.map((e, t) => {
          const xe = mx.take(x, mx.array([t], 'int32'), 0);
          return quant.quantizedMatmulPacked(xe, mx.take(q.weight, mx.array([e], 'int32'), 0), mx.take(q.scales, mx.array([e], 'int32'), 0), q.biases ? mx.take(q.biases, mx.array([e], 'int32'), 0) : undefined, {
            mode: q.mode, bits: q.bits, groupSize: q.groupSize, globalScale: q.globalScale ?? undefined,
          });
        });
        const want = floats(mx.concatenate(perRow, 0));
        const got = floats(y);
        got.forEach((v, i) => expect(Math.abs(v - want[i]), label(c)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]))));
      }
    }));
});

describe('ownership', () => {
  it('dispose() and `using` free every part; using a disposed one is a clear error', () => {
    using w = mx.ones([2, 64]);
    const before = mx.memory().liveTensors;
    const q = quant.quantize(w, { mode: 'nvfp4', globalScale: 2 });
    expect(mx.memory().liveTensors).toBe(before + 3);
    q.dispose();
    q.dispose();
    expect(q.disposed).toBe(true);
    expect(mx.memory().liveTensors).toBe(before);
    expect(() => quant.dequantize(q)).toThrow(/^dequantize: q has been disposed$/);
    {
      using scoped = quant.quantize(w);
      expect(scoped.nbytes).toBeGreaterThan(0);
    }
    expect(mx.memory().liveTensors).toBe(before);
  });

  it('mx.tidy keeps the parts of a QuantizedTensor it returns and frees the rest; mx.eval evaluates them', async () => {
    const before = mx.memory().liveTensors;
    const q = mx.tidy(() => {
      const dropped = quant.quantize(mx.ones([2, 64]));
      expect(dropped.disposed).toBe(false);
      return quant.quantize(mx.multiply(mx.ones([4, 64]), 3), { bits: 8 });
    });
    expect(q.disposed).toBe(false);
    expect(mx.memory().liveTensors).toBe(before + 3);
    await mx.eval(q);
    mx.evalSync(q);
    expect(mx.tidy(() => quant.dequantize(q).toArray())).toEqual(Array.from({ length: 4 }, () => Array(64).fill(3)));
    // Inside an object returned from tidy, too.
    const { layer } = mx.tidy(() => ({ layer: quant.quantize(mx.ones([2, 64])) }));
    expect(layer.disposed).toBe(false);
    // A QuantizedTensor created in a tidy and not returned is freed with the scope.
    let inner: quant.QuantizedTensor | undefined;
    mx.tidy(() => {
      inner = quant.quantize(mx.ones([2, 64]));
    });
    expect(inner!.disposed).toBe(true);
    // keep() lets one outlive the scope without being returned.
    let kept: quant.QuantizedTensor | undefined;
    mx.tidy(() => {
      kept = quant.quantize(mx.ones([2, 64])).keep();
    });
    expect(kept!.disposed).toBe(false);
    for (const t of [q, layer, kept!]) t.dispose();
    expect(mx.memory().liveTensors).toBe(before);
  });

  it('async tidy keeps a returned QuantizedTensor', async () => {
    const before = mx.memory().liveTensors;
    const q = await mx.tidy(async () => {
      const w = mx.ones([2, 64]);
      await w.eval();
      return quant.quantize(w, { mode: 'mxfp8' });
    });
    expect(mx.tidy(() => quant.dequantize(q, { dtype: 'float32' }).toArray())).toEqual([Array(64).fill(1), Array(64).fill(1)]);
    q.dispose();
    expect(mx.memory().liveTensors).toBe(before);
  });

  it('fromPacked holds its own handles and checks the parts', () =>
    withoutLeaks(() => {
      const w = randomTensor([4, 64], 11);
      const [wq, scales, biases] = quant.quantizePacked(w, { bits: 4, groupSize: 32 });
      const q = quant.fromPacked({ weight: wq, scales, biases, bits: 4, groupSize: 32 });
      expect([q.shape, q.dtype]).toEqual([[4, 64], 'float32']);
      wq.dispose();
      expect(quant.dequantize(q).toArray()).toEqual(quant.dequantize(quant.quantize(w, { bits: 4, groupSize: 32 })).toArray());
      q.dispose();
      expect(scales.disposed).toBe(false);
      const [fw, fs] = quant.quantizePacked(w, { mode: 'mxfp4' });
      expect(quant.fromPacked({ weight: fw, scales: fs, mode: 'mxfp4' }).dtype).toBe('bfloat16');
      expect(quant.fromPacked({ weight: fw, scales: fs, mode: 'mxfp4', dtype: 'float16' }).dequantize().dtype).toBe('float16');
      expect(() => quant.fromPacked({ weight: fw, scales: fs, mode: 'mxfp4', bits: 8 })).toThrow(/^fromPacked: mxfp4 mode supports bits 4 and groupSize 32, got bits 8/);
      expect(() => quant.fromPacked({ weight: fw, scales: fs })).toThrow(/^fromPacked: scales must be \[4,1\]/);
      expect(() => quant.fromPacked({ weight: fw, scales: fs, mode: 'mxfp4', biases: fs })).toThrow(/^fromPacked: mxfp4 mode has no biases/);
      expect(() => quant.fromPacked({ weight: scales, scales, biases })).toThrow(/^fromPacked: weight must be uint32/);
      expect(() => quant.fromPacked({ weight: fw, scales: fs, mode: 'int4' as never })).toThrow(TypeError);
    }));

  it('prints its configuration', () =>
    withoutLeaks(() => {
      const q = quant.quantize(mx.ones([2, 64]), { bits: 3, groupSize: 32 });
      expect(String((q as unknown as Record<symbol, () => string>)[Symbol.for('nodejs.util.inspect.custom')]())).toBe('QuantizedTensor(shape=[2, 64], dtype=float32, affine, bits=3, groupSize=32)');
      expect(Object.keys(q)).toEqual(['weight', 'scales', 'biases', 'globalScale', 'mode', 'bits', 'groupSize', 'shape', 'dtype']);
    }));
});

describe('errors', () => {
  it('name the function and the allowed values', () =>
    withoutLeaks(() => {
      const q = quant.quantize(mx.ones([2, 64]));
      const cases: [() => unknown, ErrorConstructor | typeof mx.MlxError, RegExp][] = [
        [() => quant.quantize(mx.ones([2, 64]), { mode: 'int4' as never }), TypeError, /^quantize: mode must be 'affine', 'mxfp4', 'mxfp8' or 'nvfp4', got 'int4'$/],
        [() => quant.quantize(mx.ones([2, 64]), { bits: 7 }), Error, /^quantize: affine mode supports bits 1, 2, 3, 4, 5, 6 or 8, got 7$/],
        [() => quant.quantize(mx.ones([2, 60]), { groupSize: 32 }), Error, /^quantize: the last dimension of w \(60\) must be a multiple of groupSize 32$/],
        [() => quant.quantize(mx.ones([64])), Error, /^quantize: w must have at least 2 dimensions/],
        [() => quant.quantize(mx.ones([2, 64]), { mode: 'mxfp8', globalScale: 1 }), mx.MlxError, /^quantize: .*Global scale is only supported for 'nvfp4'/],
        [() => quant.quantize(mx.ones([2, 64]), { mode: 'nvfp4', globalScale: 'max' as never }), TypeError, /^quantize: globalScale must be a Tensor, a number or 'auto'/],
        [() => quant.quantize(mx.ones([2, 64]), 4 as never), TypeError, /^quantize: options must be an object/],
        [() => quant.quantize(mx.ones([2, 64]), { group_size: 32 } as never), TypeError, /^quantize: unknown option 'group_size'; the options are mode, bits, groupSize, globalScale, stream, device$/],
        [() => quant.quantizedMatmul(mx.ones([2, 64]), q, { transposed: false } as never), TypeError, /^quantizedMatmul: unknown option 'transposed'/],
        [() => quant.dequantize(mx.ones([2, 64]) as never), TypeError, /^dequantize: q must be a QuantizedTensor \(from quantize or fromPacked\), got a plain Tensor$/],
        [() => quant.quantizedMatmul(mx.ones([2, 64]), mx.ones([64, 2]) as never), TypeError, /^quantizedMatmul: q must be a QuantizedTensor/],
        [() => quant.quantizedMatmul(q as never, q), TypeError, /^quantizedMatmul: only the right operand can be quantized/],
        [() => q.matmulFrom(q as never), TypeError, /^matmul: only the right operand can be quantized/],
        [() => quant.quantizedMatmul(mx.ones([2, 32]), q), mx.MlxError, /^quantizedMatmul: .*does not match the expanded quantized matrix/],
        [() => q.matmulFrom(mx.ones([3, 64])), mx.MlxError, /^matmul: .*Last dimension of first input with shape \(\.\.\., 64\)/],
        [() => quant.quantizedMatmul(mx.ones([2, 64], 'int32'), q), Error, /^quantizedMatmul: x must be float32, float16 or bfloat16, got int32$/],
        [() => quant.gatherQuantizedMatmul(mx.ones([1, 1, 64]), q, { rhsIndices: mx.array([0.5]) }), Error, /^gatherQuantizedMatmul: rhsIndices must be integers, got float32$/],
        [() => quant.dequantize(q, { dtype: 'int8' }), Error, /^dequantize: dtype must be float32, float16 or bfloat16, got int8$/],
      ];
      for (const [run, cls, message] of cases) {
        let thrown: unknown;
        try {
          run();
        } catch (e) {
          thrown = e;
        }
        expect(thrown, String(message)).toBeInstanceOf(cls);
        expect((thrown as Error).message).toMatch(message);
      }
    }));
});
