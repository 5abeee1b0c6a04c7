// The addon inside worker_threads: several workers and the main thread evaluate at the same time.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';

function runWorker(offset: number): Promise<{ results: number[]; sync: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fixtures/worker.mjs', import.meta.url), { workerData: { offset } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

describe('worker_threads', () => {
  it('three workers and the main thread evaluate concurrently with correct values', async () => {
    const workers = [0, 1000, 2000].map(runWorker);
    const main: number[] = [];
    for (let i = 0; i < 50; i++) main.push(mx.tidy(() => mx.sum(mx.add(mx.arange(100), i)).item()) as number);
    const outputs = await Promise.all(workers);
    const expected = (offset: number) => Array.from({ length: 50 }, (_, i) => 4950 + 100 * (offset + i));
    expect(main).toEqual(expected(0));
    outputs.forEach((out, w) => {
      expect(out.results).toEqual(expected(w * 1000));
      expect(out.sync).toBe(512);
    });
  });

  it('a worker can be terminated while the main thread keeps working', async () => {
    const worker = new Worker(new URL('./fixtures/worker.mjs', import.meta.url), { workerData: { offset: 0 } });
    await new Promise((r) => setTimeout(r, 20));
    await worker.terminate();
    expect(mx.tidy(() => mx.sum(mx.ones([10])).item())).toBe(10);
  });
});
