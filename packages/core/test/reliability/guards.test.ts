// Inputs that crashed the process, hung it, exhausted memory or returned wrong values without an error
// (found by the fuzzer, fuzz/ at the repository root), each with the behaviour it has now.
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';
import { runFixture } from './run-script.js';

describe('reshape and unflatten', () => {
  it('refuses -1 beside a 0 (MLX divides by zero inferring it) and negative entries other than -1', () => {
    expect(() => mx.unflatten(mx.zeros([2, 2]), -1, [-1, 0])).toThrow(RangeError);
    expect(() => mx.unflatten(mx.zeros([0, 2]), 0, [-1, 0])).toThrow('unflatten: cannot infer the -1 entry of shape when another entry is 0');
    // MLX 0.32.4 builds a tensor of shape [-2, -2] from this.
    expect(() => mx.unflatten(mx.zeros([4]), 0, [-2, -2])).toThrow('unflatten: shape entries must be >= 0, or -1 for the one inferred entry, got -2');
    expect(() => mx.reshape(mx.zeros([4]), [-2, -2])).toThrow(RangeError);
    expect(() => mx.reshape(mx.zeros([0]), [-1, 0])).toThrow('reshape: cannot infer the -1 entry');
  });

  it('still infers -1 and unflattens empty axes', () =>
    withoutLeaks(() => {
      expect(mx.unflatten(mx.arange(6), 0, [-1, 3]).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
      expect(mx.unflatten(mx.zeros([0, 2]), 0, [0, 5]).shape).toEqual([0, 5, 2]);
      expect(mx.reshape(mx.arange(6), [3, -1]).toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
    }));
});

describe('reading back large or degenerate tensors', () => {
  it('toArray refuses a nested form of more than 2^24 JS values with an MlxError, before evaluating', () =>
    withoutLeaks(() => {
      // 2^31 - 1 empty arrays, or 2^31 booleans: V8 ended the process on these.
      expect(() => mx.zeros([2147483647, 0]).toArray()).toThrow(mx.MlxError);
      expect(() => mx.zeros([2147483647, 0]).toArray()).toThrow(/toArray: a tensor of shape \[2147483647, 0\] would be 2147483648 nested JS values/);
      expect(() => mx.broadcastTo(mx.zeros([1], 'bool'), [65536, 32768]).toArray()).toThrow(/use toTypedArray\(\) or data\(\)/);
      expect(mx.zeros([2048, 2048]).toArray()).toHaveLength(2048);
    }));

  it('toArray nests without recursion: a tensor of 100,000 axes reads back', () =>
    withoutLeaks(() => {
      let nested = mx.reshape(mx.array([7]), new Array(100_000).fill(1)).toArray();
      let depth = 0;
      let lengths = 0;
      while (Array.isArray(nested)) {
        lengths += nested.length;
        nested = nested[0];
        depth++;
      }
      expect([depth, lengths, nested]).toEqual([100_000, 100_000, 7]);
    }));

  it('toArray keeps empty axes anywhere', () =>
    withoutLeaks(() => {
      expect(mx.zeros([3, 0, 2]).toArray()).toEqual([[], [], []]);
      expect(mx.zeros([2, 3, 0]).toArray()).toEqual([[[], [], []], [[], [], []]]);
      expect(mx.zeros([0, 3]).toArray()).toEqual([]);
      expect(mx.arange(6).reshape([1, 2, 3]).toArray()).toEqual([[[0, 1, 2], [3, 4, 5]]]);
    }));

  it('a JS copy that would take MLX past its memory limit is refused (V8 aborts when it cannot allocate one)', () => {
    const limit = mx.memoryLimit();
    mx.setMemoryLimit(100_000_000);
    try {
      withoutLeaks(() => {
        // A 60 MB view of one element: its contiguous copy fits, a JS copy beside it does not.
        const view = mx.broadcastTo(mx.zeros([1], 'uint8'), [60_000_000]);
        expect(() => view.toTypedArray()).toThrow(/toTypedArray: a JS copy of 60000000 bytes beside MLX's active memory needs/);
        expect(() => view.toBytes()).toThrow(mx.MlxError);
      });
    } finally {
      mx.setMemoryLimit(limit);
    }
  });
});

describe('memory an op needs beyond its result', () => {
  const withLimit = (bytes: number, body: () => void) => {
    const limit = mx.memoryLimit();
    mx.setMemoryLimit(bytes);
    try {
      withoutLeaks(body);
    } finally {
      mx.setMemoryLimit(limit);
    }
  };

  it("random samplers count their float32 working set (MLX draws in float32 whatever the sample's dtype)", () =>
    withLimit(1e9, () => {
      // Measured peaks on MLX 0.32.4: float16 3x the sample, int8 and bool 5x, laplace float16 7x.
      expect(() => mx.random.uniform(0, 1, [300_000_000], 'float16')).toThrow(/random.uniform: a sample of shape \(300000000\) and its float32 working set needs 1.8 GB/);
      expect(() => mx.random.normal([300_000_000], 'bfloat16')).toThrow(mx.MlxError);
      expect(() => mx.random.randint(0, 100, [600_000_000], 'int8')).toThrow(/needs 3.0 GB/);
      expect(() => mx.random.bernoulli(0.5, [600_000_000])).toThrow(/needs 3.0 GB/);
      expect(() => mx.random.laplace([100_000_000], 'float16')).toThrow(/needs 1.4 GB/);
      // A float32 sample reuses MLX's buffers: up to the limit itself is fine (built, not evaluated).
      mx.random.uniform(0, 1, [200_000_000], 'float32').dispose();
    }));

  it('tri with no rows or columns allocates nothing (MLX built aranges of 2^31 - 1 entries: 8.6 GB)', () =>
    withoutLeaks(() => {
      mx.resetPeakMemory();
      const before = mx.memory().peakBytes;
      for (const t of [mx.tri(0, 2 ** 31 - 1), mx.tri(2 ** 31 - 1, 0)]) {
        mx.evalSync(t);
        expect(t.size).toBe(0);
      }
      expect(mx.tri(0, 2 ** 31 - 1).shape).toEqual([0, 2147483647]);
      expect(mx.memory().peakBytes - before).toBeLessThan(1_000_000);
      expect(() => mx.tri(-1)).toThrow(RangeError);
      expect(mx.tri(2, 3, 1, 'int32').toArray()).toEqual([[1, 1, 0], [1, 1, 1]]);
    }));

  it("tri refuses a working set past the limit: MLX's aranges of n and m and its bool mask come before the result", () =>
    withLimit(1e9, () => {
      // A 1 GB bool result needed 4 GB for the arange of 1e9 rows (seed 20261205).
      expect(() => mx.tri(1_000_000_000, 1, undefined, 'bool')).toThrow(/tri: tri of 1000000000 x 1 and its working set needs 5.0 GB/);
      expect(() => mx.tri(2 ** 31 - 1, undefined, -2)).toThrow(mx.MlxError);
      expect(mx.tri(3, 2, -1, 'bool').toArray()).toEqual([[false, false], [true, false], [true, true]]);
    }));

  it('linspace refuses a float32 working set past the limit, whatever the dtype', () =>
    withLimit(1e9, () => {
      // 1e9 int8 values (1 GB) were computed through 4 GB float32 intermediates (seed 20261205).
      expect(() => mx.linspace(0, 9, 1_000_000_000, true, 'int8')).toThrow(/linspace: linspace of 1000000000 values and its float32 working set needs 13.0 GB/);
      expect(() => mx.linspace(0, 1, 100_000_000, true, 'bool')).toThrow(mx.MlxError);
      expect(mx.linspace(0, 6, 4, true, 'int8').toArray()).toEqual([0, 2, 4, 6]);
      expect(mx.linspace(0, 1, 50_000_000).shape).toEqual([50_000_000]);
    }));

  it('meshgrid refuses so many inputs that the n^2 axes of its outputs cannot fit', () =>
    withLimit(1e9, () => {
      const scalars = Array.from({ length: 20_000 }, () => 1);
      expect(() => mx.meshgrid(...scalars)).toThrow(/meshgrid: the shapes of 20000 grids of 20000 axes needs 4.8 GB/);
      expect(mx.meshgrid(mx.array([1, 2]), mx.array([3])).map((t) => t.toArray())).toEqual([[[1, 2]], [[3, 3]]]);
    }));

  it('a synchronous loop of undisposed tensors stops with an MlxError at the memory limit instead of growing without bound', async () => {
    const out = await runFixture('sync-loop-pressure.mjs');
    expect(out.ending, out.stderr).toBe('exit 0');
    const result = JSON.parse(out.stdout) as { error: string; rssMb: number; activeMb: number };
    expect(result.error).toMatch(/^MlxError: (zeros|add): MLX's active memory \(\d+ bytes, \d+ live tensors\) is past its memory limit \(300000000 bytes\): dispose tensors/);
    expect(result.activeMb).toBeLessThan(310);
    expect(result.rssMb).toBeLessThan(700);
  });
});

describe('ops whose result is at_least_float(a) compute in that dtype', () => {
  // MLX 0.32.4 (and MLX Python) computed these in the integer input dtype: the sums wrapped, logsumexp
  // over a non-last axis overflowed to Infinity, softmax over a non-last axis gave integer zeros.
  const lse = (xs: number[]) => Math.max(...xs) + Math.log(xs.reduce((s, x) => s + Math.exp(x - Math.max(...xs)), 0));
  const columns = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));
  const close = (actual: unknown, expected: number[] | number, rtol = 1e-6) => {
    const a = [actual].flat(2) as number[];
    const e = [expected].flat(2);
    expect(a).toHaveLength(e.length);
    a.forEach((v, i) => expect(Math.abs(v - e[i])).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(e[i]))));
  };
  const integerDtypes = ['uint8', 'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32', 'int64'] as const;

  it('mean, variance and std of large integers do not wrap', () =>
    withoutLeaks(() => {
      for (const dtype of ['int32', 'uint32', 'int64', 'uint64'] as const) {
        // Their sum, 2^32, wrapped to 0 in int32; every value here is exact in float32.
        const big = mx.array([2 ** 30 - 1024, 2 ** 30 + 1024, 2 ** 30 - 1024, 2 ** 30 + 1024], dtype);
        expect([mx.mean(big).dtype, mx.variance(big).dtype, mx.std(big).dtype]).toEqual(['float32', 'float32', 'float32']);
        expect([mx.mean(big).item(), mx.variance(big).item(), mx.std(big).item()]).toEqual([2 ** 30, 1024 ** 2, 1024]);
      }
      close(mx.mean(mx.array([2 ** 30, 2 ** 30], 'int32'), 0).item(), 2 ** 30);
    }));

  it('logsumexp and softmax of integer and bool input over any axis', () =>
    withoutLeaks(() => {
      const m = [[1, 2], [3, 4]];
      for (const dtype of integerDtypes) {
        const t = mx.array(m, dtype);
        close(mx.logsumexp(t, 0).toArray(), columns(m).map(lse));
        close(mx.logsumexp(t, 1).toArray(), m.map(lse));
        close(mx.logsumexp(t).item(), lse(m.flat()));
        const soft = mx.softmax(t, 0);
        expect(soft.dtype).toBe('float32');
        close(soft.toArray(), m.map((row, i) => row.map((x, j) => Math.exp(x - lse(columns(m)[j])))).flat());
      }
      const b = mx.array([[true, false], [true, true]]);
      close(mx.logsumexp(b, 0).toArray(), [lse([1, 1]), lse([0, 1])]);
      close(mx.softmax(b, 0).toArray(), [0.5, 1 / (1 + Math.E), 0.5, Math.E / (1 + Math.E)]);
      // A large int32 over all axes: float32 result, no overflow.
      close(mx.logsumexp(mx.array([2 ** 30, 2 ** 30], 'int32')).item(), 2 ** 30);
    }));

  it('logcumsumexp and median keep working on integers; floating inputs keep their dtype', () =>
    withoutLeaks(() => {
      close(mx.logcumsumexp(mx.array([[1, 2], [3, 4]], 'uint8'), 0).toArray(), [1, 2, lse([1, 3]), lse([2, 4])]);
      expect(mx.median(mx.array([1, 4], 'int16')).item()).toBe(2.5);
      for (const dtype of ['float16', 'bfloat16', 'float32', 'float64'] as const) {
        expect([mx.mean(mx.ones([2], dtype)).dtype, mx.softmax(mx.ones([2], dtype)).dtype]).toEqual([dtype, dtype]);
      }
    }));
});

describe('sign', () => {
  it('of NaN is NaN in every floating dtype, as in NumPy (MLX gives 0)', () =>
    withoutLeaks(() => {
      for (const dtype of ['float16', 'bfloat16', 'float32', 'float64'] as const) {
        expect(mx.sign(mx.array([NaN, -2, -0, 0, 3, -Infinity], dtype)).astype('float32').toArray()).toEqual([NaN, -1, 0, 0, 1, -1]);
      }
      expect(mx.sign(mx.array([-3, 0, 5], 'int8')).toArray()).toEqual([-1, 0, 1]);
    }));
});

describe('depends', () => {
  it('of no inputs gives no outputs (MLX 0.32.4 read inputs[0] and crashed with SIGSEGV)', () =>
    withoutLeaks(() => {
      expect(mx.depends([], [])).toEqual([]);
      expect(mx.depends([], [mx.ones([2])])).toEqual([]);
      const [a] = mx.depends([mx.array([1, 2])], []);
      expect(a.toArray()).toEqual([1, 2]);
    }));
});

describe('checkpoint', () => {
  it('refuses a function returning no tensors (MLX 0.32.4 read its first output and crashed with SIGSEGV)', () =>
    withoutLeaks(() => {
      expect(() => mx.checkpoint((_: mx.Tensor) => [])(mx.ones([2]))).toThrow(TypeError);
      expect(() => mx.checkpoint((x: mx.Tensor[]) => x)([])).toThrow("checkpoint: the function's result must hold at least one tensor");
      expect(mx.checkpoint((x: mx.Tensor) => mx.multiply(x, 2))(mx.array([1, 2])).toArray()).toEqual([2, 4]);
    }));
});

describe('tril, triu and split of empty tensors with huge axes', () => {
  it('tril and triu return an empty matrix as it is (MLX built a mask of its row and column counts: 4 GB for [2^30, 0])', () =>
    withoutLeaks(() => {
      for (const shape of [[2 ** 30, 0], [0, 2 ** 31 - 1], [0, 65536, 65536]]) {
        expect(mx.tril(mx.zeros(shape), 1).shape).toEqual(shape);
        expect(mx.triu(mx.zeros(shape, 'float16'), -3).toTypedArray()).toHaveLength(0);
      }
      expect(mx.tril(mx.ones([2, 2])).toArray()).toEqual([[1, 0], [1, 1]]);
      expect(() => mx.tril(mx.zeros([0]))).toThrow(mx.MlxError);
    }));

  it('split refuses more than 2^20 sections (each is a tensor; 2^31 - 1 empty parts exhausted memory)', () =>
    withoutLeaks(() => {
      expect(() => mx.split(mx.zeros([0, 0]), 2 ** 31 - 1, 1)).toThrow(RangeError);
      expect(() => mx.split(mx.zeros([0]), 2 ** 20 + 1)).toThrow('split: indicesOrSections must be at most 1048576 sections, got 1048577');
      expect(mx.split(mx.zeros([0]), 3)).toHaveLength(3);
      expect(mx.split(mx.arange(6), 3).map((t) => t.toArray())).toEqual([[0, 1], [2, 3], [4, 5]]);
    }));
});

describe('a row per tensor, for huge empty tensors', () => {
  it('iteration refuses more than 2^20 rows, as unstack does (2^31 - 1 empty rows made 2^31 - 1 tensors: a hang)', () =>
    withoutLeaks(() => {
      const huge = mx.zeros([2 ** 31 - 1, 0], 'int32');
      expect(() => [...huge]).toThrow(mx.MlxError);
      expect(() => [...huge]).toThrow('iterate: the tensor has 2147483647 rows, more than the 1048576 tensors iteration makes (use take or slice to read rows)');
      expect(() => mx.treeUnflatten(huge as never)).toThrow(TypeError);
      expect([...mx.arange(6).reshape([3, 2])].map((t) => t.toArray())).toEqual([[0, 1], [2, 3], [4, 5]]);
      expect(() => [...mx.zeros([2 ** 20 + 1, 0])]).toThrow(/has 1048577 rows/);
      expect([...mx.zeros([1000, 0])]).toHaveLength(1000);
    }));

  it('random.permutation of an empty tensor returns it without sorting keys for every row (minutes and 8 GB for [2^30, 0])', () =>
    withoutLeaks(() => {
      const out = mx.random.permutation(mx.zeros([2 ** 30 - 1, 0], 'int32'));
      expect([out.shape, out.dtype, out.toTypedArray().length]).toEqual([[2 ** 30 - 1, 0], 'int32', 0]);
      const rows = mx.random.permutation(mx.arange(8).reshape([4, 2]), 0, { key: mx.random.key(3) }).toArray() as number[][];
      expect(rows.map((r) => r[0]).sort()).toEqual([0, 2, 4, 6]);
      expect(rows.every(([a, b]) => b === a + 1)).toBe(true);
    }));
});
