// Tensor-parallel generation with the default model (SmolLM2-135M-Instruct): every rank loads the model,
// keeps its share of each block's attention heads and MLP features (shardModel), and all ranks run the
// same generation, combining their partial results with two allSums per block. Rank 0 prints the answer.
//
//   npx mlxts-launch -n 2 examples/tensor-parallel.mjs "What is the capital of France?"
//   node examples/tensor-parallel.mjs "..."          (one process: the whole model, for comparison)
//
// TP_MAX_TOKENS=n sets how many tokens to generate (default 64).
import * as mx from '@mlxts/core';
import { cachedDefaultModelPath, loadModel } from '@mlxts/lm';

const group = mx.distributed.init();
const prompt = process.argv.slice(2).join(' ') || 'Write a haiku about the sea.';
const maxTokens = Number(process.env.TP_MAX_TOKENS ?? 64);

// Every rank reads the model from the cache: fetch it once beforehand (npm run fetch-model), not from
// several processes at once.
const path = cachedDefaultModelPath();
if (path === undefined) {
  console.error('The default model is not in the cache: run `npm run fetch-model` first.');
  process.exit(1);
}
const lm = await loadModel(path, { tensorGroup: group });
const generation = lm.generate([{ role: 'user', content: prompt }], { maxTokens });
for await (const chunk of generation) if (group.rank === 0) process.stdout.write(chunk.text);
const { stats, tokens } = generation.result;
if (group.rank === 0) {
  process.stdout.write('\n');
  console.log(`${group.size} rank(s): ${tokens.length} tokens, prompt ${stats.promptTps.toFixed(1)} tokens/s, generation ${stats.generationTps.toFixed(1)} tokens/s`);
}
lm.dispose();
