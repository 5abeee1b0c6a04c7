// Checking a .gguf file (ggml's format, version 2 or 3) before MLX reads it.
//
// Layout (little-endian): the magic "GGUF", a uint32 version, uint64 tensor and key-value counts, the
// key-value pairs (a string key, a uint32 value type, the value), the tensor infos (a string name, a
// uint32 axis count, that many uint64 dimensions, innermost first, a uint32 tensor type, a uint64 offset
// into the data section), padding to `general.alignment` (32 by default), then the data section. A string
// is a uint64 byte length and the bytes; an array is a uint32 element type, a uint64 count and the elements.
//
// MLX reads GGUF with gguflib, which trusts every length, count, type and offset in the file (an axis
// count over 8 aborts the process). mlxts walks the whole header first and refuses anything out of
// bounds or that MLX cannot represent, so MLX only ever opens files whose header has been checked.
import { accessSync, constants } from 'node:fs';
import { fileError, MAX_ENTRIES, overMemoryLimit, readAt, type OpenFile } from './file.js';

/** What MLX 0.32.4 makes of a tensor type: its own dtype, packed affine parts, float16, or nothing. */
export type GgufLoad = 'dtype' | 'packed' | 'float16' | 'unsupported';

/**
 * ggml's tensor types: name, weights per block and bytes per block (ggml's block layouts), and how MLX
 * 0.32.4 loads each. gguflib's own table says 82 bytes for a Q2_K block and 40 for Q8_1, but its Q2_K
 * converter reads ggml's 84-byte blocks: the ranges checked here are the ones actually read.
 */
export const GGUF_TENSOR_TYPES: ReadonlyMap<number, { name: string; block: number; bytes: number; mlx: GgufLoad }> = new Map([
  [0, { name: 'F32', block: 1, bytes: 4, mlx: 'dtype' }],
  [1, { name: 'F16', block: 1, bytes: 2, mlx: 'dtype' }],
  [2, { name: 'Q4_0', block: 32, bytes: 18, mlx: 'packed' }],
  [3, { name: 'Q4_1', block: 32, bytes: 20, mlx: 'packed' }],
  [6, { name: 'Q5_0', block: 32, bytes: 22, mlx: 'unsupported' }],
  [7, { name: 'Q5_1', block: 32, bytes: 24, mlx: 'unsupported' }],
  [8, { name: 'Q8_0', block: 32, bytes: 34, mlx: 'packed' }],
  [9, { name: 'Q8_1', block: 32, bytes: 36, mlx: 'unsupported' }],
  [10, { name: 'Q2_K', block: 256, bytes: 84, mlx: 'float16' }],
  [11, { name: 'Q3_K', block: 256, bytes: 110, mlx: 'unsupported' }],
  [12, { name: 'Q4_K', block: 256, bytes: 144, mlx: 'float16' }],
  [13, { name: 'Q5_K', block: 256, bytes: 176, mlx: 'unsupported' }],
  [14, { name: 'Q6_K', block: 256, bytes: 210, mlx: 'float16' }],
  [15, { name: 'Q8_K', block: 256, bytes: 292, mlx: 'unsupported' }],
  [16, { name: 'IQ2_XXS', block: 256, bytes: 66, mlx: 'unsupported' }],
  [17, { name: 'IQ2_XS', block: 256, bytes: 74, mlx: 'unsupported' }],
  [18, { name: 'IQ3_XXS', block: 256, bytes: 98, mlx: 'unsupported' }],
  [19, { name: 'IQ1_S', block: 256, bytes: 50, mlx: 'unsupported' }],
  [20, { name: 'IQ4_NL', block: 32, bytes: 18, mlx: 'unsupported' }],
  [21, { name: 'IQ3_S', block: 256, bytes: 110, mlx: 'unsupported' }],
  [22, { name: 'IQ2_S', block: 256, bytes: 82, mlx: 'unsupported' }],
  [23, { name: 'IQ4_XS', block: 256, bytes: 136, mlx: 'unsupported' }],
  [24, { name: 'I8', block: 1, bytes: 1, mlx: 'dtype' }],
  [25, { name: 'I16', block: 1, bytes: 2, mlx: 'dtype' }],
  [26, { name: 'I32', block: 1, bytes: 4, mlx: 'dtype' }],
  [27, { name: 'I64', block: 1, bytes: 8, mlx: 'unsupported' }],
  [28, { name: 'F64', block: 1, bytes: 8, mlx: 'unsupported' }],
  [29, { name: 'IQ1_M', block: 256, bytes: 56, mlx: 'unsupported' }],
  [30, { name: 'BF16', block: 1, bytes: 2, mlx: 'float16' }],
]);

/** Metadata value types: name and byte size (0 for strings and arrays). */
const VALUE_TYPES: readonly { name: string; size: number }[] = [
  { name: 'uint8', size: 1 },
  { name: 'int8', size: 1 },
  { name: 'uint16', size: 2 },
  { name: 'int16', size: 2 },
  { name: 'uint32', size: 4 },
  { name: 'int32', size: 4 },
  { name: 'float32', size: 4 },
  { name: 'bool', size: 1 },
  { name: 'string', size: 0 },
  { name: 'array', size: 0 },
  { name: 'uint64', size: 8 },
  { name: 'int64', size: 8 },
  { name: 'float64', size: 8 },
];
const [BOOL, STRING, ARRAY, UINT32, FLOAT64] = [7, 8, 9, 4, 12];

/** gguflib's limit on a tensor's axis count (it aborts beyond it). */
const MAX_NDIM = 8;
const MAX_DIM = 2 ** 31 - 1;
/**
 * The longest string array accepted. Each string becomes a C++ and a JS string (several times its 8-byte
 * length prefix); tokenizers, the longest arrays in model files, hold up to a few hundred thousand.
 */
const MAX_STRINGS = 4_000_000;
const DEFAULT_ALIGNMENT = 32;

export interface CheckedGguf {
  /** The names of the tensors MLX will return, in the file's order (a packed tensor gives three). */
  readonly names: readonly string[];
  /** The metadata keys in the file's order. */
  readonly keys: readonly string[];
}

export function checkGguf(op: string, file: OpenFile, memoryLimit: number): CheckedGguf {
  const fail = (problem: string) => fileError(op, file.name, problem);
  if (file.size === 0) throw fail('is empty');
  const r = new HeaderReader(op, file, fail);
  if (file.size < 24) throw fail(`is too short for a .gguf file (${file.size} bytes)`);
  if (r.bytes(4).toString('latin1') !== 'GGUF') throw fail('is not a .gguf file (it does not start with "GGUF")');
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    if (version === 0x02000000 || version === 0x03000000) throw fail('is a big-endian GGUF file, which MLX cannot read');
    throw fail(`has GGUF version ${version}; MLX reads versions 2 and 3`);
  }
  const tensorCount = r.u64();
  const kvCount = r.u64();
  // Each pair takes at least 12 bytes and each tensor info 24: larger counts cannot fit in the file.
  if (kvCount * 12n > BigInt(file.size)) throw fail(`declares ${kvCount} metadata pairs, more than its ${file.size} bytes can hold`);
  if (tensorCount * 24n > BigInt(file.size)) throw fail(`declares ${tensorCount} tensors, more than its ${file.size} bytes can hold`);
  if (kvCount > BigInt(MAX_ENTRIES)) throw fail(`declares ${kvCount} metadata pairs; mlxts loads at most ${MAX_ENTRIES} from one file`);
  if (tensorCount > BigInt(MAX_ENTRIES)) throw fail(`declares ${tensorCount} tensors; mlxts loads at most ${MAX_ENTRIES} from one file`);

  const keys = new Set<string>();
  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0n; i < kvCount; i++) {
    const key = r.string('a metadata key');
    if (keys.has(key)) throw fail(`has metadata key "${key}" twice`);
    keys.add(key);
    const type = r.u32();
    if (key === 'general.alignment') {
      const value = type === UINT32 ? r.u32() : 0;
      if (value === 0 || value % 8 !== 0) throw fail('has general.alignment that is not a uint32 multiple of 8');
      alignment = value;
    } else {
      skipValue(r, type, key, fail);
    }
  }

  const tensors: TensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0n; i < tensorCount; i++) tensors.push(readTensorInfo(r, names, fail));
  const dataStart = BigInt(r.position) + BigInt((alignment - (r.position % alignment)) % alignment);
  checkTensorData(tensors, dataStart, alignment, BigInt(file.size), fail);
  const tooBig = overMemoryLimit(loadedBytes(tensors), memoryLimit);
  if (tooBig) throw fail(`loading it ${tooBig}`);
  checkWritable(file, fail);
  return { names: tensors.flatMap((t) => t.outputs), keys: [...keys] };
}

interface TensorInfo {
  readonly name: string;
  readonly type: number;
  readonly weights: bigint;
  readonly bytes: bigint;
  readonly offset: bigint;
  /** The names MLX gives what it loads from this tensor. */
  readonly outputs: readonly string[];
}

function readTensorInfo(r: HeaderReader, names: Set<string>, fail: (problem: string) => Error): TensorInfo {
  const name = r.string('a tensor name');
  const bad = (problem: string) => fail(`tensor "${name}" ${problem}`);
  const ndim = r.u32();
  if (ndim > MAX_NDIM) throw bad(`has ${ndim} axes; MLX's reader takes at most ${MAX_NDIM}`);
  const dims: bigint[] = [];
  for (let j = 0; j < ndim; j++) dims.push(r.u64());
  if (dims.some((d) => d > BigInt(MAX_DIM))) throw bad(`has dimensions [${dims.join(', ')}]: MLX takes dimensions up to 2^31 - 1`);
  const type = r.u32();
  const offset = r.u64();
  const info = GGUF_TENSOR_TYPES.get(type);
  if (!info) throw bad(`has tensor type ${type}, which is not a ggml type MLX's reader knows`);
  if (info.mlx === 'unsupported') {
    const loadable = [...GGUF_TENSOR_TYPES.values()].filter((t) => t.mlx !== 'unsupported').map((t) => t.name);
    throw bad(`has type ${info.name}, which MLX 0.32.4 cannot load (it loads ${loadable.join(', ')})`);
  }
  const weights = dims.reduce((n, d) => n * d, 1n);
  if (info.block > 1 && (ndim === 0 || dims[0] % BigInt(info.block) !== 0n)) {
    throw bad(`has type ${info.name} and dimensions [${dims.join(', ')}]: the first must be a multiple of its block of ${info.block}`);
  }
  let outputs = [name];
  if (info.mlx === 'packed') {
    // MLX names the parts by replacing the last 7 characters (".weight") with ".scales" and ".biases".
    if (!name.endsWith('.weight')) throw bad(`has type ${info.name} but a name not ending in ".weight", which MLX's reader needs to name its scales and biases`);
    const prefix = name.slice(0, -'.weight'.length);
    outputs = [name, `${prefix}.scales`, `${prefix}.biases`];
  }
  for (const output of outputs) {
    if (names.has(output)) throw fail(`has two tensors that MLX would both name "${output}"`);
    names.add(output);
  }
  return { name, type, weights, bytes: (weights / BigInt(info.block)) * BigInt(info.bytes), offset, outputs };
}

function checkTensorData(tensors: TensorInfo[], dataStart: bigint, alignment: number, fileSize: bigint, fail: (problem: string) => Error): void {
  for (const t of tensors) {
    const bad = (problem: string) => fail(`tensor "${t.name}" ${problem}`);
    if (t.offset % BigInt(alignment) !== 0n) throw bad(`has offset ${t.offset}, not a multiple of the alignment ${alignment}`);
    if (dataStart + t.offset + t.bytes > fileSize) {
      throw bad(`has data at [${t.offset}, ${t.offset + t.bytes}) of the data section, past the end of the file (${fileSize - dataStart < 0n ? 0n : fileSize - dataStart} bytes of data)`);
    }
  }
  const ranges = tensors.filter((t) => t.bytes > 0n).sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  for (let i = 1; i < ranges.length; i++) {
    const [prev, t] = [ranges[i - 1], ranges[i]];
    if (t.offset < prev.offset + prev.bytes) throw fail(`tensors "${prev.name}" and "${t.name}" overlap in the data section`);
  }
}

/** Bytes MLX allocates to load every tensor, plus the temporary copy its float16 conversion makes. */
function loadedBytes(tensors: TensorInfo[]): bigint {
  let total = 0n;
  let temporary = 0n;
  for (const t of tensors) {
    const mlx = GGUF_TENSOR_TYPES.get(t.type)!.mlx;
    if (mlx === 'dtype') total += t.bytes;
    else if (mlx === 'float16') {
      total += t.weights * 2n;
      if (t.weights * 2n > temporary) temporary = t.weights * 2n;
    } else {
      // uint32 words of 4-bit (Q4) or 8-bit (Q8) weights, plus float16 scales and biases per 32.
      const bits = t.type === 8 ? 8n : 4n;
      total += (t.weights * bits) / 8n + (t.weights / 32n) * 4n;
    }
  }
  return total + temporary;
}

function skipValue(r: HeaderReader, type: number, key: string, fail: (problem: string) => Error): void {
  const bad = (problem: string) => fail(`metadata "${key}" ${problem}`);
  // MLX 0.32.4 converts float64 values to float32 and then advances its read position by the float32's
  // size, not the 8 bytes it read: everything after is misread, and the process can crash.
  const float64 = () => bad("is float64, which MLX 0.32.4's GGUF reader misreads (it then reads the rest of the header from the wrong place)");
  if (type === FLOAT64) throw float64();
  if (type === STRING) return r.skipStrings(1, `metadata "${key}"`);
  if (type === ARRAY) {
    const itemType = r.u32();
    const count = r.u64();
    if (itemType === ARRAY) throw bad('is an array of arrays, which MLX cannot read');
    if (itemType === FLOAT64) throw float64();
    const item = VALUE_TYPES[itemType];
    if (!item) throw bad(`is an array of unknown value type ${itemType}`);
    if (count > BigInt(MAX_DIM)) throw bad(`is an array of ${count} values; MLX reads at most 2^31 - 1`);
    if (itemType === STRING && count > BigInt(MAX_STRINGS)) throw bad(`is an array of ${count} strings; mlxts loads at most ${MAX_STRINGS}`);
    if (BigInt(item.size || 8) * count > BigInt(r.remaining)) throw bad(`is an array of ${count} ${item.name} values, which would run past the end of the file`);
    if (itemType === STRING) r.skipStrings(Number(count), `metadata "${key}"`);
    else if (itemType === BOOL) checkBools(r.bytes(Number(count)), bad);
    else r.skip(Number(count) * item.size);
    return;
  }
  const value = VALUE_TYPES[type];
  if (!value) throw bad(`has unknown value type ${type}`);
  if (type === BOOL) checkBools(r.bytes(1), bad);
  else r.skip(value.size);
}

function checkBools(bytes: Buffer, bad: (problem: string) => Error): void {
  if (bytes.some((b) => b > 1)) throw bad('holds a bool that is neither 0 nor 1');
}

// gguflib opens the file for reading and writing (and maps it shared and writable), although MLX never
// writes to it: a file this process may not write cannot be loaded.
function checkWritable(file: OpenFile, fail: (problem: string) => Error): void {
  try {
    accessSync(file.name, constants.W_OK);
  } catch {
    throw fail("is not writable, and MLX's GGUF reader (gguflib) opens files for reading and writing; copy it somewhere writable or change its permissions");
  }
}

/** Reads the header front to back, fetching more of the file as needed and never past its end. */
class HeaderReader {
  position = 0;
  private buffer = Buffer.alloc(0);

  constructor(
    private readonly op: string,
    private readonly file: OpenFile,
    private readonly fail: (problem: string) => Error,
  ) {}

  get remaining(): number {
    return this.file.size - this.position;
  }

  bytes(n: number, what = 'its header'): Buffer {
    this.need(n, what);
    this.position += n;
    return this.buffer.subarray(this.position - n, this.position);
  }

  skip(n: number, what = 'its header'): void {
    this.need(n, what);
    this.position += n;
  }

  u32(): number {
    this.need(4, 'its header');
    this.position += 4;
    return this.buffer.readUInt32LE(this.position - 4);
  }

  u64(): bigint {
    this.need(8, 'its header');
    this.position += 8;
    return this.buffer.readBigUInt64LE(this.position - 8);
  }

  string(what: string): string {
    const length = this.stringLength(what);
    return this.bytes(length, what).toString('utf8');
  }

  /** Skips a string of `what` without decoding it (a tokenizer's hundred thousand strings are not needed). */
  skipStrings(count: number, what: string): void {
    for (let i = 0; i < count; i++) {
      const length = this.stringLength(what);
      if (this.position + length > this.buffer.length) this.need(length, what);
      this.position += length;
    }
  }

  // A string's uint64 length, read as two 32-bit halves (no BigInt for each of many strings).
  private stringLength(what: string): number {
    if (this.position + 8 > this.buffer.length) this.need(8, what);
    const [low, high] = [this.buffer.readUInt32LE(this.position), this.buffer.readUInt32LE(this.position + 4)];
    this.position += 8;
    const length = high * 2 ** 32 + low;
    if (high >= 2 ** 21 || length > this.remaining) {
      throw this.fail(`has ${what} of ${(BigInt(high) << 32n) | BigInt(low)} bytes, past the end of the file`);
    }
    return length;
  }

  private need(n: number, what: string): void {
    const end = this.position + n;
    if (end > this.file.size) throw this.fail(`ends inside ${what} (at byte ${this.position} of ${this.file.size})`);
    if (end <= this.buffer.length) return;
    // Read ahead in growing chunks: a model's header (mostly its tokenizer) is typically 1 to 10 MB.
    const length = Math.min(this.file.size, Math.max(end, this.buffer.length * 2, 4 << 20));
    this.buffer = Buffer.concat([this.buffer, readAt(this.op, this.file, this.buffer.length, length - this.buffer.length)]);
  }
}
