// fftn/ifftn, rfft/irfft, rfft2/irfft2, rfftn/irfftn, fftshift/ifftshift, fftfreq/rfftfreq and
// stft/istft against float64 references: the DFT applied axis by axis (crop/zero-pad first, per-axis norm
// scaling), the Hermitian extension for the real inverses, a direct roll, NumPy's frequency formula,
// padding + framing + windowing for stft; plus round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { checkProperty, expectCloseNd, fromValues, sizeOf, strides, toNd, type Nd, unravel, withoutLeaks } from '@mlxts/testing';

const small = (n: number) => fc.array(fc.integer({ min: -8, max: 8 }).map((k) => k / 4), { minLength: n, maxLength: n });

type Norm = 'backward' | 'ortho' | 'forward';
const normArb = fc.constantFrom<Norm>('backward', 'ortho', 'forward');

/** A complex float64 array. */
interface C {
  shape: readonly number[];
  re: number[];
  im: number[];
}

const real = (x: Nd): C => ({ shape: x.shape, re: [...x.data], im: x.data.map(() => 0) });
const flatAt = (shape: readonly number[], idx: number[]) => idx.reduce((acc, v, k) => acc + v * strides(shape)[k], 0);

function scaleOf(norm: Norm, n: number, inverse: boolean): number {
  if (norm === 'ortho') return 1 / Math.sqrt(n);
  return (norm === 'backward') === inverse ? 1 / n : 1;
}

/** The DFT along one axis after cropping or zero-padding it to n; sign -1 forward, +1 inverse. */
function dftAxis(x: C, axis: number, n: number, inverse: boolean, norm: Norm): C {
  const shape = x.shape.map((d, i) => (i === axis ? n : d));
  const out: C = { shape, re: new Array(sizeOf(shape)).fill(0), im: new Array(sizeOf(shape)).fill(0) };
  const m = Math.min(x.shape[axis], n);
  const sign = inverse ? 1 : -1;
  const sc = scaleOf(norm, n, inverse);
  for (let flat = 0; flat < out.re.length; flat++) {
    const idx = unravel(flat, shape);
    const k = idx[axis];
    let re = 0;
    let im = 0;
    for (let j = 0; j < m; j++) {
      idx[axis] = j;
      const src = flatAt(x.shape, idx);
      const ang = (sign * 2 * Math.PI * j * k) / n;
      re += x.re[src] * Math.cos(ang) - x.im[src] * Math.sin(ang);
      im += x.re[src] * Math.sin(ang) + x.im[src] * Math.cos(ang);
    }
    out.re[flat] = re * sc;
    out.im[flat] = im * sc;
  }
  return out;
}

/** Keeps the first `count` entries along an axis. */
function head(x: C, axis: number, count: number): C {
  const shape = x.shape.map((d, i) => (i === axis ? count : d));
  const out: C = { shape, re: [], im: [] };
  for (let flat = 0; flat < sizeOf(shape); flat++) {
    const src = flatAt(x.shape, unravel(flat, shape));
    out.re.push(x.re[src]);
    out.im.push(x.im[src]);
  }
  return out;
}

/** irfft along one axis: crop/pad to n/2+1, extend Hermitian-symmetrically to n, inverse DFT, real part. */
function irfftAxis(x: C, axis: number, n: number, norm: Norm): C {
  const h = Math.floor(n / 2) + 1;
  const shape = x.shape.map((d, i) => (i === axis ? n : d));
  const full: C = { shape, re: new Array(sizeOf(shape)).fill(0), im: new Array(sizeOf(shape)).fill(0) };
  for (let flat = 0; flat < full.re.length; flat++) {
    const idx = unravel(flat, shape);
    const k = idx[axis];
    const [from, conj] = k < h ? [k, 1] : [n - k, -1];
    if (from >= x.shape[axis]) continue;
    idx[axis] = from;
    const src = flatAt(x.shape, idx);
    full.re[flat] = x.re[src];
    full.im[flat] = conj * x.im[src];
  }
  const out = dftAxis(full, axis, n, true, norm);
  return { shape, re: out.re, im: out.re.map(() => 0) };
}

const norm = (axes: readonly number[], rank: number) => axes.map((a) => (a < 0 ? a + rank : a));

function fftnRef(x: C, s: number[], axes: number[], inverse: boolean, nm: Norm): C {
  return axes.reduce((acc, axis, i) => dftAxis(acc, axis, s[i], inverse, nm), x);
}

function rfftnRef(x: C, s: number[], axes: number[], nm: Norm): C {
  const full = fftnRef(x, s, axes, false, nm);
  const last = axes[axes.length - 1];
  return head(full, last, Math.floor(s[s.length - 1] / 2) + 1);
}

function irfftnRef(x: C, s: number[], axes: number[], nm: Norm): C {
  const inner = fftnRef(x, s.slice(0, -1), axes.slice(0, -1), true, nm);
  return irfftAxis(inner, axes[axes.length - 1], s[s.length - 1], nm);
}

function expectComplex(t: mx.Tensor, expected: C, tol: number, ctx: string) {
  expect(t.dtype, ctx).toBe('complex64');
  expectCloseNd(toNd(mx.real(t)), { shape: expected.shape, data: expected.re }, tol, `${ctx} re`);
  expectCloseNd(toNd(mx.imag(t)), { shape: expected.shape, data: expected.im }, tol, `${ctx} im`);
}

/** Interleaved (re, im) float32 pairs viewed as complex64. */
function complexTensor(x: C): mx.Tensor {
  const pairs = fromValues(x.re.flatMap((r, i) => [r, x.im[i]]), [...x.shape, 2], 'float32');
  return mx.reshape(mx.view(pairs, 'complex64'), [...x.shape]);
}

/** A random shape (rank 1-3), a non-empty list of distinct axes (some negative) and optional lengths for them. */
const transformArb = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.shuffledSubarray([...shape.keys()], { minLength: 1 }),
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      fc.option(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }), { nil: undefined }),
      normArb,
    ),
  )
  .map(([shape, picked, negative, lengths, nm]) => {
    const axes = picked.map((a, i) => (negative[i] ? a - shape.length : a));
    const s = lengths?.slice(0, axes.length);
    return { shape, axes, s, norm: nm };
  });

const lengthsFor = (shape: number[], axes: number[], s: number[] | undefined) => s ?? norm(axes, shape.length).map((a) => shape[a]);

describe('sizes beyond memory', () => {
  it('a padded size whose input and result cannot fit in the memory limit is refused when the op is built', () => {
    for (const call of [() => mx.fftn(mx.ones([4]), [2 ** 31 - 1]), () => mx.rfft(mx.ones([4]), 2 ** 31 - 1), () => mx.ifft2(mx.ones([2, 2]), [65536, 65536])]) {
      expect(call).toThrow("more than MLX's memory limit");
    }
  });
});

describe('fftn and ifftn', () => {
  it('match the float64 DFT over random axes, crop/pad lengths and norms', () =>
    checkProperty(transformArb.chain((t) => fc.tuple(fc.constant(t), small(sizeOf(t.shape)), small(sizeOf(t.shape)))), ([t, re, im]) => {
      const x: C = { shape: t.shape, re, im };
      const axes = norm(t.axes, t.shape.length);
      const s = lengthsFor(t.shape, t.axes, t.s);
      const points = s.reduce((a, b) => a * b, 1);
      for (const inverse of [false, true]) {
        const op = inverse ? mx.ifftn : mx.fftn;
        const out = op(complexTensor(x), t.s, t.axes, t.norm);
        expectComplex(out, fftnRef(x, s, axes, inverse, t.norm), 1e-5 * points, `${inverse ? 'ifftn' : 'fftn'} ${JSON.stringify(t)}`);
      }
    }));

  it('transform every axis by default, and the last s.length axes when only s is given', () =>
    withoutLeaks(() => {
      const x = real({ shape: [2, 3, 2], data: Array.from({ length: 12 }, (_, i) => (i * 7) % 5) });
      const t = fromValues(x.re, x.shape, 'float32');
      expectComplex(mx.fftn(t), fftnRef(x, [2, 3, 2], [0, 1, 2], false, 'backward'), 1e-5, 'every axis');
      expectComplex(mx.fftn(t, [4, 1]), fftnRef(x, [4, 1], [1, 2], false, 'backward'), 1e-5, 'last two axes');
      expect(() => mx.fftn(t, [1, 2, 3, 4])).toThrow('has 4 entries but the input has only 3 axes');
    }));

  it('round-trip: ifftn(fftn(x)) == x for each norm', () =>
    checkProperty(transformArb.chain((t) => fc.tuple(fc.constant(t), small(sizeOf(t.shape)))), ([t, xs]) => {
      const x = fromValues(xs, t.shape, 'float32');
      const back = mx.ifftn(mx.fftn(x, undefined, t.axes, t.norm), undefined, t.axes, t.norm);
      expectComplex(back, real({ shape: t.shape, data: xs }), 1e-5, JSON.stringify(t));
    }));

  it('read non-contiguous input, convert every real dtype to complex64, and keep empty untransformed axes', () =>
    withoutLeaks(() => {
      const xs = Array.from({ length: 6 }, (_, i) => i - 2);
      const x = real({ shape: [3, 2], data: [xs[0], xs[3], xs[1], xs[4], xs[2], xs[5]] });
      const transposed = mx.transpose(fromValues(xs, [2, 3], 'float32'));
      expectComplex(mx.fftn(transposed), fftnRef(x, [3, 2], [0, 1], false, 'backward'), 1e-5, 'transposed');
      for (const dtype of ['float16', 'bfloat16', 'float64', 'int32', 'uint8', 'bool'] as mx.DType[]) {
        const vals = dtype === 'bool' ? [1, 0, 1, 1] : dtype === 'uint8' ? [1, 2, 3, 4] : [1, -2, 3, -4];
        expectComplex(mx.fftn(fromValues(vals, [4], dtype)), fftnRef(real({ shape: [4], data: vals }), [4], [0], false, 'backward'), 1e-6, dtype);
      }
      expectComplex(mx.fftn(mx.zeros([0, 3]), undefined, [1]), { shape: [0, 3], re: [], im: [] }, 0, 'empty batch');
      expectComplex(mx.fftn(mx.zeros([0, 3]), [2], [0]), { shape: [2, 3], re: new Array(6).fill(0), im: new Array(6).fill(0) }, 0, 'padded empty axis');
    }));
});

describe('rfft and irfft', () => {
  it('rfft keeps the floor(n/2)+1 non-negative frequencies of the float64 DFT, odd and even n', () =>
    checkProperty(
      fc.integer({ min: 1, max: 9 }).chain((m) => fc.tuple(fc.constant(m), small(m), fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }), normArb)),
      ([m, xs, n, nm]) => {
        const len = n ?? m;
        const out = mx.rfft(fromValues(xs, [m], 'float32'), n, -1, nm);
        expect(out.shape).toEqual([Math.floor(len / 2) + 1]);
        expectComplex(out, rfftnRef(real({ shape: [m], data: xs }), [len], [0], nm), 1e-5 * len, `rfft m=${m} n=${n} ${nm}`);
      },
    ));

  it('irfft matches the Hermitian extension of its input, odd and even n (default 2 * (m - 1))', () =>
    checkProperty(
      fc.integer({ min: 1, max: 6 }).chain((m) => fc.tuple(fc.constant(m), small(m), small(m), fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }), normArb)),
      ([m, re, im, n, nm]) => {
        const x: C = { shape: [2, m], re: [...re, ...re.map((v) => -v)], im: [...im, ...im] };
        const call = () => mx.irfft(complexTensor(x), n, 1, nm);
        const len = n ?? 2 * (m - 1);
        if (len < 1) {
          expect(call).toThrow('Invalid FFT output size');
          return;
        }
        const out = call();
        expect(out.dtype).toBe('float32');
        const expected = irfftAxis(x, 1, len, nm);
        expectCloseNd(toNd(out), { shape: expected.shape, data: expected.re }, 1e-5 * len, `irfft m=${m} n=${n} ${nm}`);
      },
    ));

  it('round-trip: irfft(rfft(x), n) == x for odd and even lengths, along any axis', () =>
    checkProperty(
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), normArb).chain(([n, rows, first, nm]) => fc.tuple(fc.constant([n, rows, first, nm] as const), small(n * rows))),
      ([[n, rows, first, nm], xs]) => {
        const shape = first ? [n, rows] : [rows, n];
        const axis = first ? 0 : -1;
        const back = mx.irfft(mx.rfft(fromValues(xs, shape, 'float32'), undefined, axis, nm), n, axis, nm);
        expectCloseNd(toNd(back), { shape, data: xs }, 1e-5, `n=${n} axis=${axis} ${nm}`);
      },
    ));

  it('rfft drops the imaginary part of a complex input', () =>
    withoutLeaks(() => {
      const x: C = { shape: [3], re: [1, 2, 3], im: [5, -6, 7] };
      expectComplex(mx.rfft(complexTensor(x)), rfftnRef(real({ shape: [3], data: x.re }), [3], [0], 'backward'), 1e-6, 'complex input');
    }));
});

describe('rfft2, irfft2, rfftn and irfftn', () => {
  it('rfftn/rfft2 halve the last transformed axis of the float64 n-D DFT', () =>
    checkProperty(transformArb.chain((t) => fc.tuple(fc.constant(t), small(sizeOf(t.shape)))), ([t, xs]) => {
      const x = real({ shape: t.shape, data: xs });
      const axes = norm(t.axes, t.shape.length);
      const s = lengthsFor(t.shape, t.axes, t.s);
      const points = s.reduce((a, b) => a * b, 1);
      const expected = rfftnRef(x, s, axes, t.norm);
      expectComplex(mx.rfftn(fromValues(xs, t.shape, 'float32'), t.s, t.axes, t.norm), expected, 1e-5 * points, `rfftn ${JSON.stringify(t)}`);
      if (t.axes.length === 2) {
        expectComplex(mx.rfft2(fromValues(xs, t.shape, 'float32'), t.s, t.axes, t.norm), expected, 1e-5 * points, `rfft2 ${JSON.stringify(t)}`);
      }
    }));

  it('irfftn/irfft2 invert along the other axes, then irfft along the last', () =>
    checkProperty(transformArb.chain((t) => fc.tuple(fc.constant(t), small(sizeOf(t.shape)), small(sizeOf(t.shape)))), ([t, re, im]) => {
      const x: C = { shape: t.shape, re, im };
      const axes = norm(t.axes, t.shape.length);
      const last = t.shape[axes[axes.length - 1]];
      const s = t.s ?? [...axes.slice(0, -1).map((a) => t.shape[a]), 2 * (last - 1)];
      const call = () => mx.irfftn(complexTensor(x), t.s, t.axes, t.norm);
      if (s[s.length - 1] < 1) {
        expect(call).toThrow('Invalid FFT output size');
        return;
      }
      const expected = irfftnRef(x, s, axes, t.norm);
      const points = s.reduce((a, b) => a * b, 1);
      const ctx = JSON.stringify(t);
      expectCloseNd(toNd(call()), { shape: expected.shape, data: expected.re }, 1e-5 * points, `irfftn ${ctx}`);
      if (t.axes.length === 2) {
        expectCloseNd(toNd(mx.irfft2(complexTensor(x), t.s, t.axes, t.norm)), { shape: expected.shape, data: expected.re }, 1e-5 * points, `irfft2 ${ctx}`);
      }
    }));

  it('round-trip: irfftn(rfftn(x), s) == x with s the transformed lengths', () =>
    checkProperty(transformArb.chain((t) => fc.tuple(fc.constant(t), small(sizeOf(t.shape)))), ([t, xs]) => {
      const s = norm(t.axes, t.shape.length).map((a) => t.shape[a]);
      const x = fromValues(xs, t.shape, 'float32');
      const back = mx.irfftn(mx.rfftn(x, undefined, t.axes, t.norm), s, t.axes, t.norm);
      expectCloseNd(toNd(back), { shape: t.shape, data: xs }, 1e-5, JSON.stringify(t));
    }));

  it('rfft2/irfft2 default to the last two axes', () =>
    withoutLeaks(() => {
      const xs = Array.from({ length: 12 }, (_, i) => (i * 5) % 7);
      const x = real({ shape: [2, 2, 3], data: xs });
      const t = fromValues(xs, [2, 2, 3], 'float32');
      expectComplex(mx.rfft2(t), rfftnRef(x, [2, 3], [1, 2], 'backward'), 1e-5, 'rfft2');
      expectCloseNd(toNd(mx.irfft2(mx.rfft2(t), [2, 3])), { shape: [2, 2, 3], data: xs }, 1e-5, 'irfft2');
    }));
});

describe('fftshift and ifftshift', () => {
  /** Element i of each shifted axis comes from (i - shift) mod n. */
  function rollRef(x: Nd, axes: number[], inverse: boolean): Nd {
    const data = x.data.map((_, flat) => {
      const idx = unravel(flat, x.shape);
      for (const a of axes) {
        const n = x.shape[a];
        const shift = inverse ? -Math.floor(n / 2) : Math.floor(n / 2);
        idx[a] = (((idx[a] - shift) % n) + n) % n;
      }
      return x.data[flatAt(x.shape, idx)];
    });
    return { shape: x.shape, data };
  }

  it('roll each axis by floor(n/2) (fftshift) or back (ifftshift), any dtype, and undo each other', () =>
    checkProperty(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 3 }).chain((shape) =>
        fc.tuple(fc.constant(shape), fc.option(fc.shuffledSubarray([...shape.keys()]), { nil: undefined }), fc.boolean(), fc.constantFrom<mx.DType>('float32', 'int32', 'float16')),
      ),
      ([shape, picked, negative, dtype]) => {
        const x: Nd = { shape, data: Array.from({ length: sizeOf(shape) }, (_, i) => i - 3) };
        const axes = picked?.map((a) => (negative ? a - shape.length : a));
        const every = axes === undefined ? [...shape.keys()] : norm(axes, shape.length);
        const t = fromValues(x.data, shape, dtype);
        const shifted = mx.fftshift(t, axes);
        expect(shifted.dtype).toBe(dtype);
        expectCloseNd(toNd(shifted), rollRef(x, every, false), 0, `fftshift ${shape} ${axes}`);
        expectCloseNd(toNd(mx.ifftshift(t, axes)), rollRef(x, every, true), 0, `ifftshift ${shape} ${axes}`);
        expectCloseNd(toNd(mx.ifftshift(shifted, axes)), x, 0, `round trip ${shape} ${axes}`);
      },
    ));
});

describe('fftfreq and rfftfreq', () => {
  it("follow NumPy's formula", () =>
    checkProperty(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.constantFrom(1, 0.5, 2, -1.5, 0.1)), ([n, d]) => {
      const freq = Array.from({ length: n }, (_, i) => (i < Math.ceil(n / 2) ? i : i - n) / (d * n));
      const out = mx.fftfreq(n, d);
      expect(out.dtype).toBe('float32');
      expectCloseNd(toNd(out), { shape: [n], data: freq }, 1e-6, `fftfreq ${n} ${d}`);
      const half = Math.floor(n / 2) + 1;
      expectCloseNd(toNd(mx.rfftfreq(n, d)), { shape: [half], data: Array.from({ length: half }, (_, i) => i / (d * n)) }, 1e-6, `rfftfreq ${n} ${d}`);
    }));
});

describe('stft and istft', () => {
  interface StftCase {
    len: number;
    nFft: number;
    hop?: number;
    winLength?: number;
    window: boolean;
    center: boolean;
    padMode: 'reflect' | 'constant' | 'edge';
    norm: Norm;
    onesided?: boolean;
  }

  const stftArb: fc.Arbitrary<StftCase> = fc.integer({ min: 1, max: 8 }).chain((nFft) =>
    fc.record({
      len: fc.integer({ min: 1, max: 12 }),
      nFft: fc.constant(nFft),
      hop: nFft < 4 ? fc.integer({ min: 1, max: 4 }) : fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      winLength: fc.option(fc.integer({ min: 1, max: nFft }), { nil: undefined }),
      window: fc.boolean(),
      center: fc.boolean(),
      padMode: fc.constantFrom<'reflect' | 'constant' | 'edge'>('reflect', 'constant', 'edge'),
      norm: normArb,
      onesided: fc.option(fc.boolean(), { nil: undefined }),
    }),
  );

  /** Pads by p at both ends (NumPy's reflect, constant zeros or edge copies), frames, windows and transforms each frame. */
  function stftRef(xs: number[], c: StftCase, win: number[]): C {
    const hop = c.hop ?? Math.floor(c.nFft / 4);
    const wl = c.winLength ?? c.nFft;
    const lpad = Math.floor((c.nFft - wl) / 2);
    const full = Array.from({ length: c.nFft }, (_, j) => (j >= lpad && j < lpad + wl ? win[j - lpad] : 0));
    const p = c.center ? Math.floor(c.nFft / 2) : 0;
    const n = xs.length;
    const sample = (i: number) => {
      if (i >= 0 && i < n) return xs[i];
      if (c.padMode === 'constant') return 0;
      if (c.padMode === 'edge') return xs[i < 0 ? 0 : n - 1];
      // Reflection about the end samples, repeated for padding wider than the signal.
      if (n === 1) return xs[0];
      const period = 2 * (n - 1);
      const m = ((i % period) + period) % period;
      return xs[m < n ? m : period - m];
    };
    const frames = 1 + Math.floor((n + 2 * p - c.nFft) / hop);
    const framed: C = { shape: [frames, c.nFft], re: [], im: [] };
    for (let t = 0; t < frames; t++) {
      for (let j = 0; j < c.nFft; j++) {
        framed.re.push(sample(t * hop + j - p) * full[j]);
        framed.im.push(0);
      }
    }
    const spectrum = dftAxis(framed, 1, c.nFft, false, c.norm);
    const kept = c.onesided === false ? spectrum : head(spectrum, 1, Math.floor(c.nFft / 2) + 1);
    // [frames, freq] -> [freq, frames]
    const [fr, fq] = kept.shape;
    const out: C = { shape: [fq, fr], re: [], im: [] };
    for (let k = 0; k < fq; k++) {
      for (let t = 0; t < fr; t++) {
        out.re.push(kept.re[t * fq + k]);
        out.im.push(kept.im[t * fq + k]);
      }
    }
    return out;
  }

  it('stft frames, windows and transforms like a float64 reference (padding modes, hops, windows, norms, onesided)', () =>
    checkProperty(
      stftArb.chain((c) => fc.tuple(fc.constant(c), small(c.len), fc.array(fc.integer({ min: 1, max: 8 }).map((k) => k / 4), { minLength: c.winLength ?? c.nFft, maxLength: c.winLength ?? c.nFft }))),
      ([c, xs, win]) => {
        const window = c.window ? fromValues(win, [win.length], 'float32') : undefined;
        const call = () => mx.stft(fromValues(xs, [c.len], 'float32'), c.nFft, c.hop, c.winLength, window, c.center, c.padMode, c.norm, c.onesided);
        const ctx = JSON.stringify(c);
        if (!c.center && c.len < c.nFft) {
          expect(call, ctx).toThrow('must be at least nFft');
          return;
        }
        const expected = stftRef(xs, c, c.window ? win : new Array(win.length).fill(1));
        expectComplex(call(), expected, 1e-5 * c.nFft * 4, ctx);
      },
    ));

  it('stft of a complex signal keeps every frequency by default', () =>
    withoutLeaks(() => {
      const x: C = { shape: [6], re: [1, 2, 3, 4, 5, 6], im: [1, 0, -1, 0, 1, 0] };
      const out = mx.stft(complexTensor(x), 4, 2, undefined, undefined, false);
      expect(out.shape).toEqual([4, 2]);
      const frames: C = { shape: [2, 4], re: [...x.re.slice(0, 4), ...x.re.slice(2, 6)], im: [...x.im.slice(0, 4), ...x.im.slice(2, 6)] };
      const spec = dftAxis(frames, 1, 4, false, 'backward');
      const expected: C = { shape: [4, 2], re: [0, 1, 2, 3].flatMap((k) => [spec.re[k], spec.re[4 + k]]), im: [0, 1, 2, 3].flatMap((k) => [spec.im[k], spec.im[4 + k]]) };
      expectComplex(out, expected, 1e-5, 'complex stft');
    }));

  it('round-trip: istft(stft(x)) == x with overlapping positive windows, odd and even nFft, each norm and onesided', () =>
    checkProperty(
      fc.integer({ min: 1, max: 8 }).chain((nFft) =>
        fc.tuple(
          fc.constant(nFft),
          fc.integer({ min: Math.floor(nFft / 2) + 1, max: 12 }),
          fc.integer({ min: 1, max: Math.max(1, Math.floor(nFft / 2)) }),
          fc.array(fc.integer({ min: 2, max: 8 }).map((k) => k / 4), { minLength: nFft, maxLength: nFft }),
          normArb,
          fc.boolean(),
        ),
      ).chain(([nFft, len, hop, win, nm, onesided]) => fc.tuple(fc.constant({ nFft, len, hop, win, norm: nm, onesided }), small(len))),
      ([c, xs]) => {
        const window = fromValues(c.win, [c.nFft], 'float32');
        const spec = mx.stft(fromValues(xs, [c.len], 'float32'), c.nFft, c.hop, undefined, window, true, 'reflect', c.norm, c.onesided);
        const back = mx.istft(spec, c.nFft, c.hop, undefined, window, true, c.norm, c.onesided, c.len);
        expect(back.dtype).toBe('float32');
        expectCloseNd(toNd(back), { shape: [c.len], data: xs }, 1e-4, JSON.stringify(c));
      },
    ));

  it('istft zero-pads to length, and gives 0 where no window covers the signal', () =>
    withoutLeaks(() => {
      const xs = [1, 2, 3, 4, 5, 6, 7, 8];
      const spec = mx.stft(fromValues(xs, [8], 'float32'), 2, 4, undefined, undefined, false);
      // Frames of 2 every 4 samples: samples 2, 3, 6, 7 are in no frame.
      expectCloseNd(toNd(mx.istft(spec, 2, 4, undefined, undefined, false, 'backward', undefined, 10)), { shape: [10], data: [1, 2, 0, 0, 5, 6, 0, 0, 0, 0] }, 1e-6, 'gaps');
    }));
});
