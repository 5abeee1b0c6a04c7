// "Install only the packages you need": pack @mlxts/native, core, fast, quant, nn and optimizers, install
// just those into a project outside the repository, run a program that uses them (a few training steps of
// a small network), and check @mlxts/linalg is absent. Then add @mlxts/lm to the same project and run its
// tokenizer, its CLI, and (when the default model is in the model cache) a short generation.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs a command without blocking the test worker: an install that compiles the addon takes minutes, and a
 * worker blocked that long misses vitest's own messages (an "onTaskUpdate" timeout fails the run).
 */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const work = mkdtempSync(join(tmpdir(), 'mlxts-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const lmProgram = `
import { loadModel, cachedDefaultModelPath, tokenizerFromGguf, Tokenizer, MetadataReader } from '@mlxts/lm';
const meta = new MetadataReader('test', 'inline', { 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'smollm', 'tokenizer.ggml.tokens': ['a', 'b', 'ab'], 'tokenizer.ggml.merges': ['a b'] });
console.log(JSON.stringify(new Tokenizer(tokenizerFromGguf(meta)).encode('abab')));
const path = cachedDefaultModelPath();
if (path) {
  const lm = await loadModel(path);
  const result = await lm.generate([{ role: 'user', content: 'What is the capital of France?' }], { maxTokens: 8 }).complete();
  console.log(result.text);
  lm.dispose();
} else {
  console.log('no model');
}
`;

const program = `
import * as mx from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as nn from '@mlxts/nn';
import * as optim from '@mlxts/optimizers';
const x = mx.array([[3, 4]]);
const y = fast.rmsNorm(x, null, 0);
const model = new nn.Sequential(new nn.Linear(2, 8), nn.relu, new nn.Linear(8, 1));
const optimizer = new optim.Adam(0.05);
const data = mx.array([[0, 0], [0, 1], [1, 0], [1, 1]]);
const target = mx.array([[0], [1], [1], [0]]);
const lossAndGrad = nn.valueAndGrad(model, () => nn.losses.mseLoss(model.forward(data), target));
const losses = [];
for (let i = 0; i < 50; i++) {
  const [loss, grads] = lossAndGrad();
  optimizer.update(model, grads);
  losses.push(loss.item());
}
console.log(JSON.stringify({ sum: mx.sum(x).item(), norm: y.toArray(), first: losses[0], last: losses[49] }));
try {
  await import('@mlxts/linalg');
  console.log('linalg imported');
} catch (error) {
  console.log(error.code);
}
`;

describe('installing only some packages', () => {
  it('core, fast, nn and optimizers work in a fresh project, and linalg is not installed', async () => {
    const packs = join(work, 'packs');
    mkdirSync(packs);
    for (const pkg of ['native', 'core', 'fast', 'quant', 'nn', 'optimizers']) {
      execFileSync('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: join(repo, 'packages', pkg), stdio: 'pipe' });
    }
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    const project = join(work, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    writeFileSync(join(project, 'main.mjs'), program);
    // The native package builds its addon at install; MLX_DIR reuses the repository's MLX instead of
    // downloading it again.
    const sdk = readdirSync(join(repo, 'packages/native/mlx-sdk')).find((d) => d.startsWith('mlx-cpu-'))!;
    const install = await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], {
      cwd: project,
      env: { ...process.env, MLX_DIR: join(repo, 'packages/native/mlx-sdk', sdk, 'mlx') },
    });
    expect(install.status, install.stderr.slice(-2000)).toBe(0);
    expect(readdirSync(join(project, 'node_modules', '@mlxts')).sort()).toEqual(['core', 'fast', 'native', 'nn', 'optimizers', 'quant']);
    const main = await run(process.execPath, ['main.mjs'], { cwd: project });
    expect(main.status, main.stderr).toBe(0);
    const [result, linalg] = main.stdout.trim().split('\n');
    expect(JSON.parse(result).sum).toBe(7);
    expect(JSON.parse(result).norm[0][0]).toBeCloseTo(0.8485281, 5);
    expect(JSON.parse(result).last).toBeLessThan(JSON.parse(result).first);
    expect(linalg).toBe('ERR_MODULE_NOT_FOUND');
    // @mlxts/core's launcher runs two ranks of a distributed job there.
    writeFileSync(join(project, 'dist.mjs'), "import * as mx from '@mlxts/core';\nconst g = mx.distributed.init({ strict: true });\nconsole.log(`sum ${mx.distributed.allSum(mx.array([g.rank + 1])).item()}`);\n");
    const launched = await run('npx', ['mlxts-launch', '-n', '2', 'dist.mjs'], { cwd: project });
    expect(launched.status, launched.stderr).toBe(0);
    expect(launched.stdout.trim().split('\n').sort()).toEqual(['[0] sum 3', '[1] sum 3']);
  }, 600_000);

  it('@mlxts/lm installs into the same project, and its API and CLI run there', async () => {
    const packs = join(work, 'lm-packs');
    mkdirSync(packs);
    execFileSync('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: join(repo, 'packages', 'lm'), stdio: 'pipe' });
    const project = join(work, 'app');
    writeFileSync(join(project, 'lm.mjs'), lmProgram);
    const sdk = readdirSync(join(repo, 'packages/native/mlx-sdk')).find((d) => d.startsWith('mlx-cpu-'))!;
    // The first test's tarballs again, so npm keeps those packages (and the built addon) as they are.
    const tarballs = [join(work, 'packs'), packs].flatMap((dir) => readdirSync(dir).map((f) => join(dir, f)));
    const install = await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], {
      cwd: project,
      env: { ...process.env, MLX_DIR: join(repo, 'packages/native/mlx-sdk', sdk, 'mlx') },
    });
    expect(install.status, install.stderr.slice(-2000)).toBe(0);
    const lm = await run(process.execPath, ['lm.mjs'], { cwd: project });
    expect(lm.status, lm.stderr).toBe(0);
    const [ids, answer] = lm.stdout.trim().split('\n');
    expect(JSON.parse(ids)).toEqual([2, 2]);
    expect(answer === 'no model' || /Paris/.test(answer)).toBe(true);
    const help = await run('npx', ['mlxts-lm', '--help'], { cwd: project });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: mlxts-lm/);
  }, 600_000);
});
