// "Install only the packages you need": pack @mlxts/native, core, fast, quant, nn and optimizers, install
// just those into a project outside the repository, run a program that uses them (a few training steps of
// a small network), and check @mlxts/linalg is absent.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mlxts-pack-'));
afterAll(() => rm(work, { recursive: true, force: true }), 120_000);

// Child processes run asynchronously: a minutes-long synchronous install would block the test worker,
// which then misses Vitest's messages (an "onTaskUpdate" timeout).
function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

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
      const pack = await run('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: join(repo, 'packages', pkg) });
      expect(pack.status, pack.stderr).toBe(0);
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
    const execution = await run(process.execPath, ['main.mjs'], { cwd: project });
    expect(execution.status, execution.stderr).toBe(0);
    const [result, linalg] = execution.stdout.trim().split('\n');
    expect(JSON.parse(result).sum).toBe(7);
    expect(JSON.parse(result).norm[0][0]).toBeCloseTo(0.8485281, 5);
    expect(JSON.parse(result).last).toBeLessThan(JSON.parse(result).first);
    expect(linalg).toBe('ERR_MODULE_NOT_FOUND');
  }, 600_000);
});
