// all_sum bandwidth on local ranks (the ring backend over loopback), mlxts against MLX Python in the same
// run: both started by mlxts-launch on the same kind of ring. Prints a Markdown table for
// bench/RESULTS.md. MLX Python comes from a bench-only venv (bench/.venv, created here from PyPI).
//
//   npm run bench:distributed            # 2 ranks
//   npm run bench:distributed -- 2 4     # 2 and 4 ranks
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const python = `${root}bench/.venv/bin/python`;
const launcher = `${root}packages/core/dist/launch/main.js`;
const rankCounts = process.argv.slice(2).map(Number);
if (rankCounts.length === 0) rankCounts.push(2);
const sizes = Array.from({ length: 10 }, (_, i) => 1024 * 4 ** i); // 1 KB .. 256 MB

function ensureVenv() {
  try {
    if (existsSync(python) && execFileSync(python, ['-c', 'import mlx.core as mx; print(mx.__version__)']).toString().trim() === '0.32.4') return true;
    console.log('creating bench/.venv with mlx 0.32.4 from PyPI...');
    execFileSync('python3', ['-m', 'venv', `${root}bench/.venv`], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', 'mlx[cpu]==0.32.4'], { stdio: 'inherit' });
    return true;
  } catch (error) {
    console.log(`no MLX Python (${error.message}): measuring mlxts alone`);
    return false;
  }
}

function run(ranks, command) {
  const out = execFileSync(process.execPath, [launcher, '-n', String(ranks), '--', ...command, JSON.stringify(sizes)], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' }, maxBuffer: 1 << 24 });
  return new Map(JSON.parse(out.match(/^\[0\] RESULT (.*)$/m)[1]).results.map((r) => [r.bytes, r.seconds]));
}

const size = (bytes) => (bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MB` : `${bytes / 1024} KB`);
const time = (s) => (s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(0)} µs`);
// Bus bandwidth as NCCL reports it: what each rank sends, 2 (n - 1) / n times the tensor, per second.
const bus = (bytes, s, n) => `${((bytes * 2 * (n - 1)) / n / s / 1e9).toFixed(2)} GB/s`;

const withPython = ensureVenv();
const loadAtStart = loadavg()[0];
console.log(`all_sum of float32 tensors, ring backend on 127.0.0.1; ${cpus().length} cores (${cpus()[0].model}); Node ${process.version}; load average ${loadAtStart.toFixed(1)} at the start`);
for (const ranks of rankCounts) {
  const node = run(ranks, [`${root}bench/distributed-rank.mjs`]);
  const py = withPython ? run(ranks, [python, `${root}bench/distributed_rank.py`]) : undefined;
  console.log(`\n${ranks} ranks (medians; bus bandwidth = 2 (n - 1) / n x size / time):\n`);
  console.log(`| size | mlxts | bus bandwidth | MLX Python | bus bandwidth | mlxts / MLX Python |`);
  console.log(`| --- | --- | --- | --- | --- | --- |`);
  for (const bytes of sizes) {
    const s = node.get(bytes);
    const p = py?.get(bytes);
    console.log(`| ${size(bytes)} | ${time(s)} | ${bus(bytes, s, ranks)} | ${p ? time(p) : '-'} | ${p ? bus(bytes, p, ranks) : '-'} | ${p ? `${(s / p).toFixed(2)}x` : '-'} |`);
  }
}
console.log(`\nload average ${loadavg()[0].toFixed(1)} at the end`);
