// Token-exact: greedy generation of the default model equals MLX Python's (mlx 0.32.4 running the same GGUF
// arrays with the same float32 compute; scripts/record_generation.py) on chat and plain prompts. The
// first step's top-5 logits match too. The first prompt runs to its end through the streaming API; of the
// others, MLXTS_LM_EXACT_TOKENS tokens are compared (default 8, to keep `npm test` short on two cores; up
// to the 32 recorded).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { generateTokens, KVCache, loadModel } from '../src/index.js';
import type { LanguageModel } from '../src/index.js';
import { hasModel, modelPath } from './model-file.js';

interface Fixture {
  mlx: string;
  maxTokens: number;
  cases: { prompt: number[]; tokens: number[]; text: string; firstTop5: number[]; firstTop5Logits: number[] }[];
}
const fixture: Fixture = JSON.parse(readFileSync(new URL('./fixtures/generation-smollm2.json', import.meta.url), 'utf8'));
const count = Math.min(Number(process.env.MLXTS_LM_EXACT_TOKENS ?? 8), fixture.maxTokens);

describe.skipIf(!hasModel)(`SmolLM2-135M-Instruct greedy generation equals MLX Python ${fixture.mlx}`, () => {
  let lm: LanguageModel;
  afterAll(() => lm?.dispose());

  it('loads', async () => {
    lm = await loadModel(modelPath);
    expect(lm.model.config).toMatchObject({ numLayers: 30, hiddenSize: 576, numHeads: 9, numKvHeads: 3, intermediateSize: 1536, vocabSize: 49152, ropeTheta: 100000, tieWordEmbeddings: true, ropeTraditional: true });
  });

  it.each(fixture.cases.slice(1).map((c, i) => [i + 1, c.text.slice(0, 40)]))('prompt %i (%s...)', async (i) => {
    const c = fixture.cases[i as number];
    const first = mx.tidy(() => {
      using cache = new KVCache(30, 3, 64);
      return (lm.model.forward(mx.array(Int32Array.from(c.prompt)).reshape([1, c.prompt.length]), cache, { lastOnly: true }).toArray() as number[][][])[0][0];
    });
    c.firstTop5.forEach((token, k) => expect(first[token]).toBeCloseTo(c.firstTop5Logits[k], 3));
    const tokens: number[] = [];
    for await (const step of generateTokens(lm.model, c.prompt, { maxTokens: count, stopTokens: lm.tokenizer.eosTokenIds })) tokens.push(step.token);
    expect(tokens).toEqual(c.tokens.slice(0, count));
  });

  it('streams the text MLX Python decoded, to the end of the answer', async () => {
    const c = fixture.cases[0];
    const generation = lm.generate([{ role: 'user', content: 'What is the capital of France?' }], { maxTokens: fixture.maxTokens });
    let text = '';
    for await (const chunk of generation) text += chunk.text;
    expect(generation.result!.tokens).toEqual(c.tokens);
    expect(text).toBe(c.text);
    expect(generation.result!.finishReason).toBe('stop');
  });
});
