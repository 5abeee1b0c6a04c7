// Per-op overhead and throughput section of bench/RESULTS.md: medians of repeated runs, each number
// next to a baseline measured in the same process.
import * as mx from '@mlxts/core';
import { median } from './stats.mjs';

export async function microSection(repeats) {
  /** Median over repeats of `run()`'s own measurement (it returns nanoseconds per unit). */
  function measure(run) {
    run(); // warm-up
    return median(Array.from({ length: repeats }, run));
  }

  function nsPerCall(n, setup, body, teardown) {
    return measure(() => {
      const state = setup();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) body(state, i);
      const ns = Number(process.hrtime.bigint() - t0) / n;
      teardown?.(state);
      return ns;
    });
  }

  const a = mx.ones([4]);
  const b = mx.ones([4]);
  mx.evalSync(a, b);

  // 1. A lazy op call (graph node + Tensor object), against a native getter call as the N-API floor.
  const N = 20_000;
  const keep = () => ({ out: new Array(N) });
  const release = (s) => s.out.forEach((t) => t.dispose());
  const getterNs = nsPerCall(N, () => null, () => a.ndim);
  const lazyAddNs = nsPerCall(N, keep, (s, i) => (s.out[i] = mx.add(a, b)), release);
  const lazyMethodNs = nsPerCall(N, keep, (s, i) => (s.out[i] = a.add(b)), release);
  const lazyScalarNs = nsPerCall(N, keep, (s, i) => (s.out[i] = mx.add(a, 1)), release);

  // 2. An op plus its evaluation, read back with item() (a round trip through the eval thread).
  const M = 2_000;
  const evalNs = nsPerCall(M, () => null, () => {
    const t = mx.sum(mx.add(a, b));
    t.item();
    t.dispose();
  });
  async function concurrentEvalNs() {
    const ts = Array.from({ length: 200 }, () => mx.add(a, b));
    const t0 = process.hrtime.bigint();
    await Promise.all(ts.map((t) => t.eval()));
    const ns = Number(process.hrtime.bigint() - t0) / ts.length;
    ts.forEach((t) => t.dispose());
    return ns;
  }
  await concurrentEvalNs(); // warm-up
  const asyncRuns = [];
  for (let r = 0; r < repeats; r++) asyncRuns.push(await concurrentEvalNs());
  const asyncEvalNs = median(asyncRuns);

  // 3. Large elementwise add (16M float32), against a plain JS Float32Array loop.
  const SIZE = 1 << 24;
  const x = mx.multiply(mx.ones([SIZE]), 1.5);
  const y = mx.multiply(mx.ones([SIZE]), 2.5);
  mx.evalSync(x, y);
  const addMs = measure(() => {
    const t0 = performance.now();
    const z = mx.add(x, y);
    mx.evalSync(z);
    const ms = performance.now() - t0;
    z.dispose();
    return ms;
  });
  const jx = new Float32Array(SIZE).fill(1.5);
  const jy = new Float32Array(SIZE).fill(2.5);
  const jsAddMs = measure(() => {
    const t0 = performance.now();
    const jz = new Float32Array(SIZE);
    for (let i = 0; i < SIZE; i++) jz[i] = jx[i] + jy[i];
    return performance.now() - t0;
  });
  const gbPerS = (ms) => (3 * 4 * SIZE) / (ms * 1e6);

  const rows = [
    ['lazy `mx.add(a, b)` call, no eval (4 floats)', `${lazyAddNs.toFixed(0)} ns`, `${(lazyAddNs / getterNs).toFixed(1)}x a native getter (${getterNs.toFixed(0)} ns)`],
    ['lazy `a.add(b)` method call', `${lazyMethodNs.toFixed(0)} ns`, `${(lazyMethodNs / lazyAddNs).toFixed(2)}x the function form`],
    ['lazy `mx.add(a, 1)` with a weak JS scalar', `${lazyScalarNs.toFixed(0)} ns`, `${(lazyScalarNs / lazyAddNs).toFixed(2)}x the tensor-tensor form`],
    ['`sum(add(a, b)).item()`: build + blocking eval + read', `${(evalNs / 1000).toFixed(1)} µs`, `${(evalNs / lazyAddNs).toFixed(0)}x a lazy call`],
    ['200 concurrent `await t.eval()`, per eval', `${(asyncEvalNs / 1000).toFixed(1)} µs`, `${(asyncEvalNs / evalNs).toFixed(2)}x the blocking round trip`],
    ['add of two 16M float32 tensors, evaluated', `${addMs.toFixed(1)} ms (${gbPerS(addMs).toFixed(1)} GB/s)`, `${(jsAddMs / addMs).toFixed(2)}x faster than a JS Float32Array loop (${jsAddMs.toFixed(1)} ms)`],
  ];

  const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
  for (const t of [a, b, x, y]) t.dispose();
  return [
    '## Per-op overhead and throughput',
    '',
    '| case | median | ratio to the baseline in the same run |',
    '| --- | --- | --- |',
    table,
    '',
  ].join('\n');
}
