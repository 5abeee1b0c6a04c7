// npm run bench:gpu — on a CUDA build of MLX (MLXTS_BACKEND=cuda): each case runs on the GPU and on the
// CPU from the same inputs and the results are compared, then GPU throughput is measured with the CPU
// (or a plain baseline) in the same process. Writes bench/RESULTS-gpu.md (or $BENCH_GPU_OUT).
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as mx from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as quant from '@mlxts/quant';
import { doctorReport } from '../packages/native/scripts/doctor.mjs';
import { median } from './stats.mjs';

if (!mx.isAvailable('gpu')) {
  console.error('bench:gpu: no GPU is available to this MLX build (install with MLXTS_BACKEND=cuda on a machine with an NVIDIA GPU)');
  process.exit(1);
}
const repeats = Number(process.env.BENCH_REPEATS ?? 10);

// Deterministic inputs in [-1, 1], evaluated on the CPU once so both devices read identical values.
const wave = (shape, dtype = 'float32', phase = 0) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return mx.withDevice('cpu', () => {
    const t = mx.astype(mx.reshape(mx.sin(mx.add(mx.multiply(mx.arange(n), 0.7311), phase)), shape), dtype);
    mx.evalSync(t);
    return t;
  });
};

/** Largest |gpu - cpu| / (1 + |cpu|) over all outputs, each computed by `fn` on one device. */
function compare(fn) {
  const run = (device) => mx.withDevice(device, () => [fn()].flat().map((t) => mx.astype(t, t.dtype === 'complex64' ? 'complex64' : 'float32')));
  const gpu = run('gpu');
  const cpu = run('cpu');
  mx.evalSync(...gpu, ...cpu);
  let worst = 0;
  gpu.forEach((g, i) => {
    const c = cpu[i];
    if (g.shape.join() !== c.shape.join()) throw new Error(`shape ${g.shape} on the GPU, ${c.shape} on the CPU`);
    const diff = mx.divide(mx.abs(mx.subtract(g, c)), mx.add(mx.abs(c), 1));
    worst = Math.max(worst, diff.size === 0 ? 0 : Number(mx.max(diff).item()));
  });
  return worst;
}

const x = wave([64, 256]);
const w = wave([256, 256], 'float32', 1);
const q = wave([2, 8, 128, 64], 'bfloat16');
const k = wave([2, 8, 128, 64], 'bfloat16', 2);
const v = wave([2, 8, 128, 64], 'bfloat16', 3);
// MLX runs float32 matmul and convolution on the GPU's TF32 tensor cores (10-bit mantissa), hence their
// looser limits.
const key = mx.random.key(7);
const wq = mx.withDevice('cpu', () => {
  const q4 = quant.quantize(w, { bits: 4, groupSize: 64 });
  mx.evalSync(q4);
  return q4;
});
const cases = [
  ['matmul float32 [64,256]x[256,256] (TF32)', () => mx.matmul(x, w), 1e-2],
  ['matmul bfloat16', () => mx.matmul(mx.astype(x, 'bfloat16'), mx.astype(w, 'bfloat16')), 2e-2],
  ['elementwise chain exp/tanh/multiply', () => mx.multiply(mx.exp(x), mx.tanh(mx.add(x, 0.5))), 1e-5],
  ['sum / mean / var over axes', () => [mx.sum(x, 1), mx.mean(x, 0), mx.variance(x, 1)], 1e-5],
  ['softmax and logsumexp', () => [mx.softmax(x, -1), mx.logsumexp(x, -1)], 1e-5],
  ['cumsum and cumprod', () => [mx.cumsum(x, 1), mx.cumprod(mx.add(mx.multiply(x, 0.01), 1), 1)], 1e-4],
  // topk leaves its k values in no particular order, so they are sorted before comparing.
  ['sort, argmax, topk', () => [mx.sort(x, 1), mx.argmax(x, 1), mx.sort(mx.topk(x, 5, 1), 1)], 0],
  ['take and scatterAdd', () => [mx.take(x, [3, 1, 60], 0), mx.scatterAdd(mx.zeros([8, 256]), [mx.array([1, 1, 7], 'int32')], mx.reshape(mx.slice(x, [0], [3]), [3, 1, 256]), [0])], 1e-5],
  ['convGeneral 2-D (TF32)', () => mx.convGeneral(wave([2, 16, 16, 8]), wave([4, 3, 3, 8], 'float32', 1), { paddingLo: [1, 1], paddingHi: [1, 1] }), 1e-2],
  ['conv2d and convTranspose2d, stride 2 (TF32)', () => [mx.conv2d(wave([2, 16, 16, 8]), wave([4, 3, 3, 8], 'float32', 1), 2, 1), mx.convTranspose2d(wave([2, 8, 8, 4]), wave([8, 3, 3, 4], 'float32', 1), 2, 1)], 1e-2],
  ['fft, ifft, rfft2 and irfft2', () => [mx.fft(x), mx.ifft(mx.fft(x)), mx.rfft2(x), mx.irfft2(mx.rfft2(x))], 1e-4],
  ['random uniform, normal, randint with one key', () => [mx.random.uniform(0, 1, [1000], 'float32', { key }), mx.random.normal([1000], 'float32', 0, 1, { key }), mx.random.randint(0, 100, [1000], 'int32', { key })], 1e-5],
  ['kron, outer, searchsorted, putAlongAxis', () => [mx.kron(mx.slice(x, [0, 0], [4, 4]), mx.slice(w, [0, 0], [3, 3])), mx.outer(mx.slice(x, [0, 0], [1, 64]).reshape([64]), mx.slice(w, [0, 0], [1, 32]).reshape([32])), mx.searchsorted(mx.sort(mx.reshape(x, [-1])), mx.slice(w, [0, 0], [1, 50]).reshape([50])), mx.putAlongAxis(mx.zeros([8, 256]), mx.array(Int32Array.from({ length: 8 }, (_, i) => i * 31)).reshape([8, 1]), 1, 1)], 1e-5],
  ['fast.rmsNorm / layerNorm', () => [fast.rmsNorm(x, mx.ones([256]), 1e-5), fast.layerNorm(x, mx.ones([256]), mx.zeros([256]), 1e-5)], 1e-5],
  ['fast.rope', () => fast.rope(q, 64, { offset: 3 }), 1e-2],
  ['fast.scaledDotProductAttention causal bf16', () => fast.scaledDotProductAttention(q, k, v, { mask: 'causal' }), 2e-2],
  ['fast.gatedDeltaUpdate', () => fast.gatedDeltaUpdate(wave([1, 6, 2, 8]), wave([1, 6, 2, 8], 'float32', 1), wave([1, 6, 4, 8], 'float32', 2), mx.add(mx.multiply(wave([1, 6, 4]), 0.2), 0.7), mx.add(mx.multiply(wave([1, 6, 4], 'float32', 3), 0.4), 0.5)), 1e-4],
  ['fast.swiglu', () => fast.swiglu(x, mx.slice(w, [0], [64])), 1e-5],
  ['fast.crossEntropy', () => fast.crossEntropy(x, mx.array(Int32Array.from({ length: 64 }, (_, i) => (i * 37) % 256))), 1e-4],
  // Rounding to 4 bits can land one step apart on the two devices, so quantize is held to one step
  // (about 0.13 here) and the product uses weights quantized once on the CPU.
  ['quant 4-bit quantize, dequantized (within one step)', () => quant.dequantize(quant.quantize(w, { bits: 4, groupSize: 64 })), 0.14],
  ['quant 4-bit quantizedMatmul', () => quant.quantizedMatmul(x, wq), 1e-3],
];

const correctness = ['## GPU against CPU', '', 'Each case computed on each device from the same inputs; the error is the largest `|gpu - cpu| / (1 + |cpu|)`.', '', '| case | error | limit | |', '| --- | --- | --- | --- |'];
let failures = 0;
for (const [name, fn, limit] of cases) {
  let cell;
  try {
    const err = compare(fn);
    const ok = err <= limit;
    if (!ok) failures++;
    cell = `${err.toExponential(2)} | ${limit} | ${ok ? 'ok' : 'FAIL'}`;
  } catch (error) {
    failures++;
    cell = `error: ${String(error.message).split('\n')[0].replaceAll('|', '\\|')} | ${limit} | FAIL`;
  }
  correctness.push(`| ${name} | ${cell} |`);
  console.error(correctness.at(-1));
}

/** Median seconds of `fn` (which must evaluate its own work) after one warm-up. */
function seconds(fn) {
  fn();
  return median(Array.from({ length: repeats }, () => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  }));
}
const onDevice = (device, build) => () => mx.withDevice(device, () => mx.evalSync(build()));
// Per-call GPU time of a small op: 50 independent calls in one evaluation, so the evaluation round trip
// (about 0.1 ms) does not hide the kernel.
const perOp = (build) => seconds(onDevice('gpu', () => Array.from({ length: 50 }, build))) / 50;

const speed = ['## GPU throughput', '', `Medians of ${repeats} runs after a warm-up, each evaluated to completion.`, '', '| case | GPU | baseline in the same run |', '| --- | --- | --- |'];
{
  const n = 8192;
  const a = mx.astype(wave([n, n]), 'bfloat16');
  const b = mx.astype(wave([n, n], 'float32', 1), 'bfloat16');
  mx.evalSync(a, b);
  const gpu = seconds(onDevice('gpu', () => mx.matmul(a, b)));
  const m = 1024;
  const cpu = seconds(onDevice('cpu', () => mx.matmul(mx.slice(a, [0, 0], [m, m]), mx.slice(b, [0, 0], [m, m]))));
  console.error('timing...');
  speed.push(`| matmul bfloat16 ${n}³ | ${(2 * n ** 3 / gpu / 1e12).toFixed(0)} TFLOP/s (${(gpu * 1e3).toFixed(2)} ms) | CPU ${m}³: ${(2 * m ** 3 / cpu / 1e9).toFixed(1)} GFLOP/s |`);
}
{
  const n = 4096;
  const a = wave([n, n]);
  const b = wave([n, n], 'float32', 1);
  mx.evalSync(a, b);
  const gpu = seconds(onDevice('gpu', () => mx.matmul(a, b)));
  const m = 1024;
  const cpu = seconds(onDevice('cpu', () => mx.matmul(mx.slice(a, [0, 0], [m, m]), mx.slice(b, [0, 0], [m, m]))));
  speed.push(`| matmul float32 ${n}³ (TF32) | ${(2 * n ** 3 / gpu / 1e12).toFixed(1)} TFLOP/s | CPU ${m}³: ${(2 * m ** 3 / cpu / 1e9).toFixed(1)} GFLOP/s |`);
}
{
  const n = 1 << 27;
  const a = wave([n]);
  const b = wave([n], 'float32', 1);
  mx.evalSync(a, b);
  const gpu = seconds(onDevice('gpu', () => mx.add(a, b)));
  const cpu = seconds(onDevice('cpu', () => mx.add(a, b)));
  speed.push(`| add of two ${n / 2 ** 20}M float32 tensors | ${(3 * 4 * n / gpu / 1e9).toFixed(0)} GB/s | CPU: ${(3 * 4 * n / cpu / 1e9).toFixed(1)} GB/s |`);
}
{
  // One decode step of attention: 1 query token over a 4096-token cache, 32 heads of 128 (bf16).
  const qd = wave([1, 32, 1, 128], 'bfloat16');
  const kd = wave([1, 32, 4096, 128], 'bfloat16', 1);
  const vd = wave([1, 32, 4096, 128], 'bfloat16', 2);
  mx.evalSync(qd, kd, vd);
  const fused = perOp(() => fast.scaledDotProductAttention(qd, kd, vd));
  const composed = perOp(() => mx.matmul(mx.softmax(mx.multiply(mx.matmul(qd, mx.swapaxes(kd, -1, -2)), 128 ** -0.5), -1), vd));
  speed.push(`| fast.scaledDotProductAttention decode, 4096-token cache, per call | ${(fused * 1e6).toFixed(1)} µs | composed matmul/softmax/matmul: ${(composed * 1e6).toFixed(1)} µs (${(composed / fused).toFixed(2)}x) |`);
}
{
  // A decode-shaped product with 4-bit weights against the same product in bfloat16.
  const wt = wave([4096, 4096], 'float32', 1);
  const qw = quant.quantize(wt, { bits: 4, groupSize: 64 });
  const wbT = mx.transpose(mx.astype(wt, 'bfloat16'));
  const wb = mx.contiguous(wbT);
  const xv = wave([1, 4096], 'bfloat16');
  mx.evalSync(qw, wb, xv);
  const q4 = perOp(() => quant.quantizedMatmul(xv, qw));
  const bf = perOp(() => mx.matmul(xv, wb));
  speed.push(`| 4-bit quantizedMatmul [1,4096]x[4096,4096]ᵀ, per call | ${(q4 * 1e6).toFixed(1)} µs | bfloat16 matmul: ${(bf * 1e6).toFixed(1)} µs (${(bf / q4).toFixed(2)}x) |`);
}
{
  // Round trip of a tiny graph through the evaluation thread, per device.
  const a = mx.ones([4]);
  mx.evalSync(a);
  const trip = (device) => seconds(() => mx.withDevice(device, () => mx.sum(mx.add(a, a)).item()));
  speed.push(`| \`sum(add(a, a)).item()\` round trip | ${(trip('gpu') * 1e6).toFixed(0)} µs | CPU: ${(trip('cpu') * 1e6).toFixed(0)} µs |`);
}
{
  // The event loop keeps turning while the GPU works on an awaited evaluation.
  const a = wave([4096, 4096]);
  mx.evalSync(a);
  let chain = a;
  for (let i = 0; i < 40; i++) chain = mx.tanh(mx.matmul(chain, a));
  let worst = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  await mx.withDevice('gpu', () => chain.eval());
  const total = performance.now() - t0;
  clearInterval(timer);
  speed.push(`| event-loop lag during an awaited ${total.toFixed(0)} ms GPU evaluation | ${worst.toFixed(1)} ms longest gap | a 1 ms timer's period |`);
}

let gpuName = 'unknown (nvidia-smi not found)';
try {
  gpuName = execSync('nvidia-smi --query-gpu=name,driver_version --format=csv,noheader', { encoding: 'utf8' }).trim().replace(', ', ', driver ');
} catch {}
const report = `# GPU benchmark results

Produced by \`npm run bench:gpu\` (bench/gpu.mjs) on ${gpuName}, with ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores); Node ${process.version}.

\`\`\`
${doctorReport().trimEnd()}
\`\`\`

${correctness.join('\n')}

${speed.join('\n')}
`;
writeFileSync(process.env.BENCH_GPU_OUT ?? new URL('./RESULTS-gpu.md', import.meta.url), report);
console.log(report);
if (failures > 0) {
  console.error(`bench:gpu: ${failures} case(s) differ between GPU and CPU`);
  process.exitCode = 1;
}
