// Tensor lifetime: dispose, `using`, tidy (sync, async, nested, keep) and the live-tensor counter.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';

const live = () => mx.memory().liveTensors;

describe('dispose', () => {
  it('frees the tensor and is idempotent', () => {
    const before = live();
    const t = mx.ones([4]);
    expect(live()).toBe(before + 1);
    t.dispose();
    t.dispose();
    expect(t.disposed).toBe(true);
    expect(live()).toBe(before);
  });

  it('a disposed tensor throws a clear error in every position', async () => {
    const t = mx.ones([2]);
    const other = mx.ones([2]);
    t.dispose();
    expect(() => mx.add(t, 1)).toThrow(/add: a is a disposed tensor/);
    expect(() => mx.add(other, t)).toThrow(/add: b is a disposed tensor/);
    expect(() => t.add(1)).toThrow(/disposed tensor/);
    expect(() => mx.concatenate([other, t])).toThrow(/arrays\[1\] is a disposed tensor/);
    expect(() => t.toArray()).toThrow(/disposed tensor/);
    expect(() => t.toTypedArray()).toThrow(/disposed tensor/);
    expect(() => t.item()).toThrow(/disposed tensor/);
    expect(() => t.shape).toThrow(/disposed tensor/);
    expect(() => t.dtype).toThrow(/disposed tensor/);
    await expect(async () => t.data()).rejects.toThrow(/disposed tensor/);
    await expect(async () => mx.eval(t)).rejects.toThrow(/disposed tensor/);
    other.dispose();
  });

  it('using disposes at the end of the block', () => {
    const before = live();
    {
      using t = mx.ones([3]);
      expect(t.size).toBe(3);
      expect(live()).toBe(before + 1);
    }
    expect(live()).toBe(before);
  });

  it('the Tensor constructor is not for users', () => {
    const Ctor = mx.Tensor as unknown as new () => unknown;
    expect(() => new Ctor()).toThrow(/use mx.array/);
  });
});

describe('tidy', () => {
  it('disposes intermediates and keeps the result', () => {
    const before = live();
    const y = mx.tidy(() => mx.exp(mx.ones([4])).add(1).multiply(2));
    expect(live()).toBe(before + 1);
    expect(y.toArray()).toEqual(Array(4).fill((Math.E + 1) * 2).map((v) => Math.fround(v)));
    y.dispose();
  });

  it('keeps every tensor inside a returned array or object', () => {
    const before = live();
    const out = mx.tidy(() => {
      const a = mx.ones([2]);
      return { a, pair: [a.add(1), mx.zeros([1])], n: 3 };
    });
    expect(live()).toBe(before + 3);
    expect(out.pair[0].toArray()).toEqual([2, 2]);
    for (const t of [out.a, ...out.pair]) t.dispose();
  });

  it('disposes everything when the function throws', () => {
    const before = live();
    expect(() =>
      mx.tidy(() => {
        mx.ones([2]).add(1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(live()).toBe(before);
  });

  it('nests: an inner result survives until the outer scope ends', () => {
    const before = live();
    const outer = mx.tidy(() => {
      const inner = mx.tidy(() => mx.ones([2]).add(1));
      expect(inner.disposed).toBe(false);
      return inner.multiply(3);
    });
    expect(live()).toBe(before + 1);
    expect(outer.toArray()).toEqual([6, 6]);
    outer.dispose();
  });

  it('keep() lets a tensor outlive the scope', () => {
    const before = live();
    let kept: mx.Tensor | undefined;
    mx.tidy(() => {
      kept = mx.keep(mx.ones([2]));
      mx.zeros([2]);
    });
    expect(kept!.disposed).toBe(false);
    expect(live()).toBe(before + 1);
    kept!.dispose();
  });

  it('async: collects across awaits, only its own tensors', async () => {
    const before = live();
    const outside: mx.Tensor[] = [];
    const pending = mx.tidy(async () => {
      const a = mx.ones([3]);
      await a.eval();
      await new Promise((r) => setTimeout(r, 5));
      const b = a.add(2);
      await b.eval();
      return b.multiply(2);
    });
    // Created by other code while the async scope is open: not the scope's to dispose.
    outside.push(mx.ones([1]));
    const result = await pending;
    expect(result.toArray()).toEqual([6, 6, 6]);
    expect(outside[0].disposed).toBe(false);
    expect(live()).toBe(before + 2);
    result.dispose();
    outside[0].dispose();
  });

  it('returns the live count to baseline over many ops', () => {
    const before = live();
    const active = mx.memory().activeBytes;
    for (let i = 0; i < 2000; i++) {
      mx.tidy(() => mx.add(mx.ones([16]), i).sum().item());
    }
    expect(live()).toBe(before);
    expect(mx.memory().activeBytes).toBeLessThanOrEqual(active + 1024);
  });
});
