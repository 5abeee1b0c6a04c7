// nn.averageGradients: on 2 local ranks (mlxts-launch) against means computed here; in one process it
// returns the tree as it is.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';
import { describe, expect, it } from 'vitest';
import { batchesBySize } from '../src/distributed.js';

const launcher = fileURLToPath(new URL('../../core/dist/launch/main.js', import.meta.url));

describe('averageGradients', () => {
  it('averages every leaf over 2 ranks, whatever the batching of the transfers', () => {
    const run = spawnSync(process.execPath, [launcher, '-n', '2', fileURLToPath(new URL('./ranks/average.mjs', import.meta.url))], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGTERM' });
    expect(run.status, run.stderr).toBe(0);
    // Rank r's leaves are given in ranks/average.mjs; the mean over r = 0, 1:
    const expected = {
      layers: [{ weight: ['float32', [2, 2], [[0.5, 1], [3, 4.5]]], bias: ['float32', [1], [5]] }, { weight: ['float32', [3], [1.5, 1.5, 1.5]] }],
      scale: ['float32', [], 2],
    };
    for (const rank of [0, 1]) {
      const results = JSON.parse(run.stdout.match(new RegExp(`^\\[${rank}\\] RESULT (.*)$`, 'm'))![1]!);
      expect(results.default).toEqual(expected);
      expect(results.oneByOne).toEqual(expected);
      expect(results.batchesOf8Bytes).toEqual(expected);
      expect(results.mixed).toEqual({ a: ['float16', [1], [0.5]], b: ['float32', [1], [1]] });
    }
  });

  it('returns the same tree in a group of one process', () => {
    const grads = { w: mx.array([1, 2]), nested: [mx.array(3)] };
    expect(nn.averageGradients(grads)).toBe(grads);
    for (const [, t] of mx.treeFlatten(grads)) (t as mx.Tensor).dispose();
  });

  it('refuses what is not a gradient tree or options', () => {
    expect(() => nn.averageGradients({ w: [1, 2] })).toThrow(new TypeError("averageGradients: every leaf of gradients must be a Tensor, but 'w.0' is number"));
    expect(() => nn.averageGradients({}, { size: 1 } as never)).toThrow(TypeError);
    expect(() => nn.averageGradients({}, { allReduceSize: '1' as never })).toThrow('allReduceSize must be a number of bytes');
    expect(() => nn.averageGradients({}, { group: {} as never })).toThrow('averageGradients: group must be a group from mx.distributed.init()');
  });

  it('batches consecutive gradients until they reach the byte limit', () => {
    expect(batchesBySize([4, 4, 4, 16, 4], 8)).toEqual([[0, 1], [2, 3], [4]]);
    expect(batchesBySize([100], 8)).toEqual([[0]]);
    expect(batchesBySize([], 8)).toEqual([]);
  });
});
