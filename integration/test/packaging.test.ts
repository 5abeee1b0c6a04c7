// "Install only the packages you need": pack @mlxts/native, core and fast, install just those into a
// project outside the repository, run a program that uses both, and check @mlxts/linalg is absent.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mlxts-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const program = `
import * as mx from '@mlxts/core';
import * as fast from '@mlxts/fast';
const x = mx.array([[3, 4]]);
const y = fast.rmsNorm(x, null, 0);
console.log(JSON.stringify({ sum: mx.sum(x).item(), norm: y.toArray() }));
try {
  await import('@mlxts/linalg');
  console.log('linalg imported');
} catch (error) {
  console.log(error.code);
}
`;

/**
 * Runs a command without blocking this process's event loop: the install builds the addon for minutes on a
 * loaded machine, and a synchronous wait that long makes vitest's worker miss its own RPC deadlines.
 */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('installing only some packages', () => {
  it('core + fast work in a fresh project, and linalg is not installed', async () => {
    const packs = join(work, 'packs');
    mkdirSync(packs);
    for (const pkg of ['native', 'core', 'fast']) {
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
    expect(readdirSync(join(project, 'node_modules', '@mlxts')).sort()).toEqual(['core', 'fast', 'native']);
    const main = await run(process.execPath, ['main.mjs'], { cwd: project });
    expect(main.status, main.stderr).toBe(0);
    const [result, linalg] = main.stdout.trim().split('\n');
    expect(JSON.parse(result).sum).toBe(7);
    expect(JSON.parse(result).norm[0][0]).toBeCloseTo(0.8485281, 5);
    expect(linalg).toBe('ERR_MODULE_NOT_FOUND');
  }, 600_000);
});
