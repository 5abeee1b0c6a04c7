// The install promises, checked on packed tarballs in projects outside the repository:
// - With the prebuilt platform package @mlxts/native-linux-x64, every public package installs and runs with
//   no build tools at all: the project's PATH holds only node, npm, npx, sh and which, and `which` shows that
//   no compiler, CMake, Ninja, make or Python is reachable; nothing is compiled at install.
// - Without it (the fallback), @mlxts/native builds from source at install. That project also checks
//   "install only the packages you need": native, core, fast, quant, nn and optimizers run a few training
//   steps and @mlxts/linalg is absent; then @mlxts/lm joins, and its tokenizer, CLI and (when the default
//   model is in the model cache) a short generation run there.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const publicPackages = ['native', 'core', 'fast', 'linalg', 'quant', 'nn', 'optimizers', 'lm'];

/**
 * Runs a command without blocking the test worker: an install that compiles the addon takes minutes, and a
 * worker blocked that long misses vitest's own messages (an "onTaskUpdate" timeout fails the run). Packing
 * and deleting the installed projects take long enough under load to need the same care.
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
// Three installed projects: deleting them takes more than the default 10 s on a busy machine.
afterAll(() => rm(work, { recursive: true, force: true }), 120_000);

/** The tarball of each public package, by folder name (native, core, ...). */
const tarballs: Record<string, string> = {};
const packs = join(work, 'packs');

/** Packs the package in `dir` into the packs folder and returns the tarball's path. */
async function pack(dir: string): Promise<string> {
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: dir });
  expect(packed.status, packed.stderr).toBe(0);
  return join(packs, packed.stdout.trim());
}

beforeAll(async () => {
  mkdirSync(packs);
  for (const pkg of publicPackages) tarballs[pkg] = await pack(join(repo, 'packages', pkg));
}, 180_000);

function project(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

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

function expectLmOutput(stdout: string): void {
  const [ids, answer] = stdout.trim().split('\n');
  expect(JSON.parse(ids)).toEqual([2, 2]);
  expect(answer === 'no model' || /Paris/.test(answer)).toBe(true);
}

const trainingProgram = `
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
`;

function expectTrainingOutput(line: string): void {
  const result = JSON.parse(line);
  expect(result.sum).toBe(7);
  expect(result.norm[0][0]).toBeCloseTo(0.8485281, 5); // 3 / sqrt((9 + 16) / 2)
  expect(result.last).toBeLessThan(result.first);
}

// Every row of w holds 0..15 once per 16 columns, so 4-bit affine quantization (scale 1, bias 0) is exact
// and x @ w.T is an integer sum that JavaScript computes here.
const qmmRows = [1, 3].map((step) => Array.from({ length: 64 }, (_, j) => (j * step) % 16));
const qmmExpected = qmmRows.map((row) => row.reduce((sum, v, j) => sum + j * v, 0));

const everyPackageProgram = `
import * as mx from '@mlxts/core';
import * as linalg from '@mlxts/linalg';
import * as quant from '@mlxts/quant';
const product = mx.matmul(mx.array([[1, 2], [3, 4]]), mx.array([[5, 6], [7, 8]])).toArray();
const inverse = linalg.inv(mx.array([[4, 7], [2, 6]])).toArray();
const q = quant.quantize(mx.array(${JSON.stringify(qmmRows)}), { bits: 4, groupSize: 64 });
const qmm = quant.quantizedMatmul(mx.arange(0, 64, 1, 'float32').reshape([1, 64]), q).toArray();
console.log(JSON.stringify({ product, inverse, qmm }));
`;

/** A folder of links to node, npm, npx, sh and which only: a PATH with no build tool on it. */
function bareBin(): string {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  const npmCli = realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim());
  const links = {
    node: process.execPath,
    npm: npmCli,
    npx: join(dirname(npmCli), 'npx-cli.js'),
    sh: '/bin/sh',
    which: realpathSync(execFileSync('which', ['which'], { encoding: 'utf8' }).trim()),
  };
  for (const [name, target] of Object.entries(links)) symlinkSync(target, join(bin, name));
  return bin;
}

const buildTools = ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++', 'cmake', 'ninja', 'make', 'python', 'python3', 'pip', 'pip3'];

describe('the prebuilt linux-x64 package', () => {
  // The package is assembled from the repository's build against the pinned mlx-cpu wheel, on linux-x64.
  const assembled = `${process.platform}-${process.arch}` === 'linux-x64' && !process.env.MLX_DIR && !process.env.MLXTS_BACKEND;
  it.skipIf(!assembled)(
    'every public package installs and runs where PATH has no compiler, CMake, Ninja or Python (skipped off linux-x64 or with MLX_DIR/MLXTS_BACKEND set: the package is assembled from the default linux-x64 build)',
    async () => {
      const native = join(repo, 'packages', 'native');
      const assembly = await run(process.execPath, ['scripts/prebuilt.mjs'], { cwd: native });
      expect(assembly.status, assembly.stderr).toBe(0);
      const platformPack = await pack(join(native, 'prebuilt', 'native-linux-x64'));

      const env = { ...process.env, PATH: bareBin() };
      const which = await run('which', buildTools, { cwd: work, env });
      expect(which.status, 'which found a build tool').toBe(1);
      expect(which.stdout).toBe('');

      const app = project('app-prebuilt', { 'main.mjs': trainingProgram, 'all.mjs': everyPackageProgram, 'lm.mjs': lmProgram });
      const install = await run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', platformPack, ...Object.values(tarballs)], { cwd: app, env });
      expect(install.status, install.stderr.slice(-2000)).toBe(0);
      expect(install.stdout).toContain('[mlxts] using the prebuilt addon of @mlxts/native-linux-x64; nothing to build');
      expect(existsSync(join(app, 'node_modules', '@mlxts', 'native', 'build'))).toBe(false);
      expect(readdirSync(join(app, 'node_modules', '@mlxts')).sort()).toEqual([...publicPackages, 'native-linux-x64'].sort());

      const main = await run('node', ['main.mjs'], { cwd: app, env });
      expect(main.status, main.stderr).toBe(0);
      expectTrainingOutput(main.stdout.trim());

      const all = await run('node', ['all.mjs'], { cwd: app, env });
      expect(all.status, all.stderr).toBe(0);
      const { product, inverse, qmm } = JSON.parse(all.stdout);
      expect(product).toEqual([[19, 22], [43, 50]]);
      [[0.6, -0.7], [-0.2, 0.4]].flat().forEach((v, i) => expect(inverse.flat()[i]).toBeCloseTo(v, 5));
      expect(qmm).toEqual([qmmExpected]);

      const lm = await run('node', ['lm.mjs'], { cwd: app, env });
      expect(lm.status, lm.stderr).toBe(0);
      expectLmOutput(lm.stdout);

      const doctor = await run('npx', ['mlxts-doctor'], { cwd: app, env });
      expect(doctor.status, doctor.stderr).toBe(0);
      const loaded = join(realpathSync(app), 'node_modules', '@mlxts', 'native-linux-x64', 'mlxts.node');
      expect(doctor.stdout).toContain(`addon:           prebuilt, from @mlxts/native-linux-x64 (${loaded})`);
      expect(doctor.stdout).toMatch(/blas\/lapack: +OpenBLAS 0\.3\.31 \(bundled\)/);
    },
    600_000,
  );
});

describe('without a prebuilt package: the source build, and installing only some packages', () => {
  // MLX_DIR reuses the repository's MLX instead of downloading it again.
  const sdk = () => {
    const dir = readdirSync(join(repo, 'packages/native/mlx-sdk')).find((d) => d.startsWith('mlx-cpu-'))!;
    return join(repo, 'packages/native/mlx-sdk', dir, 'mlx');
  };
  const first = ['native', 'core', 'fast', 'quant', 'nn', 'optimizers'];

  it('@mlxts/native builds from source at install; core, fast, nn and optimizers work, and linalg is not installed', async () => {
    const linalgProbe = `try { await import('@mlxts/linalg'); console.log('linalg imported'); } catch (error) { console.log(error.code); }`;
    const app = project('app', { 'main.mjs': trainingProgram + linalgProbe });
    const install = await run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...first.map((p) => tarballs[p])], {
      cwd: app,
      env: { ...process.env, MLX_DIR: sdk() },
    });
    expect(install.status, install.stderr.slice(-2000)).toBe(0);
    expect(install.stdout).toMatch(/no prebuilt binary fits \(@mlxts\/native-linux-x64 is not installed .*\): building the addon from source/);
    expect(readdirSync(join(app, 'node_modules', '@mlxts')).sort()).toEqual([...first].sort());
    const main = await run(process.execPath, ['main.mjs'], { cwd: app });
    expect(main.status, main.stderr).toBe(0);
    const [result, linalg] = main.stdout.trim().split('\n');
    expectTrainingOutput(result);
    expect(linalg).toBe('ERR_MODULE_NOT_FOUND');
    const doctor = await run('npx', ['mlxts-doctor'], { cwd: app });
    expect(doctor.stdout).toContain(`addon:           built from source (${join(realpathSync(app), 'node_modules', '@mlxts', 'native', 'build', 'Release', 'mlxts.node')})`);
    // @mlxts/core's launcher runs two ranks of a distributed job there.
    writeFileSync(join(app, 'dist.mjs'), "import * as mx from '@mlxts/core';\nconst g = mx.distributed.init({ strict: true });\nconsole.log(`sum ${mx.distributed.allSum(mx.array([g.rank + 1])).item()}`);\n");
    const launched = await run('npx', ['mlxts-launch', '-n', '2', 'dist.mjs'], { cwd: app });
    expect(launched.status, launched.stderr).toBe(0);
    expect(launched.stdout.trim().split('\n').sort()).toEqual(['[0] sum 3', '[1] sum 3']);
  }, 600_000);

  it('@mlxts/lm installs into the same project, and its API and CLI run there', async () => {
    const app = join(work, 'app');
    writeFileSync(join(app, 'lm.mjs'), lmProgram);
    // The first test's tarballs again, so npm keeps those packages (and the built addon) as they are.
    const install = await run('npm', ['install', '--no-audit', '--no-fund', ...[...first, 'lm'].map((p) => tarballs[p])], {
      cwd: app,
      env: { ...process.env, MLX_DIR: sdk() },
    });
    expect(install.status, install.stderr.slice(-2000)).toBe(0);
    const lm = await run(process.execPath, ['lm.mjs'], { cwd: app });
    expect(lm.status, lm.stderr).toBe(0);
    expectLmOutput(lm.stdout);
    const help = await run('npx', ['mlxts-lm', '--help'], { cwd: app });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: mlxts-lm/);
  }, 600_000);
});
