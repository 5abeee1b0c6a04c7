// npm run bench: runs every benchmark and writes bench/RESULTS.md with the machine it ran on.
// npm run bench -- io (or micro, transforms, blas, qmm, train): reruns those sections only, keeping the others as recorded.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as mx from '@mlxts/core';
import { blasSection } from './blas.mjs';
import { ioSection } from './io.mjs';
import { microSection } from './micro.mjs';
import { qmmSection } from './qmm.mjs';
import { trainingSection } from './train.mjs';
import { transformsSection } from './transforms.mjs';
import { doctorReport } from '../packages/native/scripts/doctor.mjs';

const repeats = Number(process.env.BENCH_REPEATS ?? 15);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const memGiB = (Number(readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s+(\d+)/)?.[1] ?? 0) / 1024 ** 2).toFixed(0);
let flags = '';
try {
  flags = execSync("grep -o -w -e avx2 -e avx512f -e fma /proc/cpuinfo | sort -u | tr '\\n' ' '").toString().trim();
} catch {}
const info = mx.buildInfo();
const loadBefore = loadavg()[0];
// Each section's output starts with its heading; a partial run replaces those it reruns, keeps the rest.
const SECTIONS = {
  micro: { heading: '## Per-op overhead', run: () => microSection(repeats) },
  transforms: { heading: '## Transforms', run: () => transformsSection(repeats) },
  blas: { heading: '## Matrix speed', run: async () => blasSection(repeats) },
  qmm: { heading: '## Quantized matmul', run: async () => qmmSection(repeats) },
  io: { heading: '## File IO', run: () => ioSection(Math.min(repeats, 7)) },
  train: { heading: '## Training the digit example', run: () => trainingSection() },
};
const only = process.argv.slice(2);
for (const name of only) if (!(name in SECTIONS)) throw new Error(`bench: no section '${name}'; the sections are ${Object.keys(SECTIONS).join(', ')}`);
const resultsUrl = new URL('./RESULTS.md', import.meta.url);
const recorded = only.length > 0 ? readFileSync(resultsUrl, 'utf8').split(/^(?=## )/m) : [];
const sections = [];
for (const [name, { heading, run }] of Object.entries(SECTIONS)) {
  sections.push(only.length === 0 || only.includes(name) ? await run() : (recorded.find((s) => s.startsWith(heading)) ?? ''));
}
const report = `# Benchmark results

Produced by \`npm run bench\` (bench/run.mjs); medians of ${repeats} runs after a warm-up unless noted.

Machine: ${cpu}, ${cpus().length} cores (${flags}), ${memGiB} GiB; Node ${process.version}; MLX ${info.mlxVersion} (${info.backend}).
Load average (other processes on the machine) ${loadBefore.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end: on a loaded machine every time here is longer, and the ratios within a run are what compare.

\`\`\`
${doctorReport().trimEnd()}
\`\`\`

${sections.filter((s) => s !== '').map((s) => s.trimEnd() + '\n').join('\n')}`;
// The language-model section comes from npm run bench:lm; keep it.
const lmSection = existsSync(resultsUrl) ? /<!-- lm:start -->[\s\S]*<!-- lm:end -->\n?/.exec(readFileSync(resultsUrl, 'utf8'))?.[0] : undefined;
writeFileSync(resultsUrl, lmSection ? `${report.trimEnd()}\n\n${lmSection}` : report);
console.log(report);
