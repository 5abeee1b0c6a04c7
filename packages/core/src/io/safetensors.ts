// Checking a .safetensors file (Hugging Face's format) before MLX reads it.
//
// Layout: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON, then the data section.
// The JSON object maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (byte offsets
// into the data section) and may hold "__metadata__", a map of strings to strings.
//
// mlxts checks every entry (a dtype MLX knows, a shape whose size matches its byte range, ranges inside
// the file that do not overlap, sizes within MLX's memory limit) and hands MLX a JSON header it wrote
// from the checked entries, so MLX's parser never sees JSON that mlxts did not check.
import type { DType } from '@mlxts/native';
import { fileError, MAX_ENTRIES, overMemoryLimit, readAt, type OpenFile } from './file.js';

/** MLX's (and the Rust reference implementation's) limit on the JSON header. */
const MAX_HEADER = 100_000_000;
const MAX_DIM = 2 ** 31 - 1;

/** The dtypes MLX 0.32.4 reads: the 8-bit float formats as raw uint8 bytes. */
const DTYPES: Record<string, { dtype: DType; size: number }> = {
  BOOL: { dtype: 'bool', size: 1 },
  U8: { dtype: 'uint8', size: 1 },
  I8: { dtype: 'int8', size: 1 },
  U16: { dtype: 'uint16', size: 2 },
  I16: { dtype: 'int16', size: 2 },
  U32: { dtype: 'uint32', size: 4 },
  I32: { dtype: 'int32', size: 4 },
  U64: { dtype: 'uint64', size: 8 },
  I64: { dtype: 'int64', size: 8 },
  F16: { dtype: 'float16', size: 2 },
  BF16: { dtype: 'bfloat16', size: 2 },
  F32: { dtype: 'float32', size: 4 },
  C64: { dtype: 'complex64', size: 8 },
  F8_E4M3: { dtype: 'uint8', size: 1 },
  F8_E8M0: { dtype: 'uint8', size: 1 },
};

interface Entry {
  readonly dtype: string;
  readonly shape: number[];
  readonly data_offsets: [number, number];
}

export interface CheckedSafetensors {
  /** The length prefix and JSON header MLX reads instead of the file's own. */
  readonly header: Buffer;
  /** Where the data section starts in the file. */
  readonly dataOffset: number;
  /** The tensor names in the file's order. */
  readonly names: readonly string[];
}

export function checkSafetensors(op: string, file: OpenFile, memoryLimit: number): CheckedSafetensors {
  const fail = (problem: string) => fileError(op, file.name, problem);
  if (file.size === 0) throw fail('is empty');
  if (file.size < 8) throw fail(`is too short for a .safetensors file (${file.size} bytes)`);
  const length = readAt(op, file, 0, 8).readBigUInt64LE(0);
  if (length === 0n || length >= BigInt(MAX_HEADER)) throw fail(`declares a JSON header of ${length} bytes; it must be 1 to ${MAX_HEADER - 1}`);
  const dataOffset = 8 + Number(length);
  if (dataOffset > file.size) throw fail(`declares a ${length}-byte JSON header, but only ${file.size - 8} bytes follow its length`);
  let json: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(readAt(op, file, 8, Number(length)));
    if (!text.startsWith('{')) throw new Error('it does not start with "{"');
    json = JSON.parse(text);
  } catch (error) {
    throw fail(`has a header that is not a UTF-8 JSON object (${(error as Error).message})`);
  }
  if (!isObject(json)) throw fail('has a JSON header that is not an object');

  const dataSize = file.size - dataOffset;
  const count = Object.keys(json).length;
  if (count > MAX_ENTRIES) throw fail(`has ${count} header entries; mlxts loads at most ${MAX_ENTRIES} from one file`);
  const metadata = checkMetadata(json.__metadata__, fail);
  const entries = new Map<string, Entry>();
  for (const [name, info] of Object.entries(json)) {
    if (name !== '__metadata__') entries.set(name, checkEntry(name, info, dataSize, memoryLimit, fail));
  }
  checkNoOverlap(entries, fail);
  const rewritten = JSON.stringify({ ...(metadata ? { __metadata__: metadata } : {}), ...Object.fromEntries(entries) });
  const body = Buffer.from(rewritten, 'utf8');
  const header = Buffer.alloc(8 + body.length);
  header.writeBigUInt64LE(BigInt(body.length), 0);
  body.copy(header, 8);
  return { header, dataOffset, names: [...entries.keys()] };
}

function checkMetadata(value: unknown, fail: (problem: string) => Error): Record<string, string> | undefined {
  // MLX writes null when there is none.
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw fail('has "__metadata__" that is not an object of strings');
  if (Object.keys(value).length > MAX_ENTRIES) throw fail(`has more than ${MAX_ENTRIES} metadata entries, the most mlxts loads`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw fail(`has metadata "${key}" that is not a string (safetensors metadata maps strings to strings)`);
  }
  return value as Record<string, string>;
}

function checkEntry(name: string, info: unknown, dataSize: number, memoryLimit: number, fail: (problem: string) => Error): Entry {
  const bad = (problem: string) => fail(`tensor "${name}" ${problem}`);
  if (!isObject(info)) throw bad('is not described by an object { dtype, shape, data_offsets }');
  const { dtype, shape, data_offsets: offsets } = info;
  const type = typeof dtype === 'string' ? DTYPES[dtype] : undefined;
  if (!type) throw bad(`has dtype ${JSON.stringify(dtype)}, which MLX cannot load (it loads ${Object.keys(DTYPES).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`has shape ${JSON.stringify(shape)}; it must be a list of non-negative integers`);
  if (shape.some((d) => d > MAX_DIM)) throw bad(`has shape [${shape.join(', ')}]: MLX takes dimensions up to 2^31 - 1`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw bad(`has data_offsets ${JSON.stringify(offsets)}; they must be [begin, end], integers with 0 <= begin <= end`);
  }
  const [begin, end] = offsets as [number, number];
  const nbytes = shape.reduce((n: bigint, d: number) => n * BigInt(d), 1n) * BigInt(type.size);
  if (nbytes !== BigInt(end - begin)) {
    throw bad(`has shape [${shape.join(', ')}] of ${dtype}, ${nbytes} bytes, but data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
  }
  if (end > dataSize) throw bad(`has data_offsets [${begin}, ${end}] past the end of the data section (${dataSize} bytes)`);
  const tooBig = overMemoryLimit(nbytes, memoryLimit);
  if (tooBig) throw bad(tooBig);
  return { dtype: dtype as string, shape: shape as number[], data_offsets: [begin, end] };
}

function checkNoOverlap(entries: Map<string, Entry>, fail: (problem: string) => Error): void {
  const ranges = [...entries]
    .filter(([, e]) => e.data_offsets[1] > e.data_offsets[0])
    .sort(([, a], [, b]) => a.data_offsets[0] - b.data_offsets[0]);
  for (let i = 1; i < ranges.length; i++) {
    const [prevName, prev] = ranges[i - 1];
    const [name, entry] = ranges[i];
    if (entry.data_offsets[0] < prev.data_offsets[1]) {
      throw fail(`tensors "${prevName}" [${prev.data_offsets}] and "${name}" [${entry.data_offsets}] overlap`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
