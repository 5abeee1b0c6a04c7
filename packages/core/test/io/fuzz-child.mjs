// One fuzz run of mx.load, in its own process so that a crash cannot take the test runner down:
//   node fuzz-child.mjs <npy|safetensors|gguf> <cases> <seed> <folder>
// Each case mutates one of a few valid files (byte changes, biased to the header; 64-bit values dropped
// into the header; truncation; a removed or repeated chunk), loads it and evaluates every tensor. Before
// each case it writes "case <i>" to stdout, so a crash names the case; at the end one JSON line:
// { loaded, refused, other: [{ case, error }], maxRssKb }. "refused" is an MlxError naming the file;
// anything else (another error type, or an error MLX raised after the file's checks passed) is "other".
import { existsSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as mx from '@mlxts/core';
import { GGUF_VALUE as V, writeGguf, writeNpy, writeSafetensors } from '@mlxts/testing/formats';

const [format, casesText, seedText, folder] = process.argv.slice(2);
const cases = Number(casesText);
let state = Number(seedText) >>> 0 || 1;
/** A uniform integer in [0, n) from a small seeded generator (mulberry32). */
function random(n) {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
}
const bytes = (n) => Uint8Array.from({ length: n }, () => random(256));
const floats = (values) => new Uint8Array(new Float32Array(values).buffer);

const BASES = {
  npy: [
    writeNpy({ descr: '<f4', fortranOrder: false, shape: [2, 3], data: floats([1, 2, 3, 4, 5, 6]) }),
    writeNpy({ descr: '|b1', fortranOrder: false, shape: [4], data: new Uint8Array([0, 1, 1, 0]) }),
    writeNpy({ descr: '<i2', fortranOrder: true, shape: [2, 2], data: bytes(8) }),
    writeNpy({ descr: '>i4', fortranOrder: false, shape: [], data: bytes(4), version: 2 }),
  ],
  safetensors: [
    writeSafetensors(
      [
        { name: 'a', dtype: 'F32', shape: [2, 2], data: floats([1, 2, 3, 4]) },
        { name: 'b', dtype: 'BF16', shape: [3], data: bytes(6) },
        { name: 'c', dtype: 'I64', shape: [0, 2], data: new Uint8Array(0) },
      ],
      { format: 'mlx', note: 'fuzz' },
    ),
    writeSafetensors([{ name: 'only', dtype: 'U8', shape: [5], data: bytes(5) }]),
  ],
  gguf: [
    writeGguf({
      metadata: [
        { key: 'general.architecture', type: V.STRING, value: 'llama' },
        { key: 'llama.block_count', type: V.UINT32, value: 2 },
        { key: 'tokens', type: V.ARRAY, itemType: V.STRING, value: ['<s>', 'a', 'b'] },
        { key: 'scores', type: V.ARRAY, itemType: V.FLOAT32, value: [0.5, -1, 2] },
        { key: 'flag', type: V.BOOL, value: true },
      ],
      tensors: [
        { name: 'norm', dims: [4, 2], type: 0, data: floats([1, 2, 3, 4, 5, 6, 7, 8]) },
        { name: 'blk.0.q.weight', dims: [32, 2], type: 2, data: bytes(36) },
        { name: 'blk.0.k.weight', dims: [64], type: 8, data: bytes(68) },
        { name: 'half', dims: [3], type: 1, data: bytes(6) },
      ],
    }),
  ],
}[format];

/** The length of the part of a valid file that is header (where most checks live). */
function headerLength(base) {
  if (format === 'npy') return 10 + base.readUInt16LE(8);
  if (format === 'safetensors') return 8 + Number(base.readBigUInt64LE(0));
  return base.length - 256; // the GGUF bases end with at most a few hundred bytes of data
}

const U64S = [0n, 1n, 255n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];

function mutate(base) {
  const out = Buffer.from(base);
  const header = Math.max(1, Math.min(out.length, headerLength(base)));
  const position = () => (random(4) > 0 ? random(header) : random(out.length));
  const kind = random(20);
  if (kind < 12) {
    for (let n = 1 + random(4); n > 0; n--) out[position()] = random(256);
    return out;
  }
  if (kind < 15) {
    const at = Math.min(position(), out.length - 8);
    out.writeBigUInt64LE(U64S[random(U64S.length)], Math.max(0, at));
    return out;
  }
  if (kind < 17) return out.subarray(0, random(out.length));
  const at = position();
  const length = 1 + random(16);
  return kind < 19 ? Buffer.concat([out.subarray(0, at), out.subarray(at + length)]) : Buffer.concat([out.subarray(0, at + length), out.subarray(at)]);
}

const path = join(folder, `fuzz.${format}`);
const result = { loaded: 0, refused: 0, other: [], maxRssKb: 0 };
for (let i = 0; i < cases; i++) {
  writeFileSync(path, mutate(BASES[i % BASES.length]));
  writeSync(1, `case ${i}\n`);
  try {
    mx.tidy(() => {
      const loaded = mx.load(path, { returnMetadata: format !== 'npy' });
      const tensors = format === 'npy' ? [loaded] : [...Object.values(loaded[0]), ...Object.values(loaded[1]).filter(mx.isTensor)];
      mx.evalSync(...tensors);
      for (const t of tensors) t.toBytes();
    });
    result.loaded++;
  } catch (error) {
    if (error instanceof mx.MlxError && error.message.startsWith(`load: ${path}: `)) result.refused++;
    else result.other.push({ case: i, error: `${error?.name}: ${error?.message}` });
  }
}
// This process's own peak (Linux's VmHWM): getrusage's maxRSS keeps the parent's peak across exec there.
const status = '/proc/self/status';
result.maxRssKb = existsSync(status) ? Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))[1]) : process.resourceUsage().maxRSS;
writeSync(1, `${JSON.stringify(result)}\n`);
