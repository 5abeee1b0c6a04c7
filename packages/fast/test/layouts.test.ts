// The traps the fast family handles: RoPE's token axis, and the KV cache's in-place update.
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';
import { describe, expect, it } from 'vitest';
import * as fast from '../src/index.js';

const maxDiff = (a: mx.Tensor, b: mx.Tensor) => mx.max(mx.abs(mx.subtract(a, b))).item() as number;

describe('rope layout', () => {
  it('bthd: every head of a token is rotated by that token position (joint equals each head alone)', () =>
    withoutLeaks(() => {
      const [B, T, H, D] = [2, 5, 4, 16];
      const x = mx.divide(mx.reshape(mx.arange(B * T * H * D), [B, T, H, D]), B * T * H * D);
      const joint = fast.rope(x, D, { layout: 'bthd', offset: 3 });
      for (let h = 0; h < H; h++) {
        const head = mx.slice(x, [0, 0, h], [B, T, h + 1]);
        const alone = fast.rope(head, D, { layout: 'bthd', offset: 3 });
        expect(maxDiff(mx.slice(joint, [0, 0, h], [B, T, h + 1]), alone)).toBeLessThan(1e-6);
      }
    }));

  it('the naive call on a [B, T, H, D] tensor rotates heads by head index instead (the trap)', () =>
    withoutLeaks(() => {
      const x = mx.ones([1, 3, 4, 8]);
      const right = fast.rope(x, 8, { layout: 'bthd' });
      const naive = fast.rope(x, 8);
      expect(maxDiff(right, naive)).toBeGreaterThan(0.1);
      // bthd is exactly "transpose to bhtd, rotate, transpose back".
      const manual = mx.transpose(fast.rope(mx.transpose(x, [0, 2, 1, 3]), 8), [0, 2, 1, 3]);
      expect(maxDiff(right, manual)).toBe(0);
    }));
});

describe('kv cache', () => {
  it('reuses the cache buffers in place: 200 decode steps keep the address and memory flat', async () => {
    const [B, H, Tmax, D] = [1, 2, 256, 64];
    let kCache = mx.zeros([B, H, Tmax, D]);
    let vCache = mx.zeros([B, H, Tmax, D]);
    mx.evalSync(kCache, vCache);
    const address = kCache.dataPointer().address;
    const token = () => mx.multiply(mx.ones([B, H, 1, D]), 0.5);
    let baseline = 0;
    let worst = 0;
    for (let step = 0; step < 200; step++) {
      const [out, k, v] = mx.tidy(() => {
        const q = token();
        return fast.kvCacheAttention(q, token(), token(), kCache, vCache, step);
      });
      await mx.eval(out, k, v);
      // Checked every step: a copying update would alternate between two buffers.
      if (k.dataPointer().address !== address) throw new Error(`step ${step}: the key cache moved`);
      kCache = k;
      vCache = v;
      out.dispose();
      if (step === 10) baseline = mx.memory().activeBytes;
      if (step > 10) worst = Math.max(worst, mx.memory().activeBytes - baseline);
    }
    expect(kCache.dataPointer().address).toBe(address);
    expect(worst).toBeLessThan(64 * 1024);
    expect((mx.slice(kCache, [0, 0, 199], [1, 1, 200]).toArray() as number[][][][])[0][0][0][0]).toBe(0.5);
    kCache.dispose();
    vCache.dispose();
  });

  it('a key mask of ones changes nothing; masked positions are excluded', () =>
    withoutLeaks(() => {
      const keys = mx.ones([1, 1, 3, 4]);
      const values = mx.reshape(mx.arange(0, 12, 1, 'float32'), [1, 1, 3, 4]);
      const q3 = mx.ones([1, 1, 3, 4]);
      const all = fast.kvCacheAttention(q3, keys, values, mx.zeros([1, 1, 4, 4]), mx.zeros([1, 1, 4, 4]), 0)[0];
      const ones = fast.kvCacheAttention(q3, keys, values, mx.zeros([1, 1, 4, 4]), mx.zeros([1, 1, 4, 4]), 0, { keyMask: mx.ones([1, 3], 'bool') })[0];
      expect(maxDiff(all, ones)).toBe(0);
      const masked = fast.kvCacheAttention(q3, keys, values, mx.zeros([1, 1, 4, 4]), mx.zeros([1, 1, 4, 4]), 0, { keyMask: mx.array([[true, false, true]]) })[0];
      // The last query sees keys 0 and 2 equally (key 1 is padding): the mean of value rows 0 and 2.
      expect((masked.toArray() as number[][][][])[0][0][2]).toEqual([4, 5, 6, 7]);
    }));
});

describe('swiglu', () => {
  it('matches the unfused composition', () =>
    withoutLeaks(() => {
      const g = mx.divide(mx.reshape(mx.arange(64), [8, 8]), 10);
      const u = mx.subtract(mx.ones([8, 8]), 0.25);
      const composed = mx.multiply(mx.multiply(g, mx.divide(1, mx.add(mx.exp(mx.multiply(g, -1)), 1))), u);
      expect(maxDiff(fast.swiglu(g, u), composed)).toBeLessThan(1e-5);
    }));
});
