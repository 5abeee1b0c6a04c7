// The tensor-parallel layers on 2 local ranks (mlxts-launch), against the unsharded layers computed in
// each rank (ranks/sharded.mjs), and their checks in one process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';
import { describe, expect, it } from 'vitest';

const launcher = fileURLToPath(new URL('../../core/dist/launch/main.js', import.meta.url));

interface Case {
  shape: number[];
  maxDiff: number;
}

describe('sharded linear layers on 2 ranks', () => {
  it('compute what the unsharded layers compute', () => {
    const run = spawnSync(process.execPath, [launcher, '-n', '2', fileURLToPath(new URL('./ranks/sharded.mjs', import.meta.url))], { encoding: 'utf8', timeout: 90_000, killSignal: 'SIGTERM' });
    const resultOf = (rank: number) => JSON.parse(run.stdout.match(new RegExp(`^\\[${rank}\\] RESULT (.*)$`, 'm'))![1]!) as Record<string, Case> & { errors: Record<string, string | null>; size: number };
    expect(run.status, run.stderr).toBe(0);
    for (const rank of [0, 1]) {
      const r = resultOf(rank);
      expect(r.size).toBe(2);
      // Shapes: this rank's slice of the output features (even: 96 of 192; uneven [2, 1]: 128 or 64).
      expect(r['even.allToSharded'].shape).toEqual([3, 96]);
      expect(r['uneven.allToSharded'].shape).toEqual([3, rank === 0 ? 128 : 64]);
      for (const label of ['even', 'uneven']) {
        expect(r[`${label}.classes` as never]).toEqual(['AllToShardedLinear', 'ShardedToAllLinear']);
        expect(r[`${label}.quantizedClasses` as never]).toEqual(['QuantizedAllToShardedLinear', 'QuantizedShardedToAllLinear']);
        expect(r[`${label}.shardedToAll`].shape).toEqual([3, 64]);
        for (const name of ['allToSharded', 'shardedToAll', 'pair', 'inputGradient', 'quantizedPair']) {
          // float32 sums in another order: a few ulps of values of order 1 (the gradient is of order 10).
          expect(r[`${label}.${name}`].maxDiff, `${label}.${name} on rank ${rank}`).toBeLessThan(name === 'inputGradient' ? 1e-4 : 1e-5);
        }
      }
      expect(r['segments.allToSharded']).toEqual({ shape: [3, 48], maxDiff: 0 });
      expect(r.shardInplace).toEqual({ shape: [3, 48], maxDiff: 0 });
      expect(r.errors).toEqual({
        indivisible: 'RangeError: AllToShardedLinear: cannot shard outputDims 5 across 2 ranks with shares [1, 1]',
        quantizedGroups: `RangeError: QuantizedShardedToAllLinear: the ${rank === 0 ? 32 : 96} input features of this rank's shard are not a whole number of quantization groups of 64`,
        shares: 'RangeError: AllToShardedLinear: shares must give one share per rank (2), got 1',
        sharding: "TypeError: shardLinear: sharding must be 'all-to-sharded' or 'sharded-to-all', got all-to-all",
      });
    }
  }, 120_000);
});

describe('sharded linear layers in one process', () => {
  it('are the unsharded layer in a group of one', () => {
    const linear = new nn.Linear(8, 4);
    const x = mx.random.normal([2, 8]);
    for (const sharding of ['all-to-sharded', 'sharded-to-all'] as const) {
      const sharded = nn.shardLinear(linear, sharding);
      expect(sharded.forward(x).toArray()).toEqual(linear.forward(x).toArray());
    }
    const q = nn.QuantizedLinear.fromLinear(new nn.Linear(64, 4), { groupSize: 32 });
    const qs = nn.shardLinear(q, 'sharded-to-all');
    expect(qs.forward(mx.ones([1, 64])).toArray()).toEqual(q.forward(mx.ones([1, 64])).toArray());
    expect(qs.trainableParameters()).toEqual({});
    expect(String(qs)).toContain('inputDims=64, outputDims=4, bias=true, rank=0 of 1, groupSize=32, bits=4, mode=affine');
  });

  it('keep the group out of the parameters', () => {
    const layer = new nn.AllToShardedLinear(4, 6, { bias: false });
    expect(Object.keys(layer.parameters())).toEqual(['weight']);
    expect(layer.weight.shape).toEqual([6, 4]);
  });

  it('refuse bad arguments with clear errors', () => {
    const linear = new nn.Linear(4, 4);
    expect(() => nn.shardLinear({} as never, 'all-to-sharded')).toThrow(new TypeError('shardLinear: layer must be a Linear or QuantizedLinear, got object'));
    expect(() => nn.AllToShardedLinear.fromLinear({} as never)).toThrow(new TypeError('AllToShardedLinear.fromLinear: the layer must be a Linear'));
    expect(() => nn.QuantizedShardedToAllLinear.fromQuantizedLinear(linear as never)).toThrow(/fromQuantizedLinear: the layer must be a QuantizedLinear/);
    expect(() => nn.shardLinear(linear, 'all-to-sharded', { shares: [0] })).toThrow(new RangeError('AllToShardedLinear: every share must be positive and finite, got [0]'));
    expect(() => nn.shardLinear(linear, 'all-to-sharded', { shares: ['1'] as never })).toThrow(TypeError);
    expect(() => nn.shardLinear(linear, 'all-to-sharded', { sizes: [1] } as never)).toThrow(TypeError);
    expect(() => nn.shardLinear(linear, 'all-to-sharded', { segments: 3 })).toThrow('an axis of size 4 cannot be split into 3 equal segments');
    expect(() => nn.shardInplace(linear, () => 5)).toThrow("shardInplace: cannot shard 'weight' (2 axes) along axis 5");
    expect(() => nn.shardInplace(linear, (() => 'x') as never)).toThrow(TypeError);
    expect(() => new nn.ShardedToAllLinear(4, 4, { group: 3 as never })).toThrow(new TypeError('ShardedToAllLinear: group must be a group from mx.distributed.init()'));
  });
});
