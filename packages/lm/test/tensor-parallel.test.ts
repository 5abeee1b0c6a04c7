// Tensor-parallel inference of the default model on 2 local ranks (mlxts-launch): each rank's sharded
// model must generate the greedy tokens of the whole model, which are MLX Python's recorded tokens
// (fixtures/generation-smollm2.json, as in generation.test.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kvHeadShares, shardModel } from '../src/index.js';
import { tinyModel } from './tiny-model.js';
import { hasModel, modelPath } from './model-file.js';

const launcher = fileURLToPath(new URL('../../core/dist/launch/main.js', import.meta.url));
const fixture = JSON.parse(readFileSync(new URL('./fixtures/generation-smollm2.json', import.meta.url), 'utf8')) as { cases: { prompt: number[]; tokens: number[] }[] };
const TOKENS = 8;

describe('kvHeadShares', () => {
  it('deals the key/value heads out as evenly as they go', () => {
    expect(kvHeadShares(3, 2)).toEqual([2, 1]);
    expect(kvHeadShares(8, 4)).toEqual([2, 2, 2, 2]);
    expect(kvHeadShares(5, 3)).toEqual([2, 2, 1]);
  });
});

describe('shardModel in one process', () => {
  it('leaves the model as it is in a group of one, and refuses what is not a group', () => {
    const model = tinyModel();
    const qProj = model.model.layers[0]!.self_attn.q_proj;
    expect(shardModel(model)).toBe(model);
    expect(model.model.layers[0]!.self_attn.q_proj).toBe(qProj);
    expect(() => shardModel(model, {} as never)).toThrow(new TypeError('shardModel: the group must be a group from mx.distributed.init()'));
    model.dispose();
  });
});

describe.skipIf(!hasModel)('SmolLM2-135M-Instruct sharded over 2 ranks', () => {
  it('generates the greedy tokens of one rank', () => {
    const cases = [fixture.cases[4]!];
    const script = fileURLToPath(new URL('./ranks/tensor-parallel.mjs', import.meta.url));
    const args = [launcher, '-n', '2', script, modelPath, JSON.stringify(cases.map((c) => c.prompt)), String(TOKENS)];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000, killSignal: 'SIGTERM' });
    expect(run.status, run.stderr).toBe(0);
    type Result = { cases: { sharded: number[]; whole?: number[]; logitsMaxDiff?: number }[]; heads: Record<string, number> };
    const [rank0, rank1] = [0, 1].map((rank) => JSON.parse(run.stdout.match(new RegExp(`^\\[${rank}\\] RESULT (.*)$`, 'm'))![1]!) as Result);
    // 9 query heads over 3 key/value heads: rank 0 has kv heads 0-1 (queries 0-5), rank 1 kv head 2 (6-8);
    // the MLP's 1536 features split evenly.
    expect(rank0!.heads).toEqual({ query: 6, kv: 2, qProjRows: 384, mlpRows: 768 });
    expect(rank1!.heads).toEqual({ query: 3, kv: 1, qProjRows: 192, mlpRows: 768 });
    cases.forEach((c, i) => {
      const whole = rank0!.cases[i]!;
      expect(whole.whole).toEqual(c.tokens.slice(0, TOKENS));
      expect(whole.sharded).toEqual(whole.whole);
      expect(rank1!.cases[i]!.sharded).toEqual(whole.whole);
      // The same sums in another order (partial sums added by allSum): float32 rounding only.
      expect(whole.logitsMaxDiff).toBeLessThan(1e-3);
    });
  }, 150_000);
});
