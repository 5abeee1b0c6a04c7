// One rank of tensor-parallel.test.ts: loads the model sharded over the group and prints its greedy tokens
// for the prompts given as JSON in argv[3] (argv[2] is the model path, argv[4] the number of tokens) and
// this rank's head counts. Rank 0 also runs the whole model (no collectives, so the other ranks need not):
// its tokens, and the largest difference of the first-step logits.
import * as mx from '@mlxts/core';
import { generateTokens, KVCache, loadModel } from '@mlxts/lm';

const group = mx.distributed.init({ strict: true, timeout: 60000 });
const [path, promptsJson, maxTokens] = process.argv.slice(2);
const prompts = JSON.parse(promptsJson);
const whole = group.rank === 0 ? await loadModel(path) : undefined;
const sharded = await loadModel(path, { tensorGroup: group });

const greedy = async (lm, prompt) => {
  const tokens = [];
  for await (const step of generateTokens(lm.model, prompt, { maxTokens: Number(maxTokens), stopTokens: lm.tokenizer.eosTokenIds })) tokens.push(step.token);
  return tokens;
};
const firstLogits = (lm, prompt) => {
  const cache = new KVCache(lm.model.config.numLayers, lm.model.cacheKvHeads, lm.model.config.headDim);
  try {
    return mx.tidy(() => lm.model.forward(mx.array(Int32Array.from(prompt)).reshape([1, prompt.length]), cache, { lastOnly: true }));
  } finally {
    cache.dispose();
  }
};

const results = { cases: [] };
for (const prompt of prompts) {
  // Every rank evaluates the sharded model's collectives now, in the same order.
  const logits = firstLogits(sharded, prompt);
  await mx.eval(logits);
  const entry = { sharded: await greedy(sharded, prompt) };
  if (whole) {
    entry.whole = await greedy(whole, prompt);
    entry.logitsMaxDiff = mx.max(mx.abs(mx.subtract(firstLogits(whole, prompt), logits))).item();
  }
  results.cases.push(entry);
}
const attention = sharded.model.model.layers[0].self_attn;
results.heads = { query: attention.numHeads, kv: attention.numKvHeads, qProjRows: attention.q_proj.weight.shape[0], mlpRows: sharded.model.model.layers[0].mlp.up_proj.weight.shape[0] };
console.log(`RESULT ${JSON.stringify(results)}`);
