// The accuracy numbers of docs/concepts/quantization.md, measured here on fixed inputs (MLX's CPU kernels
// are deterministic) and asserted, so the page cannot drift from what the library does. Each row also
// checks the mode's derived worst-case bound.
import * as mx from '@mlxts/core';
import * as quant from '@mlxts/quant';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';
import { ALL_CONFIGS, FLOAT_BOUNDS, floats, gaussian, label, prng, type Config, type FloatMode } from './support/refs.js';
import { matmul2d } from './support/reference.js';

const [N, K, M] = [256, 1024, 16];

/** nvfp4 worst error / group max for N(0, 1e4) and N(0, 1e-4) weights: [without, with] a global scale. */
const NVFP4_RANGE: number[][] = [
  [0.9315, 0.172],
  [1, 0.172],
];
/**
 * The concept page's table: bytes per weight (exact), relative RMS errors to 3 significant digits, worst
 * cases to 4 decimals, for the weights and inputs of the first test below.
 */
const DOCUMENTED: Record<string, { bytes: number; rms: number; worstStep?: number; worstAmax: number; matmul: number }> = {
  'affine bits=1 groupSize=32': { bytes: 0.375, rms: 1.4, worstStep: 0.5, worstAmax: 0.9987, matmul: 1.39 },
  'affine bits=1 groupSize=64': { bytes: 0.25, rms: 1.65, worstStep: 0.5, worstAmax: 0.9995, matmul: 1.64 },
  'affine bits=1 groupSize=128': { bytes: 0.1875, rms: 1.89, worstStep: 0.5, worstAmax: 0.9995, matmul: 1.87 },
  'affine bits=2 groupSize=32': { bytes: 0.5, rms: 0.362, worstStep: 0.9998, worstAmax: 0.4999, matmul: 0.364 },
  'affine bits=2 groupSize=64': { bytes: 0.375, rms: 0.394, worstStep: 0.9997, worstAmax: 0.4999, matmul: 0.393 },
  'affine bits=2 groupSize=128': { bytes: 0.3125, rms: 0.423, worstStep: 0.9997, worstAmax: 0.4999, matmul: 0.413 },
  'affine bits=3 groupSize=32': { bytes: 0.625, rms: 0.171, worstStep: 0.9997, worstAmax: 0.2499, matmul: 0.169 },
  'affine bits=3 groupSize=64': { bytes: 0.5, rms: 0.19, worstStep: 0.9994, worstAmax: 0.2499, matmul: 0.19 },
  'affine bits=3 groupSize=128': { bytes: 0.4375, rms: 0.206, worstStep: 0.9994, worstAmax: 0.2499, matmul: 0.204 },
  'affine bits=4 groupSize=32': { bytes: 0.75, rms: 0.0809, worstStep: 0.9993, worstAmax: 0.1249, matmul: 0.0814 },
  'affine bits=4 groupSize=64': { bytes: 0.625, rms: 0.0906, worstStep: 0.9989, worstAmax: 0.1249, matmul: 0.0902 },
  'affine bits=4 groupSize=128': { bytes: 0.5625, rms: 0.0998, worstStep: 0.9989, worstAmax: 0.1249, matmul: 0.0983 },
  'affine bits=5 groupSize=32': { bytes: 0.875, rms: 0.0392, worstStep: 0.9986, worstAmax: 0.0624, matmul: 0.0389 },
  'affine bits=5 groupSize=64': { bytes: 0.75, rms: 0.044, worstStep: 0.9978, worstAmax: 0.0624, matmul: 0.0431 },
  'affine bits=5 groupSize=128': { bytes: 0.6875, rms: 0.0486, worstStep: 0.9978, worstAmax: 0.0624, matmul: 0.0479 },
  'affine bits=6 groupSize=32': { bytes: 1.0, rms: 0.0193, worstStep: 0.9973, worstAmax: 0.0312, matmul: 0.0187 },
  'affine bits=6 groupSize=64': { bytes: 0.875, rms: 0.0217, worstStep: 0.9956, worstAmax: 0.0311, matmul: 0.0214 },
  'affine bits=6 groupSize=128': { bytes: 0.8125, rms: 0.0239, worstStep: 0.9956, worstAmax: 0.0311, matmul: 0.0243 },
  'affine bits=8 groupSize=32': { bytes: 1.25, rms: 0.00475, worstStep: 0.9892, worstAmax: 0.0077, matmul: 0.00477 },
  'affine bits=8 groupSize=64': { bytes: 1.125, rms: 0.00535, worstStep: 0.9823, worstAmax: 0.0077, matmul: 0.00538 },
  'affine bits=8 groupSize=128': { bytes: 1.0625, rms: 0.00591, worstStep: 0.9823, worstAmax: 0.0077, matmul: 0.0059 },
  'mxfp4': { bytes: 0.53125, rms: 0.115, worstAmax: 0.2, matmul: 0.113 },
  'mxfp8': { bytes: 1.03125, rms: 0.0265, worstAmax: 0.0588, matmul: 0.0265 },
  'nvfp4': { bytes: 0.5625, rms: 0.0949, worstAmax: 0.1751, matmul: 0.0931 },
  'nvfp4 with globalScale': { bytes: 0.5625 + 4 / (256 * 1024), rms: 0.095, worstAmax: 0.1759, matmul: 0.0956 },
};

interface Row {
  config: Config;
  bytes: number;
  rms: number;
  worstStep?: number;
  worstAmax: number;
  matmul: number;
}

function measure(c: Config, w: mx.Tensor, wv: number[], x: number[], exact: number[]): Row {
  const gs = c.globalScale ? mx.max(mx.abs(w)) : undefined;
  const q = c.mode === 'affine' ? quant.quantize(w, { bits: c.bits, groupSize: c.groupSize }) : quant.quantize(w, { mode: c.mode, globalScale: gs });
  mx.evalSync(q);
  const d = floats(quant.dequantize(q));
  const scales = c.mode === 'affine' ? floats(q.scales) : [];
  let sq = 0;
  let ref = 0;
  let worstStep = 0;
  let worstAmax = 0;
  for (let g = 0; g < wv.length / c.groupSize; g++) {
    let amax = 0;
    for (let i = g * c.groupSize; i < (g + 1) * c.groupSize; i++) amax = Math.max(amax, Math.abs(wv[i]));
    for (let i = g * c.groupSize; i < (g + 1) * c.groupSize; i++) {
      const e = Math.abs(d[i] - wv[i]);
      sq += e * e;
      ref += wv[i] * wv[i];
      worstAmax = Math.max(worstAmax, e / amax);
      if (c.mode === 'affine') worstStep = Math.max(worstStep, e / Math.abs(scales[g]));
    }
  }
  // The product through the quantized kernel against the exact float64 product with the original weights.
  const y = floats(quant.quantizedMatmul(mx.reshape(mx.array(Float32Array.from(x)), [M, K]), q));
  let num = 0;
  let den = 0;
  exact.forEach((e, i) => {
    num += (y[i] - e) ** 2;
    den += e * e;
  });
  return { config: c, bytes: q.nbytes / (N * K), rms: Math.sqrt(sq / ref), worstStep: c.mode === 'affine' ? worstStep : undefined, worstAmax, matmul: Math.sqrt(num / den) };
}

describe('accuracy on N(0, 1) weights [256, 1024] (the concept page)', () => {
  it('round trip and matmul error per mode, within each mode\'s bound', () =>
    withoutLeaks(() => {
      const rand = prng(2024);
      const wv = Array.from({ length: N * K }, () => Math.fround(gaussian(rand)));
      const x = Array.from({ length: M * K }, () => Math.fround(gaussian(rand)));
      const w = mx.reshape(mx.array(Float32Array.from(wv)), [N, K]);
      const exact = matmul2d(x, wv, M, K, N, true).value;
      const rows = ALL_CONFIGS.map((c) => mx.tidy(() => measure(c, w, wv, x, exact)));
      const table = rows.map((r) =>
        `| ${label(r.config)} | ${r.bytes} | ${r.rms.toPrecision(3)} | ${r.worstStep === undefined ? '' : r.worstStep.toFixed(4)} | ${r.worstAmax.toFixed(4)} | ${r.matmul.toPrecision(3)} |`,
      );
      console.log(['| config | bytes/weight | relative RMS error | worst / step | worst / group max | matmul relative error |', ...table].join('\n'));
      for (const r of rows) {
        const c = r.config;
        if (c.mode === 'affine') expect(r.worstStep!, label(c)).toBeLessThanOrEqual(c.bits === 1 ? 0.5 : 1);
        else expect(r.worstAmax, label(c)).toBeLessThanOrEqual(FLOAT_BOUNDS[c.mode as FloatMode]);
        const doc = DOCUMENTED[label(c)];
        if (doc) {
          expect(r.bytes, label(c)).toBe(doc.bytes);
          expect(Number(r.rms.toPrecision(3)), label(c)).toBe(doc.rms);
          expect(Number(r.worstAmax.toFixed(4)), label(c)).toBe(doc.worstAmax);
          if (doc.worstStep !== undefined) expect(Number(r.worstStep!.toFixed(4)), label(c)).toBe(doc.worstStep);
          expect(Number(r.matmul.toPrecision(3)), label(c)).toBe(doc.matmul);
        }
      }
      expect(Object.keys(DOCUMENTED).length).toBe(ALL_CONFIGS.length);
    }));

  it('nvfp4 needs its global scale when group maxima / 6 leave E4M3\'s range (2^-9 .. 448)', () =>
    withoutLeaks(() => {
      const rand = prng(7);
      const base = Array.from({ length: 16 * 256 }, () => gaussian(rand));
      const worst = (magnitude: number, withScale: boolean) => {
        const wv = base.map((v) => Math.fround(v * magnitude));
        const w = mx.reshape(mx.array(Float32Array.from(wv)), [16, 256]);
        const d = floats(quant.dequantize(quant.quantize(w, { mode: 'nvfp4', ...(withScale ? { globalScale: 'auto' as const } : {}) })));
        let m = 0;
        for (let g = 0; g < wv.length / 16; g++) {
          let amax = 0;
          for (let i = g * 16; i < g * 16 + 16; i++) amax = Math.max(amax, Math.abs(wv[i]));
          for (let i = g * 16; i < g * 16 + 16; i++) m = Math.max(m, Math.abs(d[i] - wv[i]) / amax);
        }
        return m;
      };
      const measured = [1e4, 1e-4].map((magnitude) => [magnitude, worst(magnitude, false), worst(magnitude, true)]);
      for (const [magnitude, without, withScale] of measured) {
        console.log(`nvfp4, N(0, ${magnitude}) weights: worst error / group max ${without.toFixed(4)} without a global scale, ${withScale.toFixed(4)} with one`);
        expect(without, String(magnitude)).toBeGreaterThan(0.5);
        expect(withScale, String(magnitude)).toBeLessThanOrEqual(FLOAT_BOUNDS.nvfp4);
      }
      expect(measured.map(([, a, b]) => [Number(a.toFixed(4)), Number(b.toFixed(4))])).toEqual(NVFP4_RANGE);
    }));
});
