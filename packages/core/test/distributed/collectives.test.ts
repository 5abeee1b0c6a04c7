// Every collective on 2 and 3 local ranks (the ring backend over loopback), for every dtype in
// ranks/inputs.mjs, against results computed here in plain JS from the same inputs.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module shared with the rank scripts
import { DTYPES, REDUCE_CASES, elementCount, inputValues, message } from './ranks/inputs.mjs';
import { rankResults, runLauncher } from './launch-ranks.js';

type Out = [string, number[], unknown];
interface RankResult {
  rank: number;
  size: number;
  reduce: { dtype: string; shape: number[]; out: { allSum: Out; allMax: Out; allMin: Out } }[];
  allGather: { dtype: string; shape: number[]; out: Out }[];
  /** What this rank sent to its right-hand neighbour, and received from its left (rank 0 with recvLike). */
  send: number[];
  recv?: number[];
  recvLike?: number[];
  split: string;
  sumScatter: string;
  after: number;
}

type Value = number | boolean;
const inputs = (size: number, shape: number[], dtype: string): Value[][] =>
  Array.from({ length: size }, (_, r) => inputValues(r, shape, dtype) as Value[]);

/** Flat values into nested lists of `shape` (a 0-d shape gives the value itself), like toArray. */
function nest(flat: Value[], shape: number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [n, ...rest] = shape;
  const step = elementCount(rest) as number;
  return Array.from({ length: n! }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), rest));
}

// bool reduces as logical or (sum, max) and and (min), as MLX's ring does with C++ bool arithmetic.
const combine = {
  sum: (a: Value, b: Value) => (typeof a === 'boolean' ? a || (b as boolean) : a + (b as number)),
  max: (a: Value, b: Value) => (typeof a === 'boolean' ? a || (b as boolean) : Math.max(a, b as number)),
  min: (a: Value, b: Value) => (typeof a === 'boolean' ? a && (b as boolean) : Math.min(a, b as number)),
};

function expectedReduce(op: keyof typeof combine, size: number, shape: number[], dtype: string): unknown {
  const all = inputs(size, shape, dtype);
  return nest(all[0]!.map((_, i) => all.map((values) => values[i]!).reduce(combine[op])), shape);
}

function expectedGather(size: number, shape: number[], dtype: string): unknown {
  const flat = inputs(size, shape, dtype).flat();
  return shape.length === 0 ? flat : nest(flat, [shape[0]! * size, ...shape.slice(1)]);
}

describe('collectives', () => {
  describe.each([2, 3])('collectives on %i local ranks', (size) => {
    it('allSum, allMax, allMin, allGather, send/recv and the ring limits give the computed results', async () => {
      const run = await runLauncher(['-n', String(size), 'collectives.mjs']);
      expect(run.timedOut, run.stderr).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      const results = rankResults<RankResult>(run.stdout);
      expect([...results.keys()].sort()).toEqual(Array.from({ length: size }, (_, r) => r));
      for (const [rank, result] of results) {
        expect(result.size).toBe(size);
        expect(result.reduce).toHaveLength(REDUCE_CASES.length);
        expect(result.allGather).toHaveLength(DTYPES.length * 2);
        for (const { dtype, shape, out } of result.reduce) {
          const checks = [['sum', out.allSum], ['max', out.allMax], ['min', out.allMin]] as const;
          for (const [op, [gotDtype, gotShape, values]] of checks) {
            expect([gotDtype, gotShape], `${op} ${dtype} [${shape}] on rank ${rank}`).toEqual([dtype, shape]);
            expect(values, `${op} ${dtype} [${shape}] on rank ${rank}`).toEqual(expectedReduce(op, size, shape, dtype));
          }
        }
        for (const { dtype, shape, out } of result.allGather) {
          const gatheredShape = shape.length === 0 ? [size] : [shape[0]! * size, ...shape.slice(1)];
          expect(out, `allGather ${dtype} [${shape}] on rank ${rank}`).toEqual([dtype, gatheredShape, expectedGather(size, shape, dtype)]);
        }
        const left = (rank + size - 1) % size;
        const received = rank === 0 ? result.recvLike : result.recv;
        expect(received).toEqual(message(left));
        expect(received).toEqual(results.get(left)!.send);
        expect(result.split).toBe('MlxError: distributed.Group.split: [ring] Group split not supported.');
        expect(result.sumScatter).toMatch(/^MlxError: .*\[ring\] sum_scatter not supported/);
        expect(result.after).toBe(size);
      }
    });
  });
});
