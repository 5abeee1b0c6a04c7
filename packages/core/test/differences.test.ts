// diff, vecdot and segmentedMm against float64 TS loops over random shapes, axes and arguments.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { broadcastAt, broadcastPairArb, broadcastShapes, checkProperty, expectCloseNd, fromValues, shapeArb, sizeOf, toNd, type Nd, unravel, valuesArb } from '@mlxts/testing';

const domain = { min: -20, max: 20, integer: false };

/** x with `axis` (normalized) replaced by the m values f(line) computes from each line along it. */
function alongAxis(x: Nd, axis: number, m: number, f: (line: number[]) => number[]): Nd {
  const n = x.shape[axis];
  const outer = x.shape.slice(0, axis);
  const inner = x.shape.slice(axis + 1);
  const lines: number[][] = [];
  for (let o = 0; o < sizeOf(outer); o++) {
    for (let i = 0; i < sizeOf(inner); i++) {
      lines.push(Array.from({ length: n }, (_, k) => x.data[(o * n + k) * sizeOf(inner) + i]));
    }
  }
  const results = lines.map(f);
  const shape = [...outer, m, ...inner];
  const data = new Array<number>(sizeOf(shape));
  results.forEach((r, l) => {
    const o = Math.floor(l / sizeOf(inner));
    const i = l % sizeOf(inner);
    r.forEach((v, k) => (data[(o * m + k) * sizeOf(inner) + i] = v));
  });
  return { shape, data };
}

function diffLine(line: number[], n: number, step: (a: number, b: number) => number): number[] {
  let out = line;
  for (let k = 0; k < n && out.length > 0; k++) out = out.slice(1).map((v, i) => step(out[i], v));
  return out;
}

describe('diff', () => {
  const steps: Record<string, (a: number, b: number) => number> = {
    float32: (a, b) => b - a,
    int32: (a, b) => b - a,
    uint8: (a, b) => (((b - a) % 256) + 256) % 256,
    bool: (a, b) => Number(a !== b),
  };
  for (const [dtype, step] of Object.entries(steps) as [mx.DType, (a: number, b: number) => number][]) {
    it(`${dtype}: the n-th difference along any axis`, () =>
      checkProperty(
        shapeArb(1, 3, 0, 5).chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            valuesArb(sizeOf(shape), dtype === 'uint8' ? { min: 0, max: 255, integer: true } : domain, dtype),
            fc.integer({ min: -shape.length, max: shape.length - 1 }),
            fc.integer({ min: 0, max: 6 }),
          ),
        ),
        ([shape, values, axis, n]) => {
          const x: Nd = { shape, data: values };
          const ax = axis < 0 ? axis + shape.length : axis;
          const expected = alongAxis(x, ax, Math.max(shape[ax] - n, 0), (line) => diffLine(line, n, step));
          const out = mx.diff(fromValues(values, shape, dtype), n, axis);
          expect(out.dtype).toBe(dtype);
          expectCloseNd(toNd(out), expected, 0, `diff ${dtype} ${shape} n=${n} axis=${axis}`);
        },
      ));
  }

  it('handles an order far beyond the axis length without work proportional to it', () => {
    expect(mx.diff(mx.array([1, 2, 3]), 2 ** 31 - 1).shape).toEqual([0]);
  });
});

describe('vecdot', () => {
  it('sums a * b over an axis of the broadcast shape (float32 and int32)', () =>
    checkProperty(
      broadcastPairArb.filter(({ a, b }) => a.length > 0 && b.length > 0).chain(({ a, b }) => {
        const rank = broadcastShapes(a, b).length;
        return fc.tuple(
          fc.constant(a),
          fc.constant(b),
          valuesArb(sizeOf(a), domain, 'float32'),
          valuesArb(sizeOf(b), domain, 'float32'),
          fc.integer({ min: -rank, max: rank - 1 }),
          fc.constantFrom<mx.DType>('float32', 'int32'),
        );
      }),
      ([aShape, bShape, av, bv, axis, dtype]) => {
        const round = dtype === 'int32' ? Math.trunc : (v: number) => v;
        const a: Nd = { shape: aShape, data: av.map(round) };
        const b: Nd = { shape: bShape, data: bv.map(round) };
        const shape = broadcastShapes(aShape, bShape);
        const ax = axis < 0 ? axis + shape.length : axis;
        const outShape = shape.filter((_, i) => i !== ax);
        const data = Array.from({ length: sizeOf(outShape) }, (_, flat) => {
          const idx = unravel(flat, outShape);
          let sum = 0;
          for (let k = 0; k < shape[ax]; k++) {
            const full = [...idx.slice(0, ax), k, ...idx.slice(ax)];
            sum += broadcastAt(a, full) * broadcastAt(b, full);
          }
          return sum;
        });
        const out = mx.vecdot(fromValues(a.data, aShape, dtype), fromValues(b.data, bShape, dtype), { axis });
        expect(out.dtype).toBe(dtype);
        // float32 sums whose terms can cancel: the rounding error is relative to the terms, not the sum.
        expectCloseNd(toNd(out), { shape: outShape, data }, dtype === 'int32' ? 0 : 1e-4, `vecdot ${aShape} . ${bShape} axis=${axis}`);
      },
    ));

  it('conjugates complex a', () =>
    checkProperty(fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 8, maxLength: 8 }), (v) => {
      const [a, b] = [v.slice(0, 4), v.slice(4)];
      const c = (x: number[]) => mx.array(new Float32Array(x).buffer, 'complex64');
      // conj(a0) b0 + conj(a1) b1 with a_k = x + iy: (x - iy)(u + iw) = (xu + yw) + i(xw - yu)
      const re = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
      const im = a[0] * b[1] - a[1] * b[0] + a[2] * b[3] - a[3] * b[2];
      const out = mx.vecdot(c(a), c(b)).item() as { re: number; im: number };
      // + 0 turns a -0 into 0: the sums are exact, their sign of zero is not part of the contract.
      expect({ re: out.re + 0, im: out.im + 0 }).toEqual({ re, im });
    }));

  it('gives zeros over an empty axis', () => {
    expect(mx.vecdot(mx.zeros([2, 0]), mx.zeros([0])).toArray()).toEqual([0, 0]);
  });
});

describe('segmentedMm', () => {
  it('multiplies a[:, s:e] @ b[s:e, :] per segment, clamping segments into [0, K]', () =>
    checkProperty(
      fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 3 }), shapeArb(0, 2, 0, 3)).chain(([m, k, n, lead]) =>
        fc.tuple(
          fc.constant([m, k, n]),
          fc.constant(lead),
          valuesArb(m * k, domain, 'float32'),
          valuesArb(k * n, domain, 'float32'),
          fc.array(fc.integer({ min: -3, max: k + 3 }), { minLength: sizeOf(lead) * 2, maxLength: sizeOf(lead) * 2 }),
        ),
      ),
      ([[m, k, n], lead, av, bv, segs]) => {
        const data: number[] = [];
        for (let s = 0; s < sizeOf(lead); s++) {
          const start = Math.min(Math.max(segs[2 * s], 0), k);
          const end = Math.max(Math.min(Math.max(segs[2 * s + 1], 0), k), start);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let sum = 0;
              for (let c = start; c < end; c++) sum += av[i * k + c] * bv[c * n + j];
              data.push(sum);
            }
          }
        }
        const segments = mx.reshape(mx.array(Int32Array.from(segs)), [...lead, 2]);
        const out = mx.segmentedMm(fromValues(av, [m, k], 'float32'), fromValues(bv, [k, n], 'float32'), segments);
        // float32 sums whose terms can cancel: the rounding error is relative to the terms, not the sum.
        expectCloseNd(toNd(out), { shape: [...lead, m, n], data }, 1e-4, `segmentedMm [${m},${k}]x[${k},${n}] segments ${segs}`);
      },
    ));

  it('accepts transposed (non-contiguous) operands', () => {
    const a = mx.transpose(mx.array([[1, 3], [2, 4]], 'float32'));
    const b = mx.transpose(mx.array([[1, 0], [0, 1]], 'float32'));
    expect(mx.segmentedMm(a, b, [[0, 1], [1, 2]]).toArray()).toEqual([[[1, 0], [3, 0]], [[0, 2], [0, 4]]]);
  });
});
