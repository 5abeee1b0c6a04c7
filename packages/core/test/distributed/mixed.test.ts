// One ring of mlxts and MLX Python ranks: both read MLX_RANK and MLX_HOSTFILE, so an mlxts rank started
// by mlxts-launch and an MLX Python rank started by hand join the same ring. Needs MLX Python 0.32.4 in
// the bench venv (bench/.venv, which `npm run bench:distributed` creates) or at $MLXTS_MLX_PYTHON;
// skipped otherwise, so npm test never needs Python.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPorts } from '../../src/launch/hostfile.js';
import { rankResults, ranksDir, runLauncher } from './launch-ranks.js';

const python = process.env.MLXTS_MLX_PYTHON ?? fileURLToPath(new URL('../../../../bench/.venv/bin/python', import.meta.url));
const mlxVersion = existsSync(python) ? spawnSync(python, ['-c', 'import mlx.core as mx; print(mx.__version__)'], { encoding: 'utf8' }).stdout?.trim() : undefined;
const skipReason = mlxVersion === '0.32.4' ? undefined : `no MLX Python 0.32.4 at ${python} (found ${mlxVersion ?? 'nothing'}); run npm run bench:distributed once to create the bench venv`;
const dir = mkdtempSync(join(tmpdir(), 'mlxts-mixed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  rank: number;
  size: number;
  total: number[];
  gathered: number[][];
  received: number[];
}

describe.skipIf(skipReason !== undefined)(`a ring of mlxts and MLX Python ranks${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('rank 0 (mlxts, through mlxts-launch --ranks 0) and rank 1 (MLX Python) compute together', async () => {
    const hostfile = join(dir, 'hosts.json');
    writeFileSync(hostfile, JSON.stringify((await freeLoopbackPorts(2)).map((port) => [`127.0.0.1:${port}`])));
    const py = spawn(python, [join(ranksDir, 'mixed.py')], { env: { ...process.env, MLX_RANK: '1', MLX_HOSTFILE: hostfile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let pyOut = '';
    py.stdout.on('data', (d: Buffer) => (pyOut += d.toString()));
    const pyDone = new Promise<number | null>((resolve) => py.once('close', resolve));
    const killer = setTimeout(() => py.kill('SIGKILL'), 30_000);
    const node = await runLauncher(['--hostfile', hostfile, '--ranks', '0', 'mixed.mjs']);
    const pyCode = await pyDone;
    clearTimeout(killer);
    expect(node.code, node.stderr).toBe(0);
    expect(pyCode).toBe(0);
    const fromNode = rankResults<Result>(node.stdout).get(0)!;
    const fromPython = JSON.parse(pyOut.match(/^RESULT (.*)$/m)![1]!) as Result;
    for (const result of [fromNode, fromPython]) {
      expect(result.size).toBe(2);
      expect(result.total).toEqual([1 + 2, 0 + 10]);
      expect(result.gathered).toEqual([[0, 0], [1, 2]]);
    }
    expect(fromNode.received).toEqual([100, 101, 102, 103, 104]);
    expect(fromPython.received).toEqual([0, 1, 2, 3, 4]);
  });
});
