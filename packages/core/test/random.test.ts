// mx.random: reproducibility (values fixed by MLX Python), determinism per key, the default key
// sequence per thread, and statistical checks of every sampler against float64 references written here.
// Every key is fixed, so each check is deterministic; its threshold comes from the sample size (about
// six standard errors, or a 0.1% critical value), so a correct sampler passes with a wide margin and a
// wrong distribution, bound or parameter fails.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { toNd, withoutLeaks } from '@mlxts/testing';

const key = (seed: number) => mx.random.key(seed);
/** The values of a tensor as float64 numbers (half-precision ones read through float32). */
const values = (t: mx.Tensor): number[] => [...toNd(t.dtype === 'float16' || t.dtype === 'bfloat16' ? t.astype('float32') : t).data];
const leakFree = (body: () => void) => () => withoutLeaks(body);

// ---- float64 references -------------------------------------------------------------------------

/** erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, far below the KS thresholds used). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const y = 1 - poly * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const normalCdf = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
const gumbelCdf = (x: number) => Math.exp(-Math.exp(-x));
const laplaceCdf = (loc: number, scale: number) => (x: number) =>
  x < loc ? 0.5 * Math.exp((x - loc) / scale) : 1 - 0.5 * Math.exp(-(x - loc) / scale);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};

/** Kolmogorov-Smirnov statistic of the samples against a CDF. */
function ksStatistic(samples: number[], cdf: (x: number) => number): number {
  const xs = [...samples].sort((a, b) => a - b);
  const n = xs.length;
  let d = 0;
  xs.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  });
  return d;
}
/** The KS critical value at significance 0.001 for n samples (asymptotic: 1.949 / sqrt(n)). */
const ksCritical = (n: number) => 1.949 / Math.sqrt(n);

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
function chiSquare(counts: number[], probs: number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((acc, c, i) => acc + (c - n * probs[i]) ** 2 / (n * probs[i]), 0);
}
/** The chi-square critical value at significance 0.001 (Wilson-Hilferty, z = 3.09). */
function chiSquareCritical(df: number): number {
  const h = 2 / (9 * df);
  return df * (1 - h + 3.09 * Math.sqrt(h)) ** 3;
}
const countsOf = (xs: number[], k: number) => {
  const counts = new Array(k).fill(0);
  for (const x of xs) counts[x]++;
  return counts;
};

/** Mean and variance within six standard errors of the distribution's (mu4 is the fourth central moment). */
function expectMoments(xs: number[], mu: number, sigma2: number, mu4: number) {
  const n = xs.length;
  expect(Math.abs(mean(xs) - mu)).toBeLessThan(6 * Math.sqrt(sigma2 / n));
  expect(Math.abs(variance(xs) - sigma2)).toBeLessThan(6 * Math.sqrt((mu4 - sigma2 * sigma2) / n));
}

const N = 20000;

// ---- reproducibility ----------------------------------------------------------------------------

describe('values fixed by MLX Python 0.32.4', () => {
  // Computed once with MLX Python 0.32.4, e.g.
  //   mx.random.uniform(key=mx.random.key(0), shape=(4,))  ->  [0.965321, 0.225159, 0.63303, 0.296382]
  // and recorded here, so the binding is checked bit-for-bit against MLX's own generator without
  // needing Python at test time.
  it('keys and splits', leakFree(() => {
    expect(key(0).toArray()).toEqual([0, 0]);
    expect(key(2 ** 53 - 1).toArray()).toEqual([2 ** 21 - 1, 2 ** 32 - 1]);
    expect(mx.random.split(key(0)).map((k) => k.toArray())).toEqual([[4146024105, 967050713], [2718843009, 1272950319]]);
  }));

  it('uniform, normal and friends from key(0)', leakFree(() => {
    const close = (t: mx.Tensor, want: number[]) => values(t).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    close(mx.random.uniform(0, 1, [4], 'float32', { key: key(0) }), [0.965321, 0.225159, 0.63303, 0.296382]);
    close(mx.random.uniform(0, 1, [2], 'float16', { key: key(0) }), [0.216309, 0.804199]);
    close(mx.random.uniform(0, 1, [2], 'bfloat16', { key: key(0) }), [0.21582, 0.804688]);
    close(mx.random.normal([4], 'float32', 0, 1, { key: key(0) }), [1.81609, -0.754885, 0.339889, -0.534835]);
    close(mx.random.gumbel([4], 'float32', { key: key(0) }), [3.34404, -0.399412, 0.782552, -0.195654]);
    close(mx.random.laplace([4], 'float32', 3, 2, { key: key(0) }), [-2.33698, 4.5956, 2.38134, 4.04592]);
    close(mx.random.truncatedNormal(-1, 1, [4], 'float32', { key: key(0) }), [0.906521, -0.489147, 0.22965, -0.355808]);
  }));

  it('the default sequence after seed(0)', leakFree(() => {
    mx.random.seed(0);
    const first = values(mx.random.uniform(0, 1, [3]));
    const second = values(mx.random.uniform(0, 1, [3]));
    [0.872414, 0.111052, 0.277081].forEach((v, i) => expect(first[i]).toBeCloseTo(v, 5));
    [0.47366, 0.566223, 0.880602].forEach((v, i) => expect(second[i]).toBeCloseTo(v, 5));
  }));
});

describe('determinism', () => {
  const samplers: [string, (k: mx.Tensor) => mx.Tensor][] = [
    ['bits', (k) => mx.random.bits([64], 4, { key: k })],
    ['uniform', (k) => mx.random.uniform(0, 1, [64], 'float32', { key: k })],
    ['normal', (k) => mx.random.normal([64], 'float32', 0, 1, { key: k })],
    ['randint', (k) => mx.random.randint(0, 1000, [64], 'int32', { key: k })],
    ['bernoulli', (k) => mx.random.bernoulli(0.5, [64], { key: k })],
    ['truncatedNormal', (k) => mx.random.truncatedNormal(-2, 2, [64], 'float32', { key: k })],
    ['gumbel', (k) => mx.random.gumbel([64], 'float32', { key: k })],
    ['laplace', (k) => mx.random.laplace([64], 'float32', 0, 1, { key: k })],
    ['categorical', (k) => mx.random.categorical(mx.zeros([100]), -1, undefined, 64, { key: k })],
    ['permutation', (k) => mx.random.permutation(64, 0, { key: k })],
    ['multivariateNormal', (k) => mx.random.multivariateNormal(mx.zeros([2]), mx.eye(2), [32], 'float32', { key: k })],
  ];
  for (const [name, sample] of samplers) {
    it(`${name}: the same key gives the same values, split keys different ones`, leakFree(() => {
      const [k1, k2] = mx.random.split(key(11));
      expect(values(sample(k1))).toEqual(values(sample(k1)));
      expect(values(sample(key(11)))).toEqual(values(sample(key(11))));
      expect(values(sample(k1))).not.toEqual(values(sample(k2)));
    }));
  }

  it('split keys depend on num, and are all distinct', leakFree(() => {
    const keys = mx.random.split(key(5), 50).map((k) => values(k).join(','));
    expect(new Set(keys).size).toBe(50);
    expect(mx.random.split(key(5), 3)[0].toArray()).not.toEqual(mx.random.split(key(5), 2)[0].toArray());
    expect(mx.random.split(key(5), 0)).toEqual([]);
    expect(mx.stack(mx.random.split(key(5), 4)).shape).toEqual([4, 2]);
    // MLX computes split(key, num) as bits([num, 2], 4, key).
    expect(mx.stack(mx.random.split(key(5), 3)).toArray()).toEqual(mx.random.bits([3, 2], 4, { key: key(5) }).toArray());
    // A key may be a view: column 0 of a [2, 2] tensor is the key [row0[0], row1[0]].
    const pair = mx.array([[7, 1], [9, 2]], 'uint32');
    expect(values(mx.random.uniform(0, 1, [3], 'float32', { key: mx.take(pair, 0, 1) })))
      .toEqual(values(mx.random.uniform(0, 1, [3], 'float32', { key: mx.array([7, 9], 'uint32') })));
  }));

  it('the default sequence: seeding repeats it, consecutive draws differ', leakFree(() => {
    mx.random.seed(123);
    const a = values(mx.random.normal([8]));
    const b = values(mx.random.normal([8]));
    mx.random.seed(123);
    expect(values(mx.random.normal([8]))).toEqual(a);
    expect(values(mx.random.normal([8]))).toEqual(b);
    expect(a).not.toEqual(b);
    // A sample drawn with an explicit key leaves the default sequence where it was.
    mx.random.seed(123);
    mx.random.normal([8], 'float32', 0, 1, { key: key(1) });
    expect(values(mx.random.normal([8]))).toEqual(a);
  }));
});

// ---- distributions ------------------------------------------------------------------------------

describe('uniform', () => {
  it('follows U(low, high) (KS, moments) and stays in [low, high)', leakFree(() => {
    const xs = values(mx.random.uniform(-2, 3, [N], 'float32', { key: key(1) }));
    expect(ksStatistic(xs, (x) => Math.min(1, Math.max(0, (x + 2) / 5)))).toBeLessThan(ksCritical(N));
    expectMoments(xs, 0.5, 25 / 12, 625 / 80);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...xs)).toBeLessThan(3);
  }));

  it('stays below high in half precision', leakFree(() => {
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const t = mx.random.uniform(0, 1, [N], dtype, { key: key(2) });
      expect(t.dtype).toBe(dtype);
      const xs = values(t);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThan(1);
      expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(6 * Math.sqrt(1 / 12 / N) + 1e-3);
    }
  }));

  it('broadcasts low and high against the shape, element by element', leakFree(() => {
    const low = mx.array([[0], [10], [100]]);
    const high = mx.array([[1, 2, 3, 4]]);
    const t = mx.random.uniform(low, mx.add(low, high), [3, 4], 'float32', { key: key(3) });
    expect(t.shape).toEqual([3, 4]);
    values(t).forEach((v, i) => {
      const lo = [0, 10, 100][Math.floor(i / 4)];
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(v).toBeLessThan(lo + (i % 4) + 1);
    });
  }));

  it('keeps low > high between the bounds; 0-d by default; empty shapes', leakFree(() => {
    const xs = values(mx.random.uniform(1, 0, [1000], 'float32', { key: key(4) }));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
    expect(mx.random.uniform().shape).toEqual([]);
    expect(mx.random.uniform().dtype).toBe('float32');
    expect(mx.random.uniform(0, 1, [0, 3]).shape).toEqual([0, 3]);
    expect(mx.random.uniform(0, 1, 5).shape).toEqual([5]);
  }));

  it('refuses sizes beyond the memory limit, including ones that overflow 64 bits', () => {
    expect(() => mx.random.uniform(0, 1, [2147483647, 2147483647, 4])).toThrow("more than MLX's memory limit");
    expect(() => mx.random.normal([2147483647, 2147483647, 2147483647])).toThrow("more than MLX's memory limit");
    expect(() => mx.random.bits([2147483647, 2147483647, 8])).toThrow("more than MLX's memory limit");
    expect(() => mx.random.categorical(mx.zeros([2147483647]), -1, undefined, 2147483647)).toThrow("more than MLX's memory limit");
  });
});

describe('normal', () => {
  it('follows N(0, 1) (KS, moments)', leakFree(() => {
    const xs = values(mx.random.normal([N], 'float32', 0, 1, { key: key(5) }));
    expect(ksStatistic(xs, normalCdf)).toBeLessThan(ksCritical(N));
    expectMoments(xs, 0, 1, 3);
  }));

  it('applies loc and scale, broadcast per column', leakFree(() => {
    const t = mx.random.normal([N, 2], 'float32', mx.array([-5, 10]), mx.array([0.5, 3]), { key: key(6) });
    expect(t.shape).toEqual([N, 2]);
    const xs = values(t);
    const col = (j: number) => xs.filter((_, i) => i % 2 === j);
    expectMoments(col(0), -5, 0.25, 3 * 0.25 ** 2);
    expectMoments(col(1), 10, 9, 3 * 81);
    expect(ksStatistic(col(1), (x) => normalCdf((x - 10) / 3))).toBeLessThan(ksCritical(N));
  }));

  it('samples half precision in its own dtype (loc and scale are cast)', leakFree(() => {
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const t = mx.random.normal([N], dtype, 2, 0.5, { key: key(7) });
      expect(t.dtype).toBe(dtype);
      const xs = values(t);
      expect(Math.abs(mean(xs) - 2)).toBeLessThan(6 * 0.5 / Math.sqrt(N) + 1e-2);
      expect(Math.abs(Math.sqrt(variance(xs)) - 0.5)).toBeLessThan(0.02);
    }
  }));

  it('complex64 is the standard complex normal (each part of variance 1/2)', leakFree(() => {
    const z = mx.random.normal([N], 'complex64', 0, 1, { key: key(28) });
    expect(z.dtype).toBe('complex64');
    for (const part of [values(mx.real(z)), values(mx.imag(z))]) {
      expectMoments(part, 0, 0.5, 3 * 0.25);
      expect(ksStatistic(part, (x) => normalCdf(x / Math.SQRT1_2))).toBeLessThan(ksCritical(N));
    }
  }));
});

describe('randint', () => {
  it('is uniform over [low, high) (chi-square)', leakFree(() => {
    const xs = values(mx.random.randint(-3, 7, [N], 'int32', { key: key(8) }));
    expect(Math.min(...xs)).toBe(-3);
    expect(Math.max(...xs)).toBe(6);
    const counts = countsOf(xs.map((x) => x + 3), 10);
    expect(chiSquare(counts, new Array(10).fill(0.1))).toBeLessThan(chiSquareCritical(9));
  }));

  it('samples every integer dtype and bool', leakFree(() => {
    for (const dtype of ['int8', 'uint8', 'int16', 'uint16', 'uint32', 'int64', 'uint64'] as const) {
      const t = mx.random.randint(0, 100, [1000], dtype, { key: key(9) });
      expect(t.dtype).toBe(dtype);
      const xs = values(t);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThan(100);
    }
    const b = mx.random.randint(0, 2, [N], 'bool', { key: key(9) });
    expect(b.dtype).toBe('bool');
    expect(Math.abs(mean(values(b)) - 0.5)).toBeLessThan(6 * 0.5 / Math.sqrt(N));
  }));

  it('broadcasts bounds per element; truncates non-integral bounds; an empty range gives low', leakFree(() => {
    const t = mx.random.randint(mx.array([0, 100], 'int32'), mx.array([[2], [5]], 'int32'), [2, 2], 'int32', { key: key(10) });
    expect(t.shape).toEqual([2, 2]);
    const [a, b, c, d] = values(t);
    expect(a >= 0 && a < 2).toBe(true); // [0, 2)
    expect(c >= 0 && c < 5).toBe(true); // [0, 5)
    expect(b).toBe(100); // [100, 2) is empty
    expect(d).toBe(100); // [100, 5) is empty
    const xs = values(mx.random.randint(-1.5, 2.5, [N], 'int32', { key: key(10) }));
    expect([Math.min(...xs), Math.max(...xs)]).toEqual([-1, 1]);
  }));
});

describe('bernoulli', () => {
  it('is true with probability p', leakFree(() => {
    const xs = values(mx.random.bernoulli(0.3, [N], { key: key(12) }));
    const ones = xs.filter((x) => x === 1).length;
    expect(chiSquare([N - ones, ones], [0.7, 0.3])).toBeLessThan(chiSquareCritical(1));
  }));

  it('broadcasts p against the shape, or takes its shape', leakFree(() => {
    const t = mx.random.bernoulli(mx.array([0.1, 0.5, 0.9]), [N, 3], { key: key(13) });
    expect([t.shape, t.dtype]).toEqual([[N, 3], 'bool']);
    const xs = values(t);
    [0.1, 0.5, 0.9].forEach((p, j) => {
      const ones = xs.filter((x, i) => i % 3 === j && x === 1).length;
      expect(chiSquare([N - ones, ones], [1 - p, p])).toBeLessThan(chiSquareCritical(1));
    });
    expect(mx.random.bernoulli(mx.zeros([2, 5])).shape).toEqual([2, 5]);
    expect(mx.random.bernoulli().shape).toEqual([]);
  }));

  it('reads a non-contiguous p by its logical layout', leakFree(() => {
    // transpose([[0, 0, 0], [1, 1, 1]]) is [[0, 1], [0, 1], [0, 1]]: column 0 never, column 1 always.
    const p = mx.transpose(mx.array([[0, 0, 0], [1, 1, 1]]));
    expect(values(mx.random.bernoulli(p, [50, 3, 2], { key: key(14) })).every((x, i) => x === i % 2)).toBe(true);
  }));

  it('p <= 0 (and NaN) is always false, p >= 1 always true', leakFree(() => {
    expect(values(mx.random.bernoulli(mx.array([0, -1, NaN, 1, 2]), [200, 5], { key: key(14) }))
      .every((x, i) => x === ([0, 0, 0, 1, 1][i % 5]))).toBe(true);
  }));
});

describe('categorical', () => {
  const logits = [0, 1, 2, -1];
  const probs = (() => {
    const e = logits.map(Math.exp);
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  })();

  it('draws with probability softmax(logits) (chi-square)', leakFree(() => {
    const t = mx.random.categorical(mx.array(logits), -1, undefined, N, { key: key(15) });
    expect([t.shape, t.dtype]).toEqual([[N], 'uint32']);
    expect(chiSquare(countsOf(values(t), 4), probs)).toBeLessThan(chiSquareCritical(3));
  }));

  it('takes shape, axis and batches; never draws a -Infinity category', leakFree(() => {
    const t = mx.random.categorical(mx.array([logits]), -1, [N, 1], undefined, { key: key(16) });
    expect(t.shape).toEqual([N, 1]);
    expect(chiSquare(countsOf(values(t), 4), probs)).toBeLessThan(chiSquareCritical(3));
    // axis 0: categories down the columns, one draw per column.
    const byColumn = mx.random.categorical(mx.array([[0, -Infinity], [-Infinity, 0], [-Infinity, -Infinity]]), 0, undefined, 50, { key: key(17) });
    expect(byColumn.shape).toEqual([2, 50]);
    const xs = values(byColumn);
    expect(xs.slice(0, 50).every((x) => x === 0)).toBe(true);
    expect(xs.slice(50).every((x) => x === 1)).toBe(true);
    expect(mx.random.categorical(mx.zeros([3, 5])).shape).toEqual([3]);
    expect(mx.random.categorical(mx.zeros([3, 5]), -1, undefined, 0).shape).toEqual([3, 0]);
    expect(mx.random.categorical(mx.zeros([0, 5])).shape).toEqual([0]);
    expect(mx.random.categorical(mx.zeros([3, 5]), -1, [0, 3]).toArray()).toEqual([]);
  }));
});

describe('truncatedNormal', () => {
  it('stays in [lower, upper] and follows the truncated normal CDF (KS)', leakFree(() => {
    const [a, b] = [-0.5, 2];
    const xs = values(mx.random.truncatedNormal(a, b, [N], 'float32', { key: key(18) }));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(a);
    expect(Math.max(...xs)).toBeLessThanOrEqual(b);
    const za = normalCdf(a);
    const zb = normalCdf(b);
    expect(ksStatistic(xs, (x) => (normalCdf(x) - za) / (zb - za))).toBeLessThan(ksCritical(N));
  }));

  it('takes its shape from broadcast bounds, and bounds per element', leakFree(() => {
    const t = mx.random.truncatedNormal(mx.array([[-1], [0], [3]]), mx.array([-0.5, 1]), undefined, 'float32', { key: key(19) });
    expect(t.shape).toEqual([3, 2]);
    const lower = [-1, -1, 0, 0, 3, 3];
    const upper = [-0.5, 1, -0.5, 1, -0.5, 1];
    values(t).forEach((v, i) => {
      if (lower[i] <= upper[i]) {
        expect(v).toBeGreaterThanOrEqual(lower[i]);
        expect(v).toBeLessThanOrEqual(upper[i]);
      } else {
        expect(Number.isFinite(v)).toBe(true); // an empty interval: MLX returns a bound, not an error
      }
    });
    expect(mx.random.truncatedNormal(-1, 1, [2, 3], 'bfloat16').dtype).toBe('bfloat16');
  }));
});

describe('gumbel and laplace', () => {
  it('gumbel follows exp(-exp(-x)) (KS, moments)', leakFree(() => {
    const xs = values(mx.random.gumbel([N], 'float32', { key: key(20) }));
    expect(ksStatistic(xs, gumbelCdf)).toBeLessThan(ksCritical(N));
    // mean: Euler-Mascheroni; variance pi^2/6; fourth central moment 3.4 * (pi^2/6)^2 (excess kurtosis 12/5).
    expectMoments(xs, 0.5772156649, Math.PI ** 2 / 6, 5.4 * (Math.PI ** 2 / 6) ** 2);
  }));

  it('laplace follows its CDF with loc and scale (KS, moments)', leakFree(() => {
    const xs = values(mx.random.laplace([N], 'float32', 1.5, 0.5, { key: key(21) }));
    expect(ksStatistic(xs, laplaceCdf(1.5, 0.5))).toBeLessThan(ksCritical(N));
    // variance 2 s^2, fourth central moment 24 s^4.
    expectMoments(xs, 1.5, 2 * 0.25, 24 * 0.0625);
  }));
});

describe('permutation', () => {
  it('of a count is a permutation of arange', leakFree(() => {
    const xs = values(mx.random.permutation(1000, 0, { key: key(22) }));
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(mx.random.permutation(0).shape).toEqual([0]);
  }));

  it('of a tensor moves whole slices along the axis', leakFree(() => {
    const x = mx.reshape(mx.arange(24), [4, 6]);
    const rows = mx.random.permutation(x, 0, { key: key(23) }).toArray() as number[][];
    expect(rows.map((r) => r[0]).sort((a, b) => a - b)).toEqual([0, 6, 12, 18]);
    rows.forEach((r) => expect(r).toEqual(Array.from({ length: 6 }, (_, j) => r[0] + j)));
    const cols = mx.random.permutation(x, -1, { key: key(23) }).toArray() as number[][];
    expect([...cols[0]].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    cols.forEach((r, i) => expect(r).toEqual(cols[0].map((c) => c + 6 * i)));
    const empty = mx.random.permutation(mx.zeros([3, 0]), 1);
    expect(empty.shape).toEqual([3, 0]);
    // A non-contiguous input (a transpose): its rows [0, 3], [1, 4], [2, 5] move whole.
    const t = mx.random.permutation(mx.transpose(mx.reshape(mx.arange(6), [2, 3])), 0, { key: key(23) }).toArray() as number[][];
    expect(t.map((r) => r.join()).sort()).toEqual(['0,3', '1,4', '2,5']);
  }));

  it('makes every ordering of three equally likely (chi-square over 6 orderings)', leakFree(() => {
    const draws = 1200;
    const keys = mx.random.split(key(24), draws);
    const orders = ['012', '021', '102', '120', '201', '210'];
    const counts = new Array(6).fill(0);
    for (const k of keys) counts[orders.indexOf(values(mx.random.permutation(3, 0, { key: k })).join(''))]++;
    expect(chiSquare(counts, new Array(6).fill(1 / 6))).toBeLessThan(chiSquareCritical(5));
  }));
});

describe('multivariateNormal', () => {
  it('has sample mean and covariance close to mean and cov', leakFree(() => {
    const mu = [1, -2];
    const cov = [[2, 0.8], [0.8, 1]];
    const t = mx.random.multivariateNormal(mx.array(mu), mx.array(cov), [N], 'float32', { key: key(25) });
    expect([t.shape, t.dtype]).toEqual([[N, 2], 'float32']);
    const xs = values(t);
    const col = (j: number) => xs.filter((_, i) => i % 2 === j);
    const [a, b] = [col(0), col(1)];
    const [ma, mb] = [mean(a), mean(b)];
    expect(Math.abs(ma - mu[0])).toBeLessThan(6 * Math.sqrt(cov[0][0] / N));
    expect(Math.abs(mb - mu[1])).toBeLessThan(6 * Math.sqrt(cov[1][1] / N));
    const sample = (u: number[], mu_: number, v: number[], mv: number) => u.reduce((acc, x, i) => acc + (x - mu_) * (v[i] - mv), 0) / (N - 1);
    // Standard error of a sample covariance entry of a normal: sqrt((s_ii s_jj + s_ij^2) / n).
    const se = (i: number, j: number) => Math.sqrt((cov[i][i] * cov[j][j] + cov[i][j] ** 2) / N);
    expect(Math.abs(sample(a, ma, a, ma) - cov[0][0])).toBeLessThan(6 * se(0, 0));
    expect(Math.abs(sample(a, ma, b, mb) - cov[0][1])).toBeLessThan(6 * se(0, 1));
    expect(Math.abs(sample(b, mb, b, mb) - cov[1][1])).toBeLessThan(6 * se(1, 1));
  }));

  it('broadcasts batched means; zero covariance gives the mean; empty n', leakFree(() => {
    const t = mx.random.multivariateNormal(mx.array([[0, 0], [100, 100], [-100, 0]]), mx.eye(2), [], 'float32', { key: key(26) });
    expect(t.shape).toEqual([3, 2]);
    const xs = values(t);
    [0, 0, 100, 100, -100, 0].forEach((m, i) => expect(Math.abs(xs[i] - m)).toBeLessThan(6));
    expect(values(mx.random.multivariateNormal(mx.array([3, 4]), mx.zeros([2, 2]), [5]))).toEqual([3, 4, 3, 4, 3, 4, 3, 4, 3, 4]);
    expect(mx.random.multivariateNormal(mx.zeros([0]), mx.zeros([0, 0]), [3]).shape).toEqual([3, 0]);
  }));
});

describe('bits', () => {
  it('gives uint8/uint16/uint32 by width with every bit fair', leakFree(() => {
    expect(mx.random.bits([3], 1).dtype).toBe('uint8');
    expect(mx.random.bits([3], 2).dtype).toBe('uint16');
    expect(mx.random.bits([3]).dtype).toBe('uint32');
    const bytes = values(mx.random.bits([N], 1, { key: key(27) }));
    for (let bit = 0; bit < 8; bit++) {
      const ones = bytes.filter((b) => (b >> bit) & 1).length;
      expect(chiSquare([N - ones, ones], [0.5, 0.5])).toBeLessThan(chiSquareCritical(1));
    }
  }));
});

// ---- threads ------------------------------------------------------------------------------------

/** Draws from a worker thread's default key sequence, after seeding it when `seed` is given. */
function workerDraw(seed?: number): Promise<number[]> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    import('@mlxts/core').then((mx) => {
      if (workerData.seed !== undefined) mx.random.seed(workerData.seed);
      parentPort.postMessage(mx.random.uniform(0, 1, [4]).toArray());
    });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { seed } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('the default key sequence per thread', () => {
  it('each worker has its own sequence; seeding one thread does not move another', async () => {
    const draw = () => mx.tidy(() => values(mx.random.uniform(0, 1, [4])));
    mx.random.seed(99);
    const main = draw();
    const [seeded, seededAgain] = await Promise.all([workerDraw(99), workerDraw(99)]);
    // A worker seeded like the main thread draws what the main thread drew first.
    expect(seeded).toEqual(seededAgain);
    seeded.forEach((v, i) => expect(v).toBeCloseTo(main[i], 6));
    // MLX starts every thread's sequence from one time-based seed per process: unseeded workers agree.
    const [a, b] = await Promise.all([workerDraw(), workerDraw()]);
    expect(a).toEqual(b);
    // The workers' draws did not advance the main thread's sequence.
    const mainNext = draw();
    mx.random.seed(99);
    draw();
    expect(draw()).toEqual(mainNext);
  });
});
