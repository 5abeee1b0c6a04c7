// The event loop keeps turning while a long evaluation runs. This file runs on its own (after the other
// test files, see package.json), because a busy neighbour process would also delay the timer.
import * as mx from '@mlxts/core';
import { describe, expect, it } from 'vitest';

/** A chain of `n` matmuls of 512x512 float32 (about 0.27 GFLOP each). */
function matmulChain(n: number): { x: mx.Tensor; out: mx.Tensor } {
  const x = mx.multiply(mx.ones([512, 512]), 1 / 512);
  let out = x;
  for (let i = 0; i < n; i++) out = mx.matmul(out, x);
  return { x, out };
}

describe('async evaluation', () => {
  it('keeps the event loop responsive during a computation of at least one second', async () => {
    // Calibrate: how many matmuls make about 1.5 s on this machine (and its BLAS)?
    const probe = matmulChain(4);
    const t0 = performance.now();
    mx.evalSync(probe.out);
    const perMatmul = (performance.now() - t0) / 4;
    let n = Math.min(4000, Math.max(4, Math.ceil(1500 / Math.max(perMatmul, 0.01))));

    // The worst lag of a 10 ms timer while `during` runs.
    const worstLagDuring = async (during: () => Promise<unknown>) => {
      let worst = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last - 10);
        last = now;
      }, 10);
      await during();
      clearInterval(timer);
      return worst;
    };
    // Control: the same timer with nothing running, for the machine's own scheduling noise.
    const idleLag = await worstLagDuring(() => new Promise((r) => setTimeout(r, 1000)));

    for (let attempt = 0; attempt < 4; attempt++) {
      const { out } = matmulChain(n);
      const start = performance.now();
      const worstLag = await worstLagDuring(() => out.eval());
      const elapsed = performance.now() - start;
      // The matrix with every entry 1/512 is idempotent, so the whole chain equals it.
      expect(mx.max(mx.abs(mx.subtract(out, 1 / 512))).item()).toBeLessThan(1e-6);
      if (elapsed >= 1000) {
        expect(worstLag).toBeLessThan(50 + idleLag);
        return;
      }
      n *= 2; // the machine was faster than calibrated: try a longer chain
    }
    throw new Error('could not build a computation lasting one second');
  });

});
