// Lifetime under load: many op calls return to the baseline, and undisposed tensors are reclaimed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as mx from '@mlxts/core';
import { describe, expect, it } from 'vitest';

describe('lifetime under load', () => {
  it('100k op calls with dispose and tidy return live tensors and active memory to baseline', async () => {
    await mx.synchronize();
    const before = mx.memory();
    const x = mx.ones([8]);
    for (let i = 0; i < 50_000; i++) {
      const y = mx.add(x, i);
      y.dispose();
    }
    for (let i = 0; i < 1_000; i++) {
      mx.tidy(() => {
        let y = x;
        for (let k = 0; k < 50; k++) y = mx.multiply(y, 1.0001);
        if (i % 100 === 0) mx.evalSync(y);
      });
    }
    x.dispose();
    await mx.synchronize();
    const after = mx.memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.activeBytes).toBeLessThanOrEqual(before.activeBytes);
  });

  it('undisposed large tensors are reclaimed by the finalizer, keeping RSS bounded', () => {
    const script = fileURLToPath(new URL('./fixtures/gc-churn.mjs', import.meta.url));
    const out = JSON.parse(execFileSync(process.execPath, [script, '300'], { encoding: 'utf8' })) as { peakMb: number; live: number };
    // 300 x 20 MB = 6 GB if nothing were freed.
    expect(out.peakMb).toBeLessThan(1500);
    expect(out.live).toBeLessThan(300);
  }, 120_000);
});
