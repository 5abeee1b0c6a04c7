// Writes bench/RESULTS-compare.md from bench/RESULTS-compare.json and, where it exists,
// bench/RESULTS-compare-gpu.json; the hand-written part between the notes markers is kept.
//
//   node bench/compare/report.mjs        rewrites the markdown from the JSON files
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path) => new URL(path, import.meta.url);
const readJson = (path) => (existsSync(here(path)) ? JSON.parse(readFileSync(here(path), 'utf8')) : undefined);

/** A time in the unit it was measured in, shown in the unit that reads best. */
export function formatTime(value, unit) {
  if (unit === 'ns') return value >= 1000 ? `${(value / 1000).toFixed(2)} µs` : `${value.toFixed(0)} ns`;
  return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ms`;
}

/** mlxts's time over MLX Python's, in words. */
export function formatRatio(ratio) {
  if (Math.abs(ratio - 1) < 0.05) return `${ratio.toFixed(2)}x (equal)`;
  return ratio > 1 ? `${ratio.toFixed(2)}x (slower)` : `${ratio.toFixed(2)}x (${(1 / ratio).toFixed(1)}x faster)`;
}

function machineLine(r) {
  const m = r.machine;
  const gpu = m.gpu ? `${m.gpu}, with ` : '';
  return `${gpu}${m.cpu}, ${m.cores} cores${m.flags ? ` (${m.flags})` : ''}, ${m.memGiB} GiB; Node ${m.node}; MLX ${m.mlx}`;
}

function opsTable(r) {
  const rows = r.ops.map((op) => {
    const extra = op.mlxKernel === undefined ? '' : ` (with MLX's kernel: ${formatTime(op.mlxKernel, op.unit)}, ${(op.mlxKernel / op.python).toFixed(2)}x)`;
    return `| ${op.label} | ${formatTime(op.python, op.unit)} | ${formatTime(op.mlxts, op.unit)}${extra} | ${formatRatio(op.ratio)} |`;
  });
  return ['| case | MLX Python | mlxts | mlxts / MLX Python |', '| --- | ---: | ---: | --- |', ...rows].join('\n');
}

function decodeTable(r) {
  const python = r.decode.runtimes.find((x) => x.id === 'python');
  const rows = r.decode.runtimes.map((x) =>
    `| ${x.label} | ${x.promptTps.toFixed(1)} | ${x.decodeTps.toFixed(1)} | ${(x.decodeTps / python.decodeTps).toFixed(2)}x | ${x.id === 'mlxts' ? '(reference)' : `${x.sameTokensAsMlxts} of ${r.decode.tokens}`} |`);
  return [
    '| runtime | prompt tokens/s | decode tokens/s | decode vs MLX Python | greedy tokens equal to mlxts\'s (leading) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

function section(r, heading, note = '') {
  return `## ${heading}

Machine: ${machineLine(r)}.${note}
Load average ${r.loadAverage.start.toFixed(1)} at the start and ${r.loadAverage.end.toFixed(1)} at the end of the run.

Per-op overhead and kernel-bound cases, medians of ${r.rounds} rounds (each round runs every case in both
runtimes, in turns); times per op for the overhead cases, per evaluation for the others:

${opsTable(r)}

Greedy decoding of SmolLM2-135M-Instruct (Q4_1 GGUF, the default model): a ${r.decode.promptTokens}-token chat
prompt, then ${r.decode.tokens} tokens; medians of ${r.decodeRounds} runs per runtime, the runtimes in turns:

${decodeTable(r)}
`;
}

const NOTES = /<!-- notes:start -->[\s\S]*<!-- notes:end -->\n?/;

/** Writes bench/RESULTS-compare.md and returns it. */
export function writeCompareReport() {
  const cpu = readJson('../RESULTS-compare.json');
  const gpu = readJson('../RESULTS-compare-gpu.json');
  const path = here('../RESULTS-compare.md');
  const notes = existsSync(path) ? NOTES.exec(readFileSync(path, 'utf8'))?.[0] : undefined;
  const report = `# mlxts against MLX Python, side by side

Produced by \`npm run bench:compare\` (bench/compare.mjs): the same cases in mlxts and in MLX Python 0.32.4
from PyPI, in one run, interleaved. A ratio is mlxts's time over MLX Python's (below 1: mlxts is faster).
The CPU machine is a shared 2-core box on which other processes run at the same time: every absolute time
here is longer than on an idle machine and moves from run to run; the ratios within one run are what compare.

${cpu ? section(cpu, 'CPU') : 'No CPU run recorded yet.\n'}
${gpu ? `\n${section(gpu, 'GPU', ' MLX Python from the `mlx` and `mlx-cuda-13` 0.32.4 wheels.')}` : ''}
${notes ?? '<!-- notes:start -->\n<!-- notes:end -->\n'}`;
  writeFileSync(path, report);
  return report;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(writeCompareReport());
