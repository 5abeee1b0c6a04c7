// npm run bench:tensor-parallel: prompt and decode tokens/s of the default model (SmolLM2-135M-Instruct,
// Q4_1 GGUF) whole on one process against sharded over 2 local ranks (mlxts-launch, the ring backend on
// 127.0.0.1), greedy, the configurations run in turns. Prints a Markdown table for bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { cachedDefaultModelPath } from '@mlxts/lm';
import { median } from './stats.mjs';

const runs = Number(process.env.BENCH_TP_RUNS ?? 3);
const decodeTokens = Number(process.env.BENCH_TP_TOKENS ?? 32);
const rounds = Number(process.env.BENCH_TP_ROUNDS ?? 2);
const root = new URL('..', import.meta.url).pathname;
if (cachedDefaultModelPath() === undefined) {
  console.error('The default model is not in the cache: run `npm run fetch-model` first.');
  process.exit(1);
}

const configurations = [
  { name: '1 process, the whole model', ranks: 1, env: {} },
  { name: '2 ranks (tensor-parallel)', ranks: 2, env: {} },
  { name: '2 ranks, one compute thread each', ranks: 2, env: { MLXTS_CPU_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } },
];

function run({ ranks, env }) {
  const args = [`${root}packages/core/dist/launch/main.js`, '-n', String(ranks), `${root}bench/tensor-parallel-rank.mjs`, String(runs), String(decodeTokens)];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
  return JSON.parse(out.match(/^\[0\] RESULT (.*)$/m)[1]);
}

const loadAtStart = loadavg()[0];
const results = configurations.map(() => []);
for (let round = 0; round < rounds; round++) configurations.forEach((c, i) => results[i].push(run(c)));
const loadAtEnd = loadavg()[0];

console.log(`${cpus().length} cores (${cpus()[0].model}); Node ${process.version}; load average ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end`);
console.log(`greedy, the 110-token benchmark prompt and ${decodeTokens} tokens; medians over ${rounds} launches x ${runs} generations after a warm-up\n`);
console.log('| configuration | prompt tokens/s | decode tokens/s | decode vs 1 process | allSum of [1, 1, 576] float32 |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const base = median(results[0].map((r) => r.decodeTps));
configurations.forEach((c, i) => {
  const m = (key) => median(results[i].map((r) => r[key]));
  const allSum = c.ranks === 1 ? '(no communication)' : `${m('allSumMs').toFixed(2)} ms`;
  console.log(`| ${c.name} | ${m('promptTps').toFixed(1)} | ${m('decodeTps').toFixed(1)} | ${(m('decodeTps') / base).toFixed(2)}x | ${allSum} |`);
});
