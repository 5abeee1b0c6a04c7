// Data-parallel training of the digit example on 2 local processes (mlxts-launch, the ring backend):
// each rank trains on half of every batch of 64 and nn.averageGradients averages the gradients, so the
// loss curve must be the one process's with the whole batch: the curve MLX Python recorded
// (examples/mnist/reference.py -> reference-losses.safetensors), which mnist-training.test.ts checks
// single-process mlxts against.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as mx from '@mlxts/core';
import { describe, expect, it } from 'vitest';

const STEPS = 10;
const launcher = fileURLToPath(new URL('../../packages/core/dist/launch/main.js', import.meta.url));
const rankScript = fileURLToPath(new URL('./ranks/mnist-data-parallel.mjs', import.meta.url));
const reference = mx.load(fileURLToPath(new URL('../../examples/mnist/reference-losses.safetensors', import.meta.url)) as `${string}.safetensors`);
const expected = Array.from(reference.losses.toTypedArray() as Float32Array).slice(0, STEPS);

describe('the digit example, data parallel', () => {
  it('gives the single-process loss curve on 2 processes with half of each batch each', () => {
    // On a timeout, SIGTERM makes the launcher stop its ranks before it exits.
    const run = spawnSync(process.execPath, [launcher, '-n', '2', rankScript, String(STEPS)], { encoding: 'utf8', timeout: 180_000, killSignal: 'SIGTERM', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.match(/^\[0\] RESULT (.*)$/m)![1]!) as { size: number; losses: number[] };
    expect(result.size).toBe(2);
    expect(result.losses).toHaveLength(STEPS);
    result.losses.forEach((loss, i) => expect(Math.abs(loss - expected[i]!), `step ${i}: ${loss} vs ${expected[i]}`).toBeLessThan(1e-4 * (1 + i)));
  }, 200_000);
});
