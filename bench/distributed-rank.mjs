// One rank of bench/distributed.mjs: times allSum of float32 tensors from 1 KB to 256 MB on the group
// mlxts-launch set up, and prints (on rank 0) the median time of each size as one JSON line.
import * as mx from '@mlxts/core';

const group = mx.distributed.init({ strict: true });
const sizes = JSON.parse(process.argv[2]);
const results = [];
for (const bytes of sizes) {
  const x = mx.ones([bytes / 4]);
  await x.eval();
  const runs = bytes >= 64 * 2 ** 20 ? 3 : bytes >= 2 ** 20 ? 10 : 50;
  const times = [];
  for (let i = 0; i < runs + 1; i++) {
    await mx.distributed.allSum(mx.array([1])).eval(); // line the ranks up
    const start = process.hrtime.bigint();
    const y = mx.distributed.allSum(x);
    await y.eval();
    const ns = Number(process.hrtime.bigint() - start);
    if (i > 0) times.push(ns); // the first is a warm-up
    y.dispose();
  }
  x.dispose();
  times.sort((a, b) => a - b);
  results.push({ bytes, seconds: times[Math.floor(times.length / 2)] / 1e9 });
}
if (group.rank === 0) console.log(`RESULT ${JSON.stringify({ size: group.size, results })}`);
