// File IO section of bench/RESULTS.md: how long loading blocks the event loop, and how much memory a
// lazy load takes. Each measurement runs in a fresh process (`node bench/io.mjs <case> <file>`, so that
// peak RSS is its own); medians over the runs, next to a baseline measured the same way.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.mjs';
import { cachedModelPath } from '../scripts/model-cache.mjs';

const TENSORS = 25;
const FLOATS = 1 << 20; // 25 float32 tensors of 4 MiB: a 105 MB file
const self = fileURLToPath(import.meta.url);

export async function ioSection(repeats = 5) {
  const load = loadavg()[0].toFixed(1);
  const dir = mkdtempSync(join(tmpdir(), 'mlxts-bench-io-'));
  try {
    const file = join(dir, 'weights.safetensors');
    writeSafetensors(file);
    const run = (name, path = file) => {
      const out = spawnSync(process.execPath, [self, name, path], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`bench/io.mjs ${name}: ${out.stderr}`);
      return JSON.parse(out.stdout);
    };
    const med = (name, key, path) => median(Array.from({ length: repeats }, () => run(name, path)[key]));
    const ms = (x) => `${x.toFixed(1)} ms`;
    const mb = (x) => `${(x / 1e6).toFixed(0)} MB`;
    const size = readFileSync(file).length;

    const lazyGap = med('safetensors-load-eval', 'gapMs');
    const lazyTotal = med('safetensors-load-eval', 'totalMs');
    const loadCall = med('safetensors-load-eval', 'loadMs');
    const asyncReadGap = med('readfile-async', 'gapMs');
    const syncRead = med('readfile-sync', 'totalMs');
    const rssNone = med('rss-none', 'peakRss');
    const rssOne = med('rss-one', 'peakRss');
    const rssAll = med('rss-all', 'peakRss');
    const rows = [
      `| \`mx.load\` of a ${mb(size)} .safetensors file (${TENSORS} float32 tensors), then \`await mx.eval\` of all | longest event-loop delay ${ms(lazyGap)} (load call ${ms(loadCall)}, total ${ms(lazyTotal)}) | \`await fs.promises.readFile\` of the same file: ${ms(asyncReadGap)}; \`fs.readFileSync\` blocks ${ms(syncRead)} |`,
      `| peak RSS of a process that \`mx.load\`s that file and \`await\`s one 4 MiB tensor of it | ${mb(rssOne)} | the same process without the load: ${mb(rssNone)}; evaluating all ${TENSORS} tensors: ${mb(rssAll)} |`,
    ];
    const gguf = cachedModelPath('smollm2-135m-instruct-q4_1');
    if (gguf) {
      const syncGap = med('gguf-load', 'gapMs', gguf);
      const asyncGap = med('gguf-load-async', 'gapMs', gguf);
      const asyncTotal = med('gguf-load-async', 'totalMs', gguf);
      rows.push(`| SmolLM2-135M Q4_1 .gguf (${mb(readFileSync(gguf).length)}; MLX reads and unpacks it whole) | \`mx.loadAsync\`: longest event-loop delay ${ms(asyncGap)} (total ${ms(asyncTotal)}) | \`mx.load\` blocks for ${ms(syncGap)} |`);
    } else {
      rows.push('| SmolLM2-135M Q4_1 .gguf | not measured: the model is not in the cache (`npm run fetch-model`) | |');
    }
    const saveTime = med('save', 'totalMs');
    const writeTime = med('writefile-sync', 'totalMs');
    rows.push(`| \`mx.saveSafetensors\` of ${TENSORS} evaluated 4 MiB tensors (the JS thread waits) | ${ms(saveTime)} | \`fs.writeFileSync\` of as many bytes: ${ms(writeTime)} |`);
    return `## File IO

Medians of ${repeats} runs, each in a fresh process (the machine's load average was ${load} when they
started: on a shared machine the delays include waiting for a core); the files are in the page cache
(just written). An
event-loop delay is the longest time between two ticks of a 1 ms interval timer running meanwhile.

| case | mlxts | baseline in the same run |
| --- | --- | --- |
${rows.join('\n')}
`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeSafetensors(file) {
  const header = {};
  for (let i = 0; i < TENSORS; i++) header[`t${i}`] = { dtype: 'F32', shape: [FLOATS], data_offsets: [i * FLOATS * 4, (i + 1) * FLOATS * 4] };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const data = Buffer.alloc(TENSORS * FLOATS * 4);
  new Float32Array(data.buffer, data.byteOffset, TENSORS * FLOATS).forEach((_, i, a) => (a[i] = i % 1000));
  writeFileSync(file, Buffer.concat([length, json, data]));
}

/**
 * Runs `body` while a 1 ms interval timer notes the longest time between two of its ticks (the event
 * loop's longest stall); returns body's result with that gap and the total time.
 */
async function timed(body) {
  await new Promise((r) => setTimeout(r, 20));
  let last = performance.now();
  let gapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  const result = await body();
  const totalMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5)); // one more tick after a blocking body
  clearInterval(tick);
  return { ...result, totalMs, gapMs };
}

async function child(name, path) {
  const mx = await import('@mlxts/core');
  mx.evalSync(mx.add(mx.ones([4]), 1)); // the runtime warmed up
  // The peak resident size of this process's own memory (VmHWM; getrusage's maxRSS keeps the parent's
  // peak across exec).
  const rss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
  const cases = {
    'safetensors-load-eval': () =>
      timed(async () => {
        const t0 = performance.now();
        const w = mx.load(path);
        const loadMs = performance.now() - t0;
        await mx.eval(...Object.values(w));
        return { loadMs };
      }),
    'readfile-async': () => timed(async () => void (await fsp.readFile(path))),
    'readfile-sync': () => timed(async () => void readFileSync(path)),
    'rss-none': async () => ({ peakRss: rss() }),
    'rss-one': async () => {
      const w = mx.load(path);
      await w.t0.eval();
      return { peakRss: rss() };
    },
    'rss-all': async () => {
      const w = mx.load(path);
      await mx.eval(...Object.values(w));
      return { peakRss: rss() };
    },
    'gguf-load': () => timed(async () => void mx.load(path)),
    'gguf-load-async': () => timed(async () => void (await mx.loadAsync(path))),
    save: async () => {
      const tensors = Object.fromEntries(Array.from({ length: TENSORS }, (_, i) => [`t${i}`, mx.full([FLOATS], i)]));
      await mx.eval(...Object.values(tensors));
      const out = join(tmpdir(), `mlxts-bench-save-${process.pid}.safetensors`);
      const result = await timed(async () => void mx.saveSafetensors(out, tensors));
      rmSync(out, { force: true });
      return result;
    },
    'writefile-sync': async () => {
      const bytes = Buffer.alloc(TENSORS * FLOATS * 4, 1);
      const out = join(tmpdir(), `mlxts-bench-write-${process.pid}.bin`);
      const result = await timed(async () => void writeFileSync(out, bytes));
      rmSync(out, { force: true });
      return result;
    },
  };
  process.stdout.write(JSON.stringify(await cases[name]()));
}

if (process.argv[1] === self && process.argv[2]) await child(process.argv[2], process.argv[3]);
else if (process.argv[1] === self) console.log(await ioSection(Number(process.env.BENCH_REPEATS ?? 5)));
