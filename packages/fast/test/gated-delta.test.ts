// gatedDeltaUpdate against a float64 loop over the recurrence, over random shapes, head sharing, per-key
// gating, masks and initial states; and chunked calls equal one call over the whole sequence.
import fc from 'fast-check';
import * as mx from '@mlxts/core';
import { expectCloseNd, fromValues, runs, sizeOf, toNd, valuesArb, withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';
import * as fast from '../src/index.js';

interface Case {
  dims: { b: number; t: number; hk: number; hv: number; dk: number; dv: number };
  perKeyGamma: boolean;
  q: number[]; k: number[]; v: number[]; gamma: number[]; beta: number[];
  state?: number[];
  mask?: boolean[];
}

/** Float64 recurrence: S <- gamma S; S += outer(beta (v - S k), k); y = S q, per batch and value head. */
function reference(c: Case): { y: number[]; state: number[] } {
  const { b, t, hk, hv, dk, dv } = c.dims;
  const state = c.state ? [...c.state] : new Array<number>(b * hv * dv * dk).fill(0);
  const y = new Array<number>(b * t * hv * dv).fill(0);
  for (let bi = 0; bi < b; bi++) {
    for (let h = 0; h < hv; h++) {
      const kh = Math.floor(h / (hv / hk));
      const S = (i: number, j: number) => ((bi * hv + h) * dv + i) * dk + j;
      for (let ti = 0; ti < t; ti++) {
        if (c.mask && !c.mask[bi * t + ti]) continue;
        const qk = (x: number[], j: number) => x[((bi * t + ti) * hk + kh) * dk + j];
        const g = (j: number) => (c.perKeyGamma ? c.gamma[((bi * t + ti) * hv + h) * dk + j] : c.gamma[(bi * t + ti) * hv + h]);
        const beta = c.beta[(bi * t + ti) * hv + h];
        for (let i = 0; i < dv; i++) for (let j = 0; j < dk; j++) state[S(i, j)] *= g(j);
        for (let i = 0; i < dv; i++) {
          let sk = 0;
          for (let j = 0; j < dk; j++) sk += state[S(i, j)] * qk(c.k, j);
          const delta = beta * (c.v[((bi * t + ti) * hv + h) * dv + i] - sk);
          for (let j = 0; j < dk; j++) state[S(i, j)] += delta * qk(c.k, j);
        }
        for (let i = 0; i < dv; i++) {
          let sq = 0;
          for (let j = 0; j < dk; j++) sq += state[S(i, j)] * qk(c.q, j);
          y[((bi * t + ti) * hv + h) * dv + i] = sq;
        }
      }
    }
  }
  return { y, state };
}

const unit = { min: -1, max: 1, integer: false };
const rate = { min: 0, max: 1, integer: false };

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    b: fc.integer({ min: 1, max: 2 }), t: fc.integer({ min: 0, max: 4 }), hk: fc.integer({ min: 1, max: 2 }),
    group: fc.integer({ min: 1, max: 2 }), dk: fc.integer({ min: 1, max: 4 }), dv: fc.integer({ min: 1, max: 3 }),
    perKeyGamma: fc.boolean(), withState: fc.boolean(), withMask: fc.boolean(),
  })
  .chain(({ b, t, hk, group, dk, dv, perKeyGamma, withState, withMask }) => {
    const hv = hk * group;
    return fc.record({
      dims: fc.constant({ b, t, hk, hv, dk, dv }),
      perKeyGamma: fc.constant(perKeyGamma),
      q: valuesArb(b * t * hk * dk, unit, 'float32'),
      k: valuesArb(b * t * hk * dk, unit, 'float32'),
      v: valuesArb(b * t * hv * dv, unit, 'float32'),
      gamma: valuesArb(b * t * hv * (perKeyGamma ? dk : 1), rate, 'float32'),
      beta: valuesArb(b * t * hv, rate, 'float32'),
      state: withState ? valuesArb(b * hv * dv * dk, unit, 'float32') : fc.constant(undefined),
      mask: withMask ? fc.array(fc.boolean(), { minLength: b * t, maxLength: b * t }) : fc.constant(undefined),
    });
  });

function run(c: Case, from = 0, to = c.dims.t, state?: mx.Tensor): mx.Tensor[] {
  const { b, hk, hv, dk, dv } = c.dims;
  const t = c.dims.t;
  const steps = (x: number[], inner: number) => mx.slice(fromValues(x, [b, t, inner], 'float32'), [0, from], [b, to]);
  const four = (x: number[], heads: number, d: number) => mx.reshape(steps(x, heads * d), [b, to - from, heads, d]);
  const gamma = c.perKeyGamma ? four(c.gamma, hv, dk) : steps(c.gamma, hv);
  const mask = c.mask ? mx.slice(mx.reshape(mx.array(c.mask), [b, t]), [0, from], [b, to]) : undefined;
  const initialState = state ?? (c.state ? fromValues(c.state, [b, hv, dv, dk], 'float32') : undefined);
  return fast.gatedDeltaUpdate(four(c.q, hk, dk), four(c.k, hk, dk), four(c.v, hv, dv), gamma, steps(c.beta, hv), initialState, mask);
}

describe('gatedDeltaUpdate', () => {
  it('matches the float64 recurrence', () =>
    fc.assert(
      fc.property(caseArb, (c) =>
        withoutLeaks(() => {
          const { b, t, hv, dk, dv } = c.dims;
          const expected = reference(c);
          const [y, state] = run(c);
          expectCloseNd(toNd(y), { shape: [b, t, hv, dv], data: expected.y }, 1e-5, `y ${JSON.stringify(c.dims)}`);
          expectCloseNd(toNd(state), { shape: [b, hv, dv, dk], data: expected.state }, 1e-5, `state ${JSON.stringify(c.dims)}`);
        }),
      ),
      { numRuns: runs },
    ));

  it('continues a sequence chunk by chunk exactly as one call', () =>
    fc.assert(
      fc.property(caseArb.filter((c) => c.dims.t >= 2), fc.integer({ min: 1, max: 3 }), (c, cut) =>
        withoutLeaks(() => {
          const split = Math.min(cut, c.dims.t - 1);
          const [yAll, sAll] = run(c);
          const [y1, s1] = run(c, 0, split);
          const [y2, s2] = run(c, split, c.dims.t, s1);
          expectCloseNd(toNd(mx.concatenate([y1, y2], 1)), toNd(yAll), 1e-5, 'chunked y');
          expectCloseNd(toNd(s2), toNd(sAll), 1e-5, 'chunked state');
        }),
      ),
      { numRuns: runs },
    ));

  it('keeps float16 values in float16 and the state in float32', () => {
    const h = (shape: number[]) => mx.ones(shape, 'float16');
    const [y, state] = fast.gatedDeltaUpdate(h([1, 2, 1, 2]), h([1, 2, 1, 2]), h([1, 2, 1, 2]), h([1, 2, 1]), h([1, 2, 1]));
    expect([y.dtype, state.dtype]).toEqual(['float16', 'float32']);
    expect(sizeOf(y.shape)).toBe(4);
  });
});
