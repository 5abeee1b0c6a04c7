// Quantized matmul section of bench/RESULTS.md: the addon's CPU kernel (native src/qmm) against MLX's own
// kernel (MLXTS_QMM_KERNEL=mlx) in the same process, the two alternating run by run so that load from
// other processes falls on both alike. Medians; ratio = MLX's time / the addon's.
//
//   node bench/qmm.mjs [repeats]     prints the section; npm run bench writes it into bench/RESULTS.md
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as mx from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as quant from '@mlxts/quant';
import { buildModel, generateTokens } from '../examples/decode.mjs';
import { runBeside } from './load.mjs';
import { median } from './stats.mjs';

const KERNELS = ['mlx', 'mlxts'];

function useKernel(kernel) {
  process.env.MLXTS_QMM_KERNEL = kernel;
}

/**
 * Medians per kernel of `run(kernel)`, which returns its wall-clock and CPU ms, alternating which kernel
 * goes first. The CPU time (this process, all threads) depends less on other processes than the wall
 * clock does; it counts the helpers' brief spinning between products too.
 */
function compare(run, repeats) {
  const times = { mlx: [], mlxts: [] };
  for (const k of KERNELS) run(k); // warm-up
  for (let r = 0; r < repeats; r++) {
    for (const k of r % 2 ? KERNELS : [...KERNELS].reverse()) times[k].push(run(k));
  }
  const of = (k, key) => median(times[k].map((t) => t[key]));
  return { mlx: of('mlx', 'wall'), mlxts: of('mlxts', 'wall'), mlxCpu: of('mlx', 'cpu'), mlxtsCpu: of('mlxts', 'cpu') };
}

/** Wall-clock and CPU ms to build and evaluate `build()` with `kernel`. */
function timed(kernel, build) {
  useKernel(kernel);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = mx.tidy(build);
  mx.evalSync(out);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  out.dispose();
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function randomWeight(rows, cols, dtype, bits, groupSize) {
  return mx.tidy(() => quant.quantize(mx.astype(mx.random.normal([rows, cols], 'float32', 0, cols ** -0.5), dtype), { bits, groupSize }));
}

/** The decode-sized stack of issue 19: 30 layers of rmsNorm, 576 -> 1536 and 1536 -> 576, one token. */
function stackCase(groupSize, dtype, repeats) {
  const [layers, dim, ffn] = [30, 576, 1536];
  const weights = Array.from({ length: layers }, () => ({ up: randomWeight(ffn, dim, dtype, 4, groupSize), down: randomWeight(dim, ffn, dtype, 4, groupSize) }));
  const norm = mx.ones([dim], dtype);
  const x0 = mx.astype(mx.random.normal([1, dim]), dtype);
  mx.evalSync(weights, norm, x0);
  const result = compare(
    (k) =>
      timed(k, () => {
        let x = x0;
        for (const w of weights) x = quant.quantizedMatmul(quant.quantizedMatmul(fast.rmsNorm(x, norm, 1e-5), w.up), w.down);
        return x;
      }),
    repeats,
  );
  for (const w of weights) Object.values(w).forEach((q) => q.dispose());
  norm.dispose();
  x0.dispose();
  return result;
}

/** One product x [m, k] @ wᵀ, w [n, k]. */
function productCase(m, n, k, bits, groupSize, dtype, repeats) {
  const w = randomWeight(n, k, dtype, bits, groupSize);
  const x = mx.astype(mx.random.normal([m, k]), dtype);
  mx.evalSync(w, x);
  const result = compare((kernel) => timed(kernel, () => quant.quantizedMatmul(x, w)), repeats);
  w.dispose();
  x.dispose();
  return result;
}

/** SmolLM2-135M's shape (random weights, 4-bit, group size 32 as GGUF's Q4_0/Q4_1 load): decode tokens/s. */
export const SMOLLM2_SHAPE = { vocab: 49152, dim: 576, layers: 30, heads: 9, kvHeads: 3, ffn: 1536, maxTokens: 256, groupSize: 32 };

function decodeCase(dtype, repeats) {
  // The tidy frees the model at the end (generateTokens frees everything else as it goes).
  return mx.tidy(() => {
    const model = buildModel(0, { ...SMOLLM2_SHAPE, dtype });
    const prompt = Array.from({ length: 8 }, (_, i) => (i * 37) % SMOLLM2_SHAPE.vocab);
    const tokens = 17;
    const rate = { mlx: [], mlxts: [] };
    const cpu = { mlx: [], mlxts: [] };
    const outputs = {};
    for (let r = 0; r <= Math.max(2, Math.floor(repeats / 3)); r++) {
      for (const k of r % 2 ? KERNELS : [...KERNELS].reverse()) {
        useKernel(k);
        const cpu0 = process.cpuUsage();
        const run = generateTokens(model, prompt, tokens);
        const used = process.cpuUsage(cpu0);
        if (r > 0) {
          // The first round warms up. CPU time per token covers the prompt too.
          rate[k].push(((tokens - 1) / run.decodeMs) * 1000);
          cpu[k].push((used.user + used.system) / 1000 / tokens);
        }
        outputs[k] = run.tokens.join(' ');
      }
    }
    return { mlx: median(rate.mlx), mlxts: median(rate.mlxts), mlxCpu: median(cpu.mlx), mlxtsCpu: median(cpu.mlxts), sameTokens: outputs.mlx === outputs.mlxts };
  });
}

/** The decode stack with MLXTS_CPU_THREADS threads (null: the default), in a fresh process, alone or beside a busy loop. */
function threadsCase(threads, busy, repeats) {
  return runBeside(busy, fileURLToPath(import.meta.url), ['--stack-only', String(repeats)], { MLXTS_CPU_THREADS: threads });
}

const ms = (v) => `${v.toFixed(2)} ms`;
const ratio = (r) => `${(r.mlx / r.mlxts).toFixed(1)}x`;
const cpuRatio = (r) => `${(r.mlxCpu / r.mlxtsCpu).toFixed(1)}x`;

export function qmmSection(repeats) {
  const load = loadavg()[0];
  const rows = [];
  for (const [groupSize, dtype] of [[32, 'float32'], [64, 'float32'], [32, 'float16'], [64, 'bfloat16']]) {
    const r = stackCase(groupSize, dtype, repeats);
    rows.push([`30 layers 576 <-> 1536 + rmsNorm, 1 token, 4-bit group ${groupSize}, ${dtype}`, ms(r.mlx), ms(r.mlxts), ratio(r), cpuRatio(r)]);
  }
  for (const [m, n, k, bits, groupSize] of [
    [1, 1536, 576, 4, 32], [1, 576, 1536, 4, 32], [1, 576, 1536, 4, 128], [1, 1536, 576, 8, 32], [1, 1536, 576, 8, 64],
    [1, 49152, 576, 4, 32], [8, 1536, 576, 4, 32], [32, 1536, 576, 4, 32], [128, 1536, 576, 4, 64], [512, 1536, 576, 4, 64],
  ]) {
    const r = productCase(m, n, k, bits, groupSize, 'float32', m >= 128 ? Math.max(3, Math.floor(repeats / 3)) : repeats);
    rows.push([`x [${m}, ${k}] @ wᵀ, w [${n}, ${k}], ${bits}-bit group ${groupSize}, float32`, ms(r.mlx), ms(r.mlxts), ratio(r), cpuRatio(r)]);
  }
  const decodes = ['float32', 'float16'].map((dtype) => ({ dtype, ...decodeCase(dtype, repeats) }));
  const threadRows = [];
  for (const busy of [false, true]) {
    for (const threads of ['1', '2', null]) {
      const r = threadsCase(threads, busy, repeats);
      threadRows.push([threads ?? 'default (cores left idle)', busy ? 'yes' : 'no', ms(r.mlxts), ms(r.mlx), ratio(r), cpuRatio(r)]);
    }
  }
  const info = mx.buildInfo();
  return `## Quantized matmul (CPU)

The addon's kernel (\`${info.cpuQuantizedMatmul}\`) against MLX's own in the same process, alternating; medians of ${repeats} runs (products at M >= 128: fewer). Load average ${load.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end of this section: the machine is shared, so the times move between runs and the ratios are the numbers to read.

| case | MLX kernel | mlxts kernel | MLX / mlxts | CPU time, MLX / mlxts |
| --- | --- | --- | --- | --- |
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

Decoding with a SmolLM2-135M-shaped model (examples/decode.mjs with 30 layers, dim 576, 9 heads (3 KV), FFN 1536, vocabulary 49152; random weights, 4-bit group 32 as GGUF's Q4_0/Q4_1 load), 16 tokens after an 8-token prompt:

| weights and activations | MLX kernel | mlxts kernel | mlxts / MLX | CPU time per token, MLX / mlxts | same greedy tokens |
| --- | --- | --- | --- | --- | --- |
${decodes.map((d) => `| ${d.dtype} | ${d.mlx.toFixed(1)} tokens/s | ${d.mlxts.toFixed(1)} tokens/s | ${(d.mlxts / d.mlx).toFixed(1)}x | ${d.mlxCpu.toFixed(0)} / ${d.mlxtsCpu.toFixed(0)} ms | ${d.sameTokens ? 'yes' : 'no'} |`).join('\n')}

The decode stack (group 32, float32) in a fresh process per row, with \`MLXTS_CPU_THREADS\` threads, alone and beside a busy loop (\`node -e 'for (;;) {}'\`) that keeps one core loaded:

| threads | busy loop beside | mlxts kernel | MLX kernel | MLX / mlxts | CPU time, MLX / mlxts |
| --- | --- | --- | --- | --- | --- |
${threadRows.map((r) => `| ${r.join(' | ')} |`).join('\n')}
`;
}

const script = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (script && process.argv[2] === '--stack-only') {
  console.log(JSON.stringify(stackCase(32, 'float32', Number(process.argv[3] ?? 15))));
} else if (script) {
  console.log(qmmSection(Number(process.argv[2] ?? 15)));
}
