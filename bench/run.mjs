// npm run bench: runs every benchmark and writes bench/RESULTS.md with the machine it ran on.
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as mx from '@mlxts/core';
import { blasSection } from './blas.mjs';
import { ioSection } from './io.mjs';
import { microSection } from './micro.mjs';
import { transformsSection } from './transforms.mjs';
import { trainingSection } from './train.mjs';
import { doctorReport } from '../packages/native/scripts/doctor.mjs';

const repeats = Number(process.env.BENCH_REPEATS ?? 15);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const memGiB = (Number(readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s+(\d+)/)?.[1] ?? 0) / 1024 ** 2).toFixed(0);
let flags = '';
try {
  flags = execSync("grep -o -w -e avx2 -e avx512f -e fma /proc/cpuinfo | sort -u | tr '\\n' ' '").toString().trim();
} catch {}
const info = mx.buildInfo();
const sections = [
  await microSection(repeats),
  transformsSection(repeats),
  blasSection(repeats),
  await ioSection(Math.min(repeats, 7)),
  await trainingSection(),
];
const report = `# Benchmark results

Produced by \`npm run bench\` (bench/run.mjs); medians of ${repeats} runs after a warm-up unless noted.

Machine: ${cpu}, ${cpus().length} cores (${flags}), ${memGiB} GiB; Node ${process.version}; MLX ${info.mlxVersion} (${info.backend}).

\`\`\`
${doctorReport().trimEnd()}
\`\`\`

${sections.join('\n')}`;
writeFileSync(new URL('./RESULTS.md', import.meta.url), report);
console.log(report);
