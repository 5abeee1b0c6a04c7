// BLAS section of bench/RESULTS.md: float32 matmul through mlxts next to OpenBLAS's own cblas_sgemm
// (a small C program linked to the same OpenBLAS, run in the same session), plus linalg cases.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mx from '@mlxts/core';
import * as linalg from '@mlxts/linalg';
import { runBeside } from './load.mjs';
import { median } from './stats.mjs';

const here = new URL('.', import.meta.url).pathname;

/** The OpenBLAS that libmlx loads (mlx_cpu.libs/libopenblas.so.0) and the headers installed with it. */
function openblas() {
  const sdk = join(here, '..', 'packages', 'native', 'mlx-sdk');
  if (!existsSync(sdk)) return undefined;
  const dirs = readdirSync(sdk);
  const wheel = dirs.find((d) => d.startsWith('mlx-cpu-'));
  const tools = dirs.find((d) => d.startsWith('openblas-'));
  const lib = wheel && join(sdk, wheel, 'mlx_cpu.libs', 'libopenblas.so.0');
  return lib && tools && existsSync(lib) ? { lib, include: join(sdk, tools, 'cmeel.prefix', 'include', 'openblas') } : undefined;
}

/** GFLOP/s of cblas_sgemm, or undefined when OpenBLAS or a C compiler is missing. */
function sgemmCeiling(n, repeats) {
  const blas = openblas();
  if (!blas) return undefined;
  const out = join(here, 'out');
  mkdirSync(out, { recursive: true });
  const exe = join(out, 'sgemm');
  if (!existsSync(exe)) {
    execFileSync('cc', ['-O2', join(here, 'sgemm.c'), `-I${blas.include}`, blas.lib, `-Wl,-rpath,${dirname(blas.lib)}`, '-o', exe]);
  }
  return Number(execFileSync(exe, [String(n), String(repeats)], { encoding: 'utf8' }).trim());
}

function timeMs(build, repeats) {
  const once = () => {
    const t0 = performance.now();
    const out = build();
    mx.evalSync(out);
    const ms = performance.now() - t0;
    out.dispose();
    return ms;
  };
  once();
  return median(Array.from({ length: repeats }, once));
}

/** Markdown rows for one OpenBLAS thread setting (this process's OPENBLAS_NUM_THREADS). */
function blasRows(repeats) {
  const threads = process.env.OPENBLAS_NUM_THREADS ?? 'default';
  const rows = [];
  for (const n of [512, 1024, 2048, 4096]) {
    const reps = n >= 4096 ? Math.min(repeats, 3) : repeats;
    const a = mx.divide(mx.reshape(mx.arange(0, n * n, 1, 'float32'), [n, n]), n * n);
    const b = mx.subtract(mx.ones([n, n]), 0.5);
    mx.evalSync(a, b);
    const ms = timeMs(() => mx.matmul(a, b), reps);
    const gflops = (2 * n ** 3) / (ms * 1e6);
    const ceiling = sgemmCeiling(n, reps);
    rows.push([threads, `${n}x${n} float32 matmul`, `${ms.toFixed(2)} ms`, `${gflops.toFixed(1)} GFLOP/s`, ceiling ? `${ceiling.toFixed(1)} GFLOP/s` : 'n/a', ceiling ? `${(gflops / ceiling).toFixed(2)}x` : '']);
    a.dispose();
    b.dispose();
  }
  const n = 2048;
  const base = mx.divide(mx.reshape(mx.arange(0, n * n, 1, 'float32'), [n, n]), n * n);
  const spd = mx.add(mx.matmul(base, mx.transpose(base)), mx.multiply(mx.eye(n), n)); // B Bᵀ + n I
  const rhs = mx.ones([n, 1]);
  mx.evalSync(spd, rhs);
  const solveMs = timeMs(() => linalg.solve(spd, rhs), Math.min(repeats, 5));
  const cholMs = timeMs(() => linalg.cholesky(spd), Math.min(repeats, 5));
  rows.push([threads, `${n}x${n} float32 \`linalg.solve\``, `${solveMs.toFixed(1)} ms`, '', '', '']);
  rows.push([threads, `${n}x${n} float32 \`linalg.cholesky\``, `${cholMs.toFixed(1)} ms`, '', '', '']);
  for (const t of [base, spd, rhs]) t.dispose();
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/**
 * Runs the BLAS cases in fresh processes, once with one OpenBLAS thread and once with OpenBLAS's
 * default (one per core), so each comparison with cblas_sgemm uses the same setting.
 */
export function blasSection(repeats) {
  const script = fileURLToPath(import.meta.url);
  const run = (threads) => {
    const env = { ...process.env };
    if (threads === undefined) delete env.OPENBLAS_NUM_THREADS;
    else env.OPENBLAS_NUM_THREADS = String(threads);
    return execFileSync(process.execPath, [script, String(repeats)], { env, encoding: 'utf8' }).trim();
  };
  return `## Matrix speed (BLAS/LAPACK)

Medians; OpenBLAS's own \`cblas_sgemm\` (bench/sgemm.c, linked to the same OpenBLAS library that libmlx loads) runs in the same process run with the same thread setting, as the practical ceiling. \"default\" leaves OPENBLAS_NUM_THREADS unset: mlxts then gives OpenBLAS the cores that other processes leave idle, while \`cblas_sgemm\` runs one thread per core.

| OpenBLAS threads | case | time | mlxts | cblas_sgemm | ratio |
| --- | --- | --- | --- | --- | --- |
${run(1)}
${run(undefined)}

${underLoadSection(repeats)}`;
}

/** GFLOP/s of a 512x512 float32 matmul (median of `repeats`) in this process. */
function matmul512(repeats) {
  const n = 512;
  const a = mx.random.normal([n, n]);
  const b = mx.random.normal([n, n]);
  mx.evalSync(a, b);
  const ms = timeMs(() => mx.matmul(a, b), repeats);
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / (ms * 1e6);
}

/**
 * A 512x512 float32 matmul with OpenBLAS on one thread, two threads and mlxts's default (the cores other
 * processes leave idle), each in a fresh process, alone and beside a busy loop; rounds alternate the
 * settings and the table gives the median over rounds.
 */
export function underLoadSection(repeats, rounds = 3) {
  const settings = [['1', '1'], ['2', '2'], ['default (cores left idle)', null]];
  const results = new Map();
  for (let r = 0; r < rounds; r++) {
    for (const [name, threads] of settings) {
      for (const busy of [false, true]) {
        const gflops = runBeside(busy, fileURLToPath(import.meta.url), ['--matmul512', String(repeats)], { OPENBLAS_NUM_THREADS: threads });
        const key = `${name}|${busy}`;
        results.set(key, [...(results.get(key) ?? []), gflops]);
      }
    }
  }
  const rows = settings.map(([name]) => `| ${name} | ${median(results.get(`${name}|false`)).toFixed(1)} GFLOP/s | ${median(results.get(`${name}|true`)).toFixed(1)} GFLOP/s |`);
  return `### Under load

A 512x512 float32 matmul, alone and beside a busy loop (\`node -e 'for (;;) {}'\`) that keeps one core loaded; each cell the median of ${rounds} fresh processes (medians of ${repeats} runs each):

| OpenBLAS threads | alone | beside a busy loop |
| --- | --- | --- |
${rows.join('\n')}
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--matmul512') console.log(JSON.stringify(matmul512(Number(process.argv[3] ?? 15))));
  else if (process.argv[2] === '--under-load') console.log(underLoadSection(Number(process.argv[3] ?? 15)));
  else console.log(blasRows(Number(process.argv[2] ?? 7)));
}
