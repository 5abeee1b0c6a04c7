// npm run bench:lm: prompt and decode tokens/s of the default model (SmolLM2-135M-Instruct, Q4_1 GGUF) on
// the CPU, greedy, next to MLX Python 0.32.4 running the same GGUF arrays with the same float32 compute
// (packages/lm/scripts/bench_mlx.py, in a bench-only venv created here from PyPI), and where each decode
// step's time goes. Writes its section of bench/RESULTS.md (between the lm markers; npm run bench keeps it).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as mx from '@mlxts/core';
import { defaultModelPath, generateTokens, loadModel, sampleToken } from '@mlxts/lm';
import { benchPrompt, greedyStats } from './prompt.mjs';
import { median } from './stats.mjs';
import { mlxPython } from './venv.mjs';

const loadAtStart = loadavg()[0];
const runs = Number(process.env.BENCH_LM_RUNS ?? 3);
const decodeTokens = Number(process.env.BENCH_LM_TOKENS ?? 64);
const root = new URL('..', import.meta.url).pathname;

const modelPath = await defaultModelPath();
const lm = await loadModel(modelPath);
const prompt = benchPrompt(lm);

/** Greedy generations of `decodeTokens` tokens (no stop token) with each of `configs` in turns, after a warm-up each: medians. */
async function measure(configs) {
  const run = ({ kernel, compile }) => {
    process.env.MLXTS_QMM_KERNEL = kernel;
    return greedyStats(lm, prompt, decodeTokens, { compile });
  };
  for (const config of configs) await run(config);
  const stats = configs.map(() => []);
  for (let i = 0; i < runs; i++) for (const [k, config] of configs.entries()) stats[k].push(await run(config));
  return stats.map((s) => ({ promptTps: median(s.map((x) => x.promptTps)), decodeTps: median(s.map((x) => x.generationTps)) }));
}

/** Milliseconds per call of a sampler on one row of logits, evaluated. */
function samplingMs(options) {
  const logits = mx.random.normal([lm.model.config.vocabSize]);
  const key = mx.random.key(0);
  const times = [];
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    const token = sampleToken(logits, options, [1, 2, 3], key);
    mx.evalSync(token);
    times.push(performance.now() - start);
    token.dispose();
  }
  logits.dispose();
  key.dispose();
  return median(times.slice(5));
}

/** Per-token split of a decode step (graph building, evaluation) and the streaming decoder's time per token. */
async function split(compile) {
  process.env.MLXTS_QMM_KERNEL = 'auto';
  const steps = generateTokens(lm.model, prompt, { maxTokens: decodeTokens, compile });
  let result;
  while (!(result = await steps.next()).done);
  const s = result.value.stats;
  const decodeSteps = decodeTokens - 1;
  const decoder = lm.tokenizer.streamDecoder();
  const ids = Array.from({ length: decodeTokens }, (_, i) => prompt[i % prompt.length]);
  const start = performance.now();
  for (const id of ids) decoder.push(id);
  const detokenizeMs = (performance.now() - start) / ids.length;
  return { buildMs: s.buildMs / decodeSteps, evalMs: s.evalMs / decodeSteps, stepMs: s.decodeMs / decodeSteps, detokenizeMs };
}

const [mlxts, eager, mlxKernel] = await measure([
  { kernel: 'auto', compile: true },
  { kernel: 'auto', compile: false },
  { kernel: 'mlx', compile: true },
]);
const parts = await split(true);
const eagerParts = await split(false);
const greedyMs = samplingMs({});
const sampledMs = samplingMs({ temperature: 0.7, topK: 40, topP: 0.9, minP: 0.05, repetitionPenalty: 1.1 });
lm.dispose();

const py = JSON.parse(
  execFileSync(mlxPython(), [`${root}packages/lm/scripts/bench_mlx.py`, modelPath, prompt.join(','), String(decodeTokens - 1), String(runs)], { encoding: 'utf8' }),
);

const f = (x, d = 1) => x.toFixed(d);
const info = mx.buildInfo();
const section = `<!-- lm:start -->
## Language model: SmolLM2-135M-Instruct (Q4_1 GGUF) on the CPU

Produced by \`npm run bench:lm\` (bench/lm.mjs) on ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores (load average ${loadAtStart.toFixed(1)} when it started); MLX ${info.mlxVersion} (${info.backend}).
Greedy decoding of a ${prompt.length}-token chat prompt and ${decodeTokens} tokens, float32 activations and
quantization scales, medians of ${runs} runs after a warm-up. MLX Python runs the same GGUF arrays with the
same float32 forward pass (packages/lm/scripts/reference_model.py), in the same run.

| | prompt tokens/s | decode tokens/s | decode vs MLX Python |
| --- | ---: | ---: | ---: |
| mlxts (@mlxts/lm, the addon's quantized-matmul kernel, compiled decode step) | ${f(mlxts.promptTps)} | ${f(mlxts.decodeTps)} | ${f(mlxts.decodeTps / py.decodeTps, 2)}x |
| mlxts, decode steps built op by op (\`compile: false\`) | ${f(eager.promptTps)} | ${f(eager.decodeTps)} | ${f(eager.decodeTps / py.decodeTps, 2)}x |
| mlxts with MLX's own quantized matmul (MLXTS_QMM_KERNEL=mlx) | ${f(mlxKernel.promptTps)} | ${f(mlxKernel.decodeTps)} | ${f(mlxKernel.decodeTps / py.decodeTps, 2)}x |
| MLX Python ${py.mlx} | ${f(py.promptTps)} | ${f(py.decodeTps)} | 1.00x |

Where a decode step's time goes (mlxts, default kernel), milliseconds per token:

| decode step | graph building (JS) | waiting for evaluation (MLX) | whole step | sampling: greedy | sampling: temperature, top-k/p, min-p, penalty | detokenizing |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| compiled | ${f(parts.buildMs, 2)} | ${f(parts.evalMs, 2)} | ${f(parts.stepMs, 2)} | ${f(greedyMs, 3)} | ${f(sampledMs, 3)} | ${f(parts.detokenizeMs, 3)} |
| op by op | ${f(eagerParts.buildMs, 2)} | ${f(eagerParts.evalMs, 2)} | ${f(eagerParts.stepMs, 2)} | | | |

Sampling is measured on its own (one \`[${49152}]\` row of logits, evaluated); in generation it is part of
the step's graph and of its evaluation.
<!-- lm:end -->
`;

const results = new URL('./RESULTS.md', import.meta.url);
const current = existsSync(results) ? readFileSync(results, 'utf8') : '';
const marked = /<!-- lm:start -->[\s\S]*<!-- lm:end -->\n?/;
writeFileSync(results, marked.test(current) ? current.replace(marked, section) : `${current.trimEnd()}\n\n${section}`);
console.log(section);
