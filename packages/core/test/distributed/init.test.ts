// mx.distributed.init and isAvailable in one process (no launcher): a group of one, and the error rule
// for bad options. The multi-process behaviour is in collectives.test.ts and failures.test.ts.
import * as mx from '@mlxts/core';
import { describe, expect, it } from 'vitest';

describe('mx.distributed in a process started alone', () => {
  it('has the ring backend compiled in (the mlx-cpu wheel)', () => {
    expect(mx.distributed.isAvailable()).toBe(true);
    expect(mx.distributed.isAvailable('ring')).toBe(true);
    expect(() => mx.distributed.isAvailable('tcp' as never)).toThrow(new TypeError("distributed.isAvailable: backend must be one of 'any', 'ring', 'mpi', 'nccl', 'jaccl', got 'tcp'"));
  });

  it('init() is a frozen group of one process, in which collectives return their input', () => {
    const group = mx.distributed.init();
    expect([group.rank, group.size]).toEqual([0, 1]);
    expect(Object.isFrozen(group)).toBe(true);
    expect(mx.distributed.allSum(mx.array([1, 2]), { group }).toArray()).toEqual([1, 2]);
    expect(mx.distributed.allGather(mx.array(5)).toArray()).toBe(5);
  });

  it('init({ strict: true }) says what is missing', () => {
    expect(() => mx.distributed.init({ strict: true, backend: 'ring' })).toThrow(/^distributed\.init: \[ring\] You need to provide via environment variables both a rank \(MLX_RANK\) and a hostfile \(MLX_HOSTFILE\)/);
    try {
      mx.distributed.init({ strict: true, backend: 'ring' });
    } catch (error) {
      expect(error).toBeInstanceOf(mx.MlxError);
    }
  });

  it('a group of one cannot be split, and split needs its group', () => {
    const group = mx.distributed.init();
    expect(() => group.split(0)).toThrow('distributed.Group.split: Cannot split the distributed group further.');
    expect(() => group.split(0.5)).toThrow(TypeError);
    const detached = group.split;
    expect(() => detached(0)).toThrow(new TypeError('distributed.Group.split: split must be called on a group, as group.split(color, key)'));
  });

  it.each([
    [{ backend: 'tcp' }, TypeError, "backend must be one of 'any', 'ring', 'mpi', 'nccl', 'jaccl', got 'tcp'"],
    [{ strict: 1 }, TypeError, 'strict must be a boolean, got 1'],
    [{ timeout: '5' }, TypeError, 'timeout must be a number of milliseconds, got 5'],
    [{ timeout: 0 }, RangeError, 'timeout must be a positive number of milliseconds (at most 2^31), got 0'],
    [{ timeout: Number.NaN }, RangeError, 'timeout must be a positive number of milliseconds'],
    [{ timout: 5 }, TypeError, "unknown option 'timout'"],
  ])('init(%j) is a %o', (options, kind, message) => {
    expect(() => mx.distributed.init(options as never)).toThrow(kind);
    expect(() => mx.distributed.init(options as never)).toThrow(`distributed.init: ${message}`);
  });
});
