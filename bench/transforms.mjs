// Transforms section of bench/RESULTS.md: compiled against uncompiled code in the same run (a decode step
// of examples/decode.mjs, a GELU-like elementwise chain), and the cost of a gradient against the forward
// pass alone. Every time includes evaluation; medians of repeated runs after a warm-up.
import { loadavg } from 'node:os';
import * as mx from '@mlxts/core';
import { buildModel, config, generateTokens, modelFunctions } from '../examples/decode.mjs';
import { median } from './stats.mjs';

/** Milliseconds `run()` takes. */
const timed = (run) => () => {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
};

/**
 * The median of what each measurement returns (milliseconds) over `repeats` runs, after a warm-up run
 * (which traces and compiles). The measurements run in turns, so changes in machine load hit them alike.
 */
function interleaved(repeats, measurements) {
  for (const measure of measurements) measure();
  const samples = measurements.map(() => []);
  for (let r = 0; r < repeats; r++) measurements.forEach((measure, i) => samples[i].push(measure()));
  return samples.map(median);
}

const fmt = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);

function decodeRows(repeats) {
  const model = buildModel(0);
  const prompt = Array.from({ length: 16 }, (_, i) => (i * 37) % config.vocab);
  const count = 33;
  const eager = modelFunctions(model);
  const compiled = {
    layers: eager.layers.map((layer) => ({ inputs: mx.compile(layer.inputs), output: mx.compile(layer.output) })),
    head: mx.compile(eager.head),
  };
  const tokens = new Map();
  // Per-token decode time of one generation (the prompt's prefill excluded).
  const perTokenMs = (fns) => () => {
    const result = generateTokens(model, prompt, count, fns);
    tokens.set(fns, result.tokens.join(' '));
    return result.decodeMs / (count - 1);
  };
  const [eagerMs, compiledMs] = interleaved(repeats, [perTokenMs(eager), perTokenMs(compiled)]);
  if (tokens.get(eager) !== tokens.get(compiled)) throw new Error('compiled decoding gave different tokens');
  for (const [, t] of mx.treeFlatten(model)) if (mx.isTensor(t)) t.dispose();
  return [
    `| decode step of examples/decode.mjs (${config.layers} layers, dim ${config.dim}, 4-bit), per token, uncompiled | ${fmt(eagerMs)} | |`,
    `| the same with each layer's projections, norms, RoPE and SwiGLU compiled (attention over the KV cache left as is) | ${fmt(compiledMs)} | ${(eagerMs / compiledMs).toFixed(2)}x faster; same ${count} tokens |`,
  ];
}

/** Ten elementwise ops: a scaled tanh-approximated GELU. */
function geluChain(x) {
  const s = mx.multiply(x, 1.5);
  const cube = mx.multiply(mx.multiply(s, s), s);
  const inner = mx.multiply(mx.add(s, mx.multiply(cube, 0.044715)), 0.7978845608);
  return mx.multiply(mx.multiply(s, 0.5), mx.add(mx.tanh(inner), 1));
}

function geluRows(repeats) {
  const compiled = mx.compile(geluChain);
  const rows = [];
  for (const size of [1 << 12, 1 << 20, 1 << 24]) {
    const x = mx.random.normal([size], 'float32', 0, 1, { key: mx.random.key(0) });
    mx.evalSync(x);
    const run = (fn) => timed(() => mx.tidy(() => mx.evalSync(fn(x))));
    const [eagerMs, compiledMs] = interleaved(repeats, [run(geluChain), run(compiled)]);
    const elements = size >= 1 << 20 ? `${size >> 20}M` : `${size >> 10}K`;
    rows.push(`| GELU-like chain of 10 elementwise ops on ${elements} float32, uncompiled | ${fmt(eagerMs)} | |`);
    rows.push(`| the same, compiled (one fused kernel) | ${fmt(compiledMs)} | ${(eagerMs / compiledMs).toFixed(2)}x faster |`);
    x.dispose();
  }
  return rows;
}

function gradRows(repeats) {
  const rows = [];
  for (const [batch, input, hidden, output] of [
    [8, 32, 64, 1],
    [256, 512, 1024, 10],
  ]) {
    const normal = (shape, seed, scale) => mx.multiply(mx.random.normal(shape, 'float32', 0, 1, { key: mx.random.key(seed) }), scale);
    const params = { l1: { w: normal([input, hidden], 1, input ** -0.5), b: mx.zeros([hidden]) }, l2: { w: normal([hidden, output], 2, hidden ** -0.5), b: mx.zeros([output]) } };
    const x = normal([batch, input], 3, 1);
    const y = normal([batch, output], 4, 1);
    mx.evalSync(params, x, y);
    const loss = (p, x, y) => mx.mean(mx.square(mx.subtract(mx.add(mx.matmul(mx.tanh(mx.add(mx.matmul(x, p.l1.w), p.l1.b)), p.l2.w), p.l2.b), y)));
    const forward = timed(() => mx.tidy(() => mx.evalSync(loss(params, x, y))));
    const both = timed(() => mx.tidy(() => mx.evalSync(mx.valueAndGrad(loss)(params, x, y))));
    const [forwardMs, gradMs] = interleaved(repeats * 4, [forward, both]);
    const shape = `batch ${batch}, ${input}→${hidden}→${output}`;
    rows.push(`| 2-layer MLP loss (${shape}), forward only | ${fmt(forwardMs)} | |`);
    rows.push(`| \`valueAndGrad\` of the same loss: value and every parameter's gradient | ${fmt(gradMs)} | ${(gradMs / forwardMs).toFixed(2)}x the forward pass |`);
    for (const [, t] of mx.treeFlatten([params, x, y])) t.dispose();
  }
  return rows;
}

export function transformsSection(repeats) {
  // Other processes on a shared machine slow every case alike; the ratios within one run are what compare.
  const load = loadavg()[0].toFixed(1);
  return `## Transforms

Compiled against uncompiled code, and a gradient against the forward pass alone, in the same run (times
include evaluation; medians of ${repeats} runs, the two variants run in turns; load average ${load} when
this section ran, so the ratios compare better than the absolute times). On the CPU, MLX builds
each fused kernel with the system C++ compiler the first time it is needed; the warm-up run pays that.
The decode step's attention over the KV cache takes a position that changes every token, so it stays
outside the compiled functions (a new position would be a new signature and a new trace).

| case | median | ratio |
| --- | --- | --- |
${[...decodeRows(repeats), ...geluRows(repeats), ...gradRows(repeats)].join('\n')}
`;
}
