// One rank of bench/tensor-parallel.mjs: the default model sharded over the launcher's group (whole with
// one rank), greedy generations of the benchmark prompt, and the latency of one small allSum, the
// collective each block runs twice per token. Rank 0 prints the medians as JSON.
import * as mx from '@mlxts/core';
import { cachedDefaultModelPath, loadModel } from '@mlxts/lm';
import { benchPrompt, greedyStats } from './prompt.mjs';
import { median } from './stats.mjs';

const [runs, decodeTokens] = process.argv.slice(2).map(Number);
const group = mx.distributed.init();
const lm = await loadModel(cachedDefaultModelPath(), { tensorGroup: group });
const prompt = benchPrompt(lm);

await greedyStats(lm, prompt, decodeTokens); // warm-up
const stats = [];
for (let i = 0; i < runs; i++) stats.push(await greedyStats(lm, prompt, decodeTokens));

// A decode step's activations [1, 1, hidden], summed over the group and evaluated on their own.
const x = mx.ones([1, 1, lm.model.config.hiddenSize]);
const times = [];
for (let i = 0; i < 60; i++) {
  const start = performance.now();
  await mx.distributed.allSum(x).eval();
  times.push(performance.now() - start);
}
if (group.rank === 0) {
  console.log(`RESULT ${JSON.stringify({
    promptTps: median(stats.map((s) => s.promptTps)),
    decodeTps: median(stats.map((s) => s.generationTps)),
    allSumMs: median(times.slice(10)),
  })}`);
}
lm.dispose();
