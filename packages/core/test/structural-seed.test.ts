// The seed ops (asStrided, sliceUpdate, gather, scatter, scatterAdd, tensordot, einsum, fft, ifft,
// convGeneral) against float64 TS references over random shapes and arguments.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { checkProperty, expectCloseNd, fromValues, runs, shapeArb, sizeOf, strides, toNd, type Nd, unravel, withoutLeaks } from '@mlxts/testing';

const iota = (shape: number[]): Nd => ({ shape, data: Array.from({ length: sizeOf(shape) }, (_, i) => i) });
const tensorOf = (x: Nd, dtype: mx.DType = 'float32') => fromValues(x.data, x.shape, dtype);
const at = (x: Nd, idx: number[]) => x.data[idx.reduce((acc, v, k) => acc + v * strides(x.shape)[k], 0)];
const small = (n: number) => fc.array(fc.integer({ min: -8, max: 8 }).map((k) => k / 4), { minLength: n, maxLength: n });

/** Python's slice.indices(): the positions a slice visits on an axis of length n. */
function sliceIndices(start: number, stop: number, step: number, n: number): number[] {
  const norm = (v: number, lo: number, hi: number) => (v < 0 ? Math.max(v + n, lo) : Math.min(v, hi));
  const [s, e] = step > 0 ? [norm(start, 0, n), norm(stop, 0, n)] : [norm(start, -1, n - 1), norm(stop, -1, n - 1)];
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

describe('asStrided', () => {
  it('reads flat[offset + sum(i * stride)] and rejects views that leave the input', () =>
    checkProperty(
      fc.tuple(shapeArb(1, 3, 1, 4), shapeArb(0, 3, 0, 3)).chain(([inShape, outShape]) =>
        fc.tuple(fc.constant(inShape), fc.constant(outShape), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: outShape.length, maxLength: outShape.length }), fc.integer({ min: 0, max: 30 })),
      ),
      ([inShape, outShape, st, offset]) => {
        const x = iota(inShape);
        let lo = offset;
        let hi = offset;
        outShape.forEach((d, i) => (st[i] * (d - 1) < 0 ? (lo += st[i] * (d - 1)) : (hi += st[i] * (d - 1))));
        const empty = sizeOf(outShape) === 0;
        const call = () => mx.asStrided(tensorOf(x), outShape, st, offset);
        if (!empty && (lo < 0 || hi >= x.data.length)) {
          expect(call).toThrow('outside the input');
          return;
        }
        const data = Array.from({ length: sizeOf(outShape) }, (_, i) => x.data[unravel(i, outShape).reduce((acc, v, k) => acc + v * st[k], offset)]);
        expectCloseNd(toNd(call()), { shape: outShape, data }, 0, `${inShape} as ${outShape} by ${st} + ${offset}`);
      },
    ));
});

describe('sliceUpdate', () => {
  it('writes a broadcast update into the Python-slice positions of a copy', () =>
    checkProperty(
      shapeArb(1, 3, 0, 4).chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.array(fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 }), fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0)), { minLength: 0, maxLength: shape.length }),
        ),
      ),
      ([shape, spec]) => {
        const x = iota(shape);
        const picks = shape.map((n, i) => (i < spec.length ? sliceIndices(spec[i][0], spec[i][1], spec[i][2], n) : [...Array(n).keys()]));
        const sliceShape = picks.map((p) => p.length);
        const upd = { shape: sliceShape, data: Array.from({ length: sizeOf(sliceShape) }, (_, i) => -1 - i) };
        const data = [...x.data];
        for (let i = 0; i < upd.data.length; i++) {
          const idx = unravel(i, sliceShape).map((v, k) => picks[k][v]);
          data[idx.reduce((acc, v, k) => acc + v * strides(shape)[k], 0)] = upd.data[i];
        }
        const out = mx.sliceUpdate(tensorOf(x), tensorOf(upd), spec.map((s) => s[0]), spec.map((s) => s[1]), spec.map((s) => s[2]));
        expectCloseNd(toNd(out), { shape, data }, 0, `${shape} ${JSON.stringify(spec)}`);
      },
    ));
});

/** The clamping rule of gather/scatter: negative counts from the end, then clamp to [0, n - w]. */
const clampIndex = (i: number, n: number, w: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), Math.max(n - w, 0));

describe('gather', () => {
  it('reads a slice at each (clamped) index along one axis', () =>
    checkProperty(
      shapeArb(1, 3, 1, 4).chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.integer({ min: 0, max: shape.length - 1 }),
          fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 0, maxLength: 4 }),
          fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d }))),
        ),
      ),
      ([shape, axis, indices, sizes]) => {
        const x = iota(shape);
        const outShape = [indices.length, ...sizes];
        const data = Array.from({ length: sizeOf(outShape) }, (_, i) => {
          const [k, ...rest] = unravel(i, outShape);
          return at(x, rest.map((v, j) => (j === axis ? clampIndex(indices[k], shape[j], sizes[j]) + v : v)));
        });
        const out = mx.gather(tensorOf(x), [mx.array(indices, 'int32')], [axis], sizes);
        expectCloseNd(toNd(out), { shape: outShape, data }, 0, `${shape} axis ${axis} at ${indices} sizes ${sizes}`);
      },
    ));
});

describe('scatter and scatterAdd', () => {
  const arb = shapeArb(1, 3, 1, 4).chain((shape) =>
    fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }), fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 0, maxLength: 4 })),
  );
  it('scatterAdd accumulates every (clamped) row', () =>
    checkProperty(arb, ([shape, axis, indices]) => {
      const x = iota(shape);
      const win = shape.map((d, j) => (j === axis ? 1 : d));
      const updShape = [indices.length, ...win];
      const upd = { shape: updShape, data: Array.from({ length: sizeOf(updShape) }, (_, i) => 100 * (i + 1)) };
      const data = [...x.data];
      upd.data.forEach((v, i) => {
        const [k, ...rest] = unravel(i, updShape);
        const pos = rest.map((r, j) => (j === axis ? clampIndex(indices[k], shape[j], 1) : r));
        data[pos.reduce((acc, p, j) => acc + p * strides(shape)[j], 0)] += v;
      });
      const out = mx.scatterAdd(tensorOf(x), [mx.array(indices, 'int32')], tensorOf(upd), [axis]);
      expectCloseNd(toNd(out), { shape, data }, 0, `${shape} axis ${axis} at ${indices}`);
    }));
  it('scatter writes distinct (clamped) rows', () =>
    checkProperty(arb, ([shape, axis, raw]) => {
      const seen = new Set<number>();
      const indices = raw.filter((i) => {
        const c = clampIndex(i, shape[axis], 1);
        return seen.has(c) ? false : (seen.add(c), true);
      });
      const x = iota(shape);
      const win = shape.map((d, j) => (j === axis ? 1 : d));
      const updShape = [indices.length, ...win];
      const upd = { shape: updShape, data: Array.from({ length: sizeOf(updShape) }, (_, i) => -1 - i) };
      const data = [...x.data];
      upd.data.forEach((v, i) => {
        const [k, ...rest] = unravel(i, updShape);
        const pos = rest.map((r, j) => (j === axis ? clampIndex(indices[k], shape[j], 1) : r));
        data[pos.reduce((acc, p, j) => acc + p * strides(shape)[j], 0)] = v;
      });
      const out = mx.scatter(tensorOf(x), [mx.array(indices, 'int32')], tensorOf(upd), [axis]);
      expectCloseNd(toNd(out), { shape, data }, 0, `${shape} axis ${axis} at ${indices}`);
    }));
});

function matmul(a: Nd, b: Nd): Nd {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const data = Array.from({ length: m * n }, (_, i) => {
    let s = 0;
    for (let t = 0; t < k; t++) s += a.data[Math.floor(i / n) * k + t] * b.data[t * n + (i % n)];
    return s;
  });
  return { shape: [m, n], data };
}

describe('tensordot and einsum', () => {
  const arb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 4 })).chain(([m, k, n]) =>
    fc.tuple(fc.constant([m, k, n]), small(m * k), small(k * n)),
  );
  it('contract like a float64 matrix product', () =>
    checkProperty(arb, ([[m, k, n], av, bv]) => {
      const a = { shape: [m, k], data: av };
      const b = { shape: [k, n], data: bv };
      const expected = matmul(a, b);
      expectCloseNd(toNd(mx.tensordot(tensorOf(a), tensorOf(b), 1)), expected, 1e-5, 'tensordot 1');
      expectCloseNd(toNd(mx.tensordot(tensorOf(a), tensorOf(b), [[1], [0]])), expected, 1e-5, 'tensordot pair');
      expectCloseNd(toNd(mx.einsum('ij,jk->ik', tensorOf(a), tensorOf(b))), expected, 1e-5, 'einsum ij,jk->ik');
      const bt = { shape: [n, k], data: Array.from({ length: n * k }, (_, i) => bv[(i % k) * n + Math.floor(i / k)]) };
      expectCloseNd(toNd(mx.einsum('ij,kj', tensorOf(a), tensorOf(bt))), expected, 1e-5, 'einsum ij,kj');
    }));
});

describe('fft and ifft', () => {
  it('match the float64 DFT along the last axis, with each norm', () =>
    checkProperty(fc.integer({ min: 1, max: 9 }).chain((n) => fc.tuple(fc.constant(n), small(n), fc.constantFrom('backward', 'ortho', 'forward'))), ([n, xs, norm]) => {
      const scale = { backward: [1, 1 / n], ortho: [1 / Math.sqrt(n), 1 / Math.sqrt(n)], forward: [1 / n, 1] }[norm]!;
      for (const [inverse, sign, sc] of [[false, -1, scale[0]], [true, 1, scale[1]]] as const) {
        const re: number[] = [];
        const im: number[] = [];
        for (let k = 0; k < n; k++) {
          let r = 0;
          let i = 0;
          for (let j = 0; j < n; j++) {
            const ang = (sign * 2 * Math.PI * j * k) / n;
            r += xs[j] * Math.cos(ang);
            i += xs[j] * Math.sin(ang);
          }
          re.push(r * sc);
          im.push(i * sc);
        }
        const t = tensorOf({ shape: [n], data: xs });
        const out = inverse ? mx.ifft(t, undefined, -1, norm) : mx.fft(t, undefined, -1, norm);
        expect(out.dtype).toBe('complex64');
        expectCloseNd(toNd(mx.real(out)), { shape: [n], data: re }, 1e-5 * n, `${inverse ? 'ifft' : 'fft'} ${norm} re`);
        expectCloseNd(toNd(mx.imag(out)), { shape: [n], data: im }, 1e-5 * n, `${inverse ? 'ifft' : 'fft'} ${norm} im`);
      }
    }));
});

describe('fft2 and ifft2', () => {
  it('match the float64 2-D DFT over the last two axes, with each norm and zero-padding', () =>
    checkProperty(
      fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })).chain(([r, c, pr, pc]) =>
        fc.tuple(fc.constant([r, c, r + pr, c + pc]), small(r * c), fc.constantFrom('backward', 'ortho', 'forward')),
      ),
      ([[r, c, R, C], xs, norm]) => {
        const n = R * C;
        const scale = { backward: [1, 1 / n], ortho: [1 / Math.sqrt(n), 1 / Math.sqrt(n)], forward: [1 / n, 1] }[norm]!;
        const x = (i: number, j: number) => (i < r && j < c ? xs[i * c + j] : 0);
        for (const [inverse, sign, sc] of [[false, -1, scale[0]], [true, 1, scale[1]]] as const) {
          const re: number[] = [];
          const im: number[] = [];
          for (let u = 0; u < R; u++) {
            for (let v = 0; v < C; v++) {
              let a = 0;
              let b = 0;
              for (let i = 0; i < R; i++) {
                for (let j = 0; j < C; j++) {
                  const ang = sign * 2 * Math.PI * ((i * u) / R + (j * v) / C);
                  a += x(i, j) * Math.cos(ang);
                  b += x(i, j) * Math.sin(ang);
                }
              }
              re.push(a * sc);
              im.push(b * sc);
            }
          }
          const t = tensorOf({ shape: [r, c], data: xs });
          const out = inverse ? mx.ifft2(t, [R, C], undefined, norm) : mx.fft2(t, [R, C], undefined, norm);
          const ctx = `${inverse ? 'ifft2' : 'fft2'} ${norm} ${r}x${c} -> ${R}x${C}`;
          expectCloseNd(toNd(mx.real(out)), { shape: [R, C], data: re }, 1e-5 * n, `${ctx} re`);
          expectCloseNd(toNd(mx.imag(out)), { shape: [R, C], data: im }, 1e-5 * n, `${ctx} im`);
        }
      },
    ));
});

describe('gather over several axes', () => {
  it('reads the (clamped) point of each broadcast index pair', () =>
    checkProperty(
      fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 4 })).chain(([r, c, m]) =>
        fc.tuple(fc.constant([r, c]), fc.array(fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 })), { minLength: m, maxLength: m })),
      ),
      ([[r, c], pts]) => {
        const x = iota([r, c]);
        const data = pts.map(([i, j]) => at(x, [clampIndex(i, r, 1), clampIndex(j, c, 1)]));
        const out = mx.gather(tensorOf(x), [mx.array(pts.map((p) => p[0]), 'int32'), mx.array(pts.map((p) => p[1]), 'int32')], [0, 1], [1, 1]);
        expectCloseNd(toNd(out), { shape: [pts.length, 1, 1], data }, 0, JSON.stringify(pts));
      },
    ));
});

describe('convGeneral', () => {
  it('matches a direct 1-D channels-last cross-correlation with stride, padding and dilations', () =>
    checkProperty(
      fc.record({
        len: fc.integer({ min: 1, max: 6 }),
        k: fc.integer({ min: 1, max: 3 }),
        cin: fc.integer({ min: 1, max: 2 }),
        cout: fc.integer({ min: 1, max: 2 }),
        stride: fc.integer({ min: 1, max: 3 }),
        lo: fc.integer({ min: 0, max: 2 }),
        hi: fc.integer({ min: 0, max: 2 }),
        kd: fc.integer({ min: 1, max: 2 }),
        id: fc.integer({ min: 1, max: 2 }),
        flip: fc.boolean(),
      }).chain((p) => fc.tuple(fc.constant(p), small(p.len * p.cin), small(p.cout * p.k * p.cin))),
      ([p, xs, ws]) => {
        const dilatedLen = (p.len - 1) * p.id + 1;
        const padded = dilatedLen + p.lo + p.hi;
        const span = (p.k - 1) * p.kd + 1;
        const call = () =>
          mx.convGeneral(tensorOf({ shape: [1, p.len, p.cin], data: xs }), tensorOf({ shape: [p.cout, p.k, p.cin], data: ws }), {
            stride: [p.stride], paddingLo: [p.lo], paddingHi: [p.hi], kernelDilation: [p.kd], inputDilation: [p.id], flip: p.flip,
          });
        if (padded < span) {
          expect(call).toThrow('conv');
          return;
        }
        const outLen = Math.floor((padded - span) / p.stride) + 1;
        const input = (pos: number, c: number) => {
          const q = pos - p.lo;
          return q < 0 || q >= dilatedLen || q % p.id !== 0 ? 0 : xs[(q / p.id) * p.cin + c];
        };
        const data: number[] = [];
        for (let o = 0; o < outLen; o++) {
          for (let co = 0; co < p.cout; co++) {
            let s = 0;
            for (let t = 0; t < p.k; t++) {
              const wt = p.flip ? p.k - 1 - t : t;
              for (let c = 0; c < p.cin; c++) s += input(o * p.stride + t * p.kd, c) * ws[(co * p.k + wt) * p.cin + c];
            }
            data.push(s);
          }
        }
        expectCloseNd(toNd(call()), { shape: [1, outLen, p.cout], data }, 1e-5, JSON.stringify(p));
      },
    ));
});

/** XLA select-and-scatter, directly: windows over the padded input, winner = first best in row-major order. */
function selectAndScatter(x: Nd, source: Nd, init: number, window: number[], steps: number[], padding: [number, number][], max: boolean): Nd {
  const padded = x.shape.map((d, i) => d + padding[i][0] + padding[i][1]);
  const counts = padded.map((p, i) => Math.floor((p - window[i]) / steps[i]) + 1);
  const out = x.data.map(() => init);
  const xst = strides(x.shape);
  for (let w = 0; w < source.data.length; w++) {
    const widx = unravel(w, counts);
    let best = -1;
    let bestValue = 0;
    for (let k = 0; k < window.reduce((a, b) => a * b, 1); k++) {
      const off = unravel(k, window);
      const pos = widx.map((c, i) => c * steps[i] + off[i] - padding[i][0]);
      if (pos.some((p, i) => p < 0 || p >= x.shape[i])) continue; // padding never wins
      const flat = pos.reduce((a, p, i) => a + p * xst[i], 0);
      const v = x.data[flat];
      if (best < 0 || (max ? v > bestValue : v < bestValue)) {
        best = flat;
        bestValue = v;
      }
    }
    if (best >= 0) out[best] += source.data[w];
  }
  return { shape: x.shape, data: out };
}

describe('windowScatterMax / windowScatterMin', () => {
  const caseArb = fc
    .array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 2 })
    .filter((axes) => axes.every(([d, w, , lo, hi]) => d + lo + hi >= w))
    .chain((axes) => {
      const shape = axes.map((a) => a[0]);
      const counts = axes.map(([d, w, s, lo, hi]) => Math.floor((d + lo + hi - w) / s) + 1);
      const size = (sh: number[]) => sh.reduce((a, b) => a * b, 1);
      return fc.tuple(fc.constant(axes), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: size(shape), maxLength: size(shape) }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: size(counts), maxLength: size(counts) }), fc.constant(counts));
    });
  for (const max of [true, false]) {
    it(`${max ? 'max' : 'min'} matches a direct select-and-scatter (ties, overlaps, padding)`, () =>
      fc.assert(
        fc.property(caseArb, ([axes, xs, ss, counts]) =>
          withoutLeaks(() => {
            const shape = axes.map((a) => a[0]);
            const window = axes.map((a) => a[1]);
            const strides = axes.map((a) => a[2]);
            const padding = axes.map((a) => [a[3], a[4]] as [number, number]);
            const x = { shape, data: xs };
            const source = { shape: counts, data: ss };
            const fn = max ? mx.windowScatterMax : mx.windowScatterMin;
            const out = fn(fromValues(xs, shape, 'float32'), fromValues(ss, counts, 'float32'), 0.5, window, { strides, padding });
            expectCloseNd(toNd(out), selectAndScatter(x, source, 0.5, window, strides, padding, max), 0, JSON.stringify(axes));
          }),
        ),
        { numRuns: runs },
      ));
  }
});
