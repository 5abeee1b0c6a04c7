// npm run bench:compare: mlxts and MLX Python 0.32.4 (from PyPI, in the bench-only bench/.venv) on the same
// cases in one run, interleaved case by case so that load from other processes falls on both alike; the
// default model's greedy decoding in mlxts, MLX Python and llama.cpp (node-llama-cpp, prebuilt, on the same
// GGUF). Writes its numbers to bench/RESULTS-compare.json (bench/RESULTS-compare-gpu.json with --device gpu),
// then bench/RESULTS-compare.md from both (compare/report.mjs); docs/scripts/performance-charts.mjs draws them.
//
//   npm run bench:compare                      CPU; BENCH_COMPARE_ROUNDS, BENCH_COMPARE_TOKENS change the sizes
//   npm run bench:compare -- --device gpu      the same on a CUDA build of MLX (no llama.cpp row)
//   BENCH_PYTHON=<python with mlx 0.32.4>      use that Python instead of creating bench/.venv
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import * as mx from '@mlxts/core';
import { defaultModelPath, generateTokens, loadModel } from '@mlxts/lm';
import { writeCompareReport } from './compare/report.mjs';
import { llamaCppFolder } from './llama-cpp.mjs';
import { benchPrompt } from './prompt.mjs';
import { median } from './stats.mjs';
import { mlxPython } from './venv.mjs';

const device = process.argv.includes('--device') ? process.argv[process.argv.indexOf('--device') + 1] : 'cpu';
if (device !== 'cpu' && device !== 'gpu') throw new Error(`bench:compare: --device is cpu or gpu, not ${device}`);
const rounds = Number(process.env.BENCH_COMPARE_ROUNDS ?? 7);
const decodeRounds = Number(process.env.BENCH_COMPARE_DECODE_ROUNDS ?? 3);
const decodeTokens = Number(process.env.BENCH_COMPARE_TOKENS ?? 64);
const LLAMA_CPP_VERSION = '3.22.1';
const here = (path) => new URL(path, import.meta.url).pathname;
const loadAtStart = loadavg()[0];

mx.setDefaultDevice(device);
const { cases } = await import('./compare/mlxts-cases.mjs');

/** MLX Python running bench/compare/mlx_cases.py, asked one case at a time. */
function startPython() {
  const python = process.env.BENCH_PYTHON ?? mlxPython();
  const child = spawn(python, [here('./compare/mlx_cases.py'), here('../packages/lm/scripts'), device], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async ask(request) {
      child.stdin.write(`${JSON.stringify(request)}\n`);
      const { value, done } = await lines.next();
      if (done) throw new Error(`bench:compare: MLX Python stopped (exit ${child.exitCode})`);
      return JSON.parse(value);
    },
    close: () => child.stdin.end(),
  };
}
const python = startPython();

// id, label, and the unit each measurement is in (ns per op, or ms per evaluation)
const OPS = [
  ['lazyAdd', 'lazy `add` of two 4-float tensors, created and freed (mlxts: `dispose()` each)', 'ns'],
  ['roundTrip', '`sum(add(a, b)).item()`, blocking round trip (mlxts: in `tidy`)', 'ns'],
  ['chained', '1,000 chained adds, one eval, per add (mlxts: in `tidy`)', 'ns'],
  ['evalEach', 'add + eval of every add, per add', 'ns'],
  ['add16M', 'add of two 16M float32 tensors, evaluated', 'ms'],
  ['sum16M', 'sum of 16M float32, evaluated', 'ms'],
  ['softmax', 'softmax of [1024, 4096] float32, last axis, evaluated', 'ms'],
  ['quantizedStack', '30 decode-sized layers: rmsNorm + 4-bit `quantizedMatmul` 576 -> 1536 -> 576 (group 32), 1 token', 'ms'],
];

/** Medians of `rounds` measurements of each case in both runtimes, alternating which goes first. */
async function opCases() {
  const samples = Object.fromEntries(OPS.map(([id]) => [id, { mlxts: [], python: [], mlxKernel: [] }]));
  const mlxtsKernel = (kernel, run) => {
    const before = process.env.MLXTS_QMM_KERNEL;
    process.env.MLXTS_QMM_KERNEL = kernel;
    try {
      return run();
    } finally {
      if (before === undefined) delete process.env.MLXTS_QMM_KERNEL;
      else process.env.MLXTS_QMM_KERNEL = before;
    }
  };
  for (let r = -1; r < rounds; r++) {
    for (const [id] of OPS) {
      const sides = {
        mlxts: async () => cases[id](),
        python: async () => (await python.ask({ case: id })).value,
        // The stack once more with MLX's own quantized-matmul kernel: what is left when the kernel is the same.
        ...(id === 'quantizedStack' && device === 'cpu' ? { mlxKernel: async () => mlxtsKernel('mlx', cases[id]) } : {}),
      };
      const order = Object.keys(sides);
      for (const side of r % 2 ? order : order.reverse()) {
        const value = await sides[side]();
        if (r >= 0) samples[id][side].push(value); // round -1 warms up
      }
    }
    if (r >= 0) console.error(`round ${r + 1}/${rounds}, load average ${loadavg()[0].toFixed(1)}`);
  }
  return OPS.map(([id, label, unit]) => {
    const m = Object.fromEntries(Object.entries(samples[id]).filter(([, v]) => v.length > 0).map(([side, v]) => [side, median(v)]));
    return { id, label, unit, ...m, ratio: m.mlxts / m.python };
  });
}

/** How many leading tokens `a` and `b` share. */
const sharedPrefix = (a, b) => {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
};

/** Greedy decoding of the default model's chat prompt in each runtime, in turns, medians of `decodeRounds`. */
async function decode() {
  const modelPath = await defaultModelPath();
  const lm = await loadModel(modelPath);
  const prompt = benchPrompt(lm);
  const mlxts = (compile) => async () => {
    const steps = generateTokens(lm.model, prompt, { maxTokens: decodeTokens, compile });
    const tokens = [];
    let step;
    while (!(step = await steps.next()).done) tokens.push(step.value.token);
    return { promptTps: step.value.stats.promptTps, decodeTps: step.value.stats.generationTps, tokens };
  };
  const llamaFolder = device === 'cpu' ? llamaCppFolder() : undefined;
  const llama = (threads) => async () =>
    JSON.parse(execFileSync(process.execPath, [here('./compare/llama.mjs'), llamaFolder, modelPath, prompt.join(','), String(decodeTokens), String(threads)], { encoding: 'utf8' }));
  const runtimes = {
    mlxts: ['mlxts (@mlxts/lm)', mlxts(true)],
    mlxtsEager: ['mlxts, decode steps built op by op (`compile: false`)', mlxts(false)],
    python: [`MLX Python 0.32.4 (the same forward pass, packages/lm/scripts/reference_model.py)`, () => python.ask({ case: 'decode', model: modelPath, prompt, tokens: decodeTokens })],
    ...(llamaFolder
      ? {
          llama2: [`llama.cpp (node-llama-cpp ${LLAMA_CPP_VERSION}, prebuilt), 2 threads`, llama(2)],
          llama1: [`llama.cpp (node-llama-cpp ${LLAMA_CPP_VERSION}, prebuilt), 1 thread`, llama(1)],
        }
      : {}),
  };
  await mlxts(true)(); // warm-up (MLX Python warms up when it loads the model)
  const results = Object.fromEntries(Object.keys(runtimes).map((id) => [id, []]));
  for (let r = 0; r < decodeRounds; r++) {
    const order = Object.keys(runtimes);
    for (const id of r % 2 ? order.reverse() : order) results[id].push(await runtimes[id][1]());
    console.error(`decode round ${r + 1}/${decodeRounds}, load average ${loadavg()[0].toFixed(1)}`);
  }
  lm.dispose();
  const reference = results.mlxts[0].tokens;
  return {
    promptTokens: prompt.length,
    tokens: decodeTokens,
    runtimes: Object.entries(runtimes).map(([id, [label]]) => ({
      id,
      label,
      promptTps: median(results[id].map((x) => x.promptTps)),
      decodeTps: median(results[id].map((x) => x.decodeTps)),
      // Every run's tokens against mlxts's first: the fewest shared leading tokens.
      sameTokensAsMlxts: Math.min(...results[id].map((x) => sharedPrefix(x.tokens, reference))),
    })),
  };
}

const ops = await opCases();
const decoding = await decode();
python.close();

let flags = '';
try {
  flags = execFileSync('sh', ['-c', "grep -o -w -e avx2 -e avx512f -e fma /proc/cpuinfo | sort -u | tr '\\n' ' '"], { encoding: 'utf8' }).trim();
} catch {}
let gpuName;
if (device === 'gpu') {
  try {
    gpuName = execFileSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], { encoding: 'utf8' }).trim().replace(', ', ', driver ');
  } catch {}
}
const results = {
  device,
  machine: { cpu: cpus()[0]?.model ?? 'unknown CPU', cores: cpus().length, flags, memGiB: Math.round(totalmem() / 1024 ** 3), gpu: gpuName, node: process.version, mlx: mx.buildInfo().mlxVersion, cpuQuantizedMatmul: mx.buildInfo().cpuQuantizedMatmul },
  loadAverage: { start: loadAtStart, end: loadavg()[0] },
  rounds,
  decodeRounds,
  ops,
  decode: decoding,
};

writeFileSync(here(`./RESULTS-compare${device === 'gpu' ? '-gpu' : ''}.json`), `${JSON.stringify(results, null, 2)}\n`);
console.log(writeCompareReport());
