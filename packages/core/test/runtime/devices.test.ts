// Devices, streams, the per-op stream/device option, and memory control.
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';

const hasGpu = mx.buildInfo().backend === 'gpu';

describe('devices', () => {
  it('reports the default device and availability', () => {
    expect(mx.defaultDevice()).toBe(hasGpu ? 'gpu' : 'cpu');
    expect(mx.isAvailable('cpu')).toBe(true);
    expect(mx.isAvailable('gpu')).toBe(hasGpu);
    expect(() => mx.isAvailable('tpu' as never)).toThrow(/isAvailable: device must be 'cpu' or 'gpu'/);
  });

  it.skipIf(hasGpu)('refuses a GPU default or GPU stream on a CPU-only build', () => {
    expect(() => mx.setDefaultDevice('gpu')).toThrow(/not available/);
    expect(() => mx.add(1, 2, { stream: 'gpu' })).toThrow(/'gpu' is not available/);
    expect(() => mx.newStream('gpu')).toThrow(/not available/);
  });

  it('withDevice restores the default after sync and async functions, and after a throw', async () => {
    const before = mx.defaultDevice();
    expect(mx.withDevice('cpu', () => mx.defaultDevice())).toBe('cpu');
    expect(await mx.withDevice('cpu', async () => mx.defaultDevice())).toBe('cpu');
    expect(() =>
      mx.withDevice('cpu', () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(mx.defaultDevice()).toBe(before);
    {
      using _scope = mx.deviceScope('cpu');
      expect(mx.defaultDevice()).toBe('cpu');
    }
    expect(mx.defaultDevice()).toBe(before);
  });
});

describe('streams', () => {
  it('ops accept a device, a device alias or a new stream, with the same results', async () =>
    withoutLeaks(() => {
      const s = mx.newStream('cpu');
      expect(s).toEqual({ device: 'cpu', index: expect.any(Number) });
      expect(mx.defaultStream('cpu').device).toBe('cpu');
      const x = mx.arange(10);
      const expected = mx.sum(mx.multiply(x, x)).item();
      expect(mx.sum(mx.multiply(x, x, { stream: s }), undefined, undefined, { stream: s }).item()).toBe(expected);
      expect(mx.sum(mx.multiply(x, x, { device: 'cpu' })).item()).toBe(expected);
      expect(mx.sum(mx.multiply(x, x, { stream: 'cpu' })).item()).toBe(expected);
    }));

  it('a graph spanning two streams evaluates asynchronously', async () => {
    const a = mx.newStream('cpu');
    const b = mx.newStream('cpu');
    const x = mx.matmul(mx.ones([64, 64]), mx.ones([64, 64]), { stream: a });
    const y = mx.add(x, 1, { stream: b });
    await y.eval();
    expect(y.toArray()).toEqual(Array.from({ length: 64 }, () => Array(64).fill(65)));
    await mx.synchronize(a);
    await mx.synchronize('cpu');
    await mx.synchronize();
    for (const t of [x, y]) t.dispose();
  });

  it('rejects streams it did not make', () => {
    expect(() => mx.add(1, 2, { stream: { device: 'cpu', index: 9999 } })).toThrow(/was not made by mx.newStream/);
    expect(() => mx.add(1, 2, { stream: {} as never })).toThrow(TypeError);
  });
});

describe('memory control', () => {
  it('limits return the previous value and take effect', () => {
    const original = mx.memoryLimit();
    expect(mx.setMemoryLimit(1 << 20)).toBe(original);
    expect(() => mx.zeros([1 << 20])).toThrow(/memory limit/);
    expect(mx.setMemoryLimit(original)).toBe(1 << 20);
    const cache = mx.setCacheLimit(0);
    expect(mx.setCacheLimit(cache)).toBe(0);
    expect(() => mx.setCacheLimit(-1)).toThrow(TypeError);
  });

  it('peak, cache and clearCache move as documented', () =>
    withoutLeaks(() => {
      mx.resetPeakMemory();
      const base = mx.memory();
      const big = mx.add(mx.zeros([1 << 20]), 1);
      mx.evalSync(big);
      const during = mx.memory();
      expect(during.activeBytes).toBeGreaterThanOrEqual(base.activeBytes + 4 * (1 << 20));
      expect(during.peakBytes).toBeGreaterThanOrEqual(during.activeBytes);
      big.dispose();
      mx.clearCache();
      expect(mx.memory().cacheBytes).toBe(0);
      expect(mx.memory().activeBytes).toBeLessThan(during.activeBytes);
    }));
});
