// The mlxts side of bench/compare: the same cases as mlx_cases.py, one measurement per call. Each case
// returns nanoseconds per op (the overhead cases) or milliseconds per evaluation (the kernel-bound ones).
import * as mx from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as quant from '@mlxts/quant';

const a = mx.ones([4]);
const b = mx.ones([4]);
const bigX = mx.full([1 << 24], 1.5);
const bigY = mx.full([1 << 24], 2.5);
const logits = mx.random.normal([1024, 4096]);
mx.evalSync(a, b, bigX, bigY, logits);

function nsPer(n, body) {
  const start = process.hrtime.bigint();
  body(n);
  return Number(process.hrtime.bigint() - start) / n;
}

/** Milliseconds to build and evaluate `build()` (its tensors freed afterwards). */
function ms(build) {
  const start = performance.now();
  mx.tidy(() => mx.evalSync(build()));
  return performance.now() - start;
}

let layers;
/** 30 decode-sized layers: rmsNorm, 576 -> 1536 and 1536 -> 576 4-bit products (group 32), one token. */
function quantizedStack() {
  layers ??= mx.tidy(() => {
    const weight = (rows, cols) => quant.quantize(mx.multiply(mx.random.normal([rows, cols]), cols ** -0.5), { bits: 4, groupSize: 32 });
    const stack = Array.from({ length: 30 }, () => ({ up: weight(1536, 576), down: weight(576, 1536) }));
    const norm = mx.keep(mx.ones([576]));
    const x0 = mx.keep(mx.random.normal([1, 576]));
    mx.evalSync(stack, norm, x0);
    return { stack, norm, x0 };
  });
  const { stack, norm, x0 } = layers;
  return ms(() => {
    let x = x0;
    for (const { up, down } of stack) x = quant.quantizedMatmul(quant.quantizedMatmul(fast.rmsNorm(x, norm, 1e-5), up), down);
    return x;
  });
}

export const cases = {
  // The JS result of each op is disposed at once, as Python frees it when its last reference goes.
  lazyAdd: () => nsPer(20_000, (n) => {
    for (let i = 0; i < n; i++) mx.add(a, b).dispose();
  }),
  roundTrip: () => nsPer(2_000, (n) => {
    for (let i = 0; i < n; i++) mx.tidy(() => mx.sum(mx.add(a, b)).item());
  }),
  chained: () => nsPer(1_000, (n) => mx.tidy(() => {
    let x = a;
    for (let i = 0; i < n; i++) x = mx.add(x, b);
    mx.evalSync(x);
  })),
  evalEach: () => nsPer(1_000, (n) => {
    let x = a;
    for (let i = 0; i < n; i++) {
      const y = mx.add(x, b);
      mx.evalSync(y);
      if (x !== a) x.dispose();
      x = y;
    }
    x.dispose();
  }),
  add16M: () => ms(() => mx.add(bigX, bigY)),
  sum16M: () => ms(() => mx.sum(bigX)),
  softmax: () => ms(() => mx.softmax(logits, -1)),
  quantizedStack,
};
