// npm run bench: runs every benchmark and writes bench/RESULTS.md with the machine it ran on.
// `npm run bench -- transforms` (or micro, blas) reruns one section and puts it in place of the same
// section of the existing RESULTS.md, leaving the others as they were measured.
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as mx from '@mlxts/core';
import { blasSection } from './blas.mjs';
import { microSection } from './micro.mjs';
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
const results = new URL('./RESULTS.md', import.meta.url);
const only = process.argv[2];
// The sections in their order in RESULTS.md, with their headings.
const sectionList = [
  { name: 'micro', heading: '## Per-op overhead and throughput', run: () => microSection(repeats) },
  { name: 'transforms', heading: '## Transforms', run: () => transformsSection(repeats) },
  { name: 'blas', heading: '## Matrix speed (BLAS/LAPACK)', run: () => blasSection(repeats) },
];
if (only !== undefined) {
  const index = sectionList.findIndex((s) => s.name === only);
  if (index < 0) throw new Error(`bench: no section '${only}'; the sections are ${sectionList.map((s) => s.name).join(', ')}`);
  const section = await sectionList[index].run();
  const parts = readFileSync(results, 'utf8').split(/(?=^## )/m);
  const same = parts.findIndex((part) => part.startsWith(sectionList[index].heading));
  // A section not recorded yet goes before the first recorded section that follows it.
  const later = parts.findIndex((part) => sectionList.slice(index + 1).some((s) => part.startsWith(s.heading)));
  if (same >= 0) parts[same] = `${section}\n`;
  else parts.splice(later >= 0 ? later : parts.length, 0, `${section}\n`);
  writeFileSync(results, parts.join(''));
  console.log(section);
  process.exit(0);
}
const sections = [];
for (const { run } of sectionList) sections.push(await run());
const report = `# Benchmark results

Produced by \`npm run bench\` (bench/run.mjs); medians of ${repeats} runs after a warm-up unless noted.

Machine: ${cpu}, ${cpus().length} cores (${flags}), ${memGiB} GiB; Node ${process.version}; MLX ${info.mlxVersion} (${info.backend}).

\`\`\`
${doctorReport().trimEnd()}
\`\`\`

${sections.join('\n')}`;
writeFileSync(results, report);
console.log(report);
