// A GGUF writer and reader written from ggml's description of the format (ggml/docs/gguf.md), and the
// dequantization of its Q4_0, Q4_1 and Q8_0 blocks from the same description, independent of mlxts and MLX.

/** Metadata value types. */
export const GGUF_VALUE = { UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12 } as const;

/** Tensor types by id: name, weights per block, bytes per block. */
export const GGML_TYPES: ReadonlyMap<number, { name: string; block: number; bytes: number }> = new Map([
  [0, { name: 'F32', block: 1, bytes: 4 }], [1, { name: 'F16', block: 1, bytes: 2 }],
  [2, { name: 'Q4_0', block: 32, bytes: 18 }], [3, { name: 'Q4_1', block: 32, bytes: 20 }],
  [6, { name: 'Q5_0', block: 32, bytes: 22 }], [7, { name: 'Q5_1', block: 32, bytes: 24 }],
  [8, { name: 'Q8_0', block: 32, bytes: 34 }], [9, { name: 'Q8_1', block: 32, bytes: 36 }],
  [10, { name: 'Q2_K', block: 256, bytes: 84 }], [11, { name: 'Q3_K', block: 256, bytes: 110 }],
  [12, { name: 'Q4_K', block: 256, bytes: 144 }], [13, { name: 'Q5_K', block: 256, bytes: 176 }],
  [14, { name: 'Q6_K', block: 256, bytes: 210 }], [15, { name: 'Q8_K', block: 256, bytes: 292 }],
  [16, { name: 'IQ2_XXS', block: 256, bytes: 66 }], [17, { name: 'IQ2_XS', block: 256, bytes: 74 }],
  [18, { name: 'IQ3_XXS', block: 256, bytes: 98 }], [19, { name: 'IQ1_S', block: 256, bytes: 50 }],
  [20, { name: 'IQ4_NL', block: 32, bytes: 18 }], [21, { name: 'IQ3_S', block: 256, bytes: 110 }],
  [22, { name: 'IQ2_S', block: 256, bytes: 82 }], [23, { name: 'IQ4_XS', block: 256, bytes: 136 }],
  [24, { name: 'I8', block: 1, bytes: 1 }], [25, { name: 'I16', block: 1, bytes: 2 }],
  [26, { name: 'I32', block: 1, bytes: 4 }], [27, { name: 'I64', block: 1, bytes: 8 }],
  [28, { name: 'F64', block: 1, bytes: 8 }], [29, { name: 'IQ1_M', block: 256, bytes: 56 }],
  [30, { name: 'BF16', block: 1, bytes: 2 }],
]);

export type GgufScalar = number | bigint | boolean | string;

export interface GgufKV {
  key: string;
  type: number;
  value: GgufScalar | GgufScalar[];
  /** The element type of an ARRAY value. */
  itemType?: number;
}

export interface GgufTensorPart {
  name: string;
  /** ggml's order: the innermost (contiguous) dimension first. */
  dims: number[];
  type: number;
  data: Uint8Array;
  /** The offset written in the tensor info, instead of where the data is placed (for malformed files). */
  offset?: number;
}

export interface GgufParts {
  version?: number;
  metadata?: GgufKV[];
  tensors?: GgufTensorPart[];
}

/** Bytes a tensor of `type` with these dims occupies. */
export function ggmlBytes(type: number, dims: readonly number[]): number {
  const t = GGML_TYPES.get(type)!;
  return (dims.reduce((a, b) => a * b, 1) / t.block) * t.bytes;
}

class Bytes {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  value(type: number, v: GgufScalar): void {
    const b = Buffer.alloc(8);
    const n = Number(v);
    switch (type) {
      case GGUF_VALUE.UINT8: case GGUF_VALUE.BOOL: return this.push(Buffer.from([n]));
      case GGUF_VALUE.INT8: b.writeInt8(n); return this.push(b.subarray(0, 1));
      case GGUF_VALUE.UINT16: b.writeUInt16LE(n); return this.push(b.subarray(0, 2));
      case GGUF_VALUE.INT16: b.writeInt16LE(n); return this.push(b.subarray(0, 2));
      case GGUF_VALUE.UINT32: b.writeUInt32LE(n); return this.push(b.subarray(0, 4));
      case GGUF_VALUE.INT32: b.writeInt32LE(n); return this.push(b.subarray(0, 4));
      case GGUF_VALUE.FLOAT32: b.writeFloatLE(n); return this.push(b.subarray(0, 4));
      case GGUF_VALUE.UINT64: b.writeBigUInt64LE(BigInt(v)); return this.push(b);
      case GGUF_VALUE.INT64: b.writeBigInt64LE(BigInt(v)); return this.push(b);
      case GGUF_VALUE.FLOAT64: b.writeDoubleLE(n); return this.push(b);
      case GGUF_VALUE.STRING: return this.string(String(v));
      default: throw new Error(`cannot write value type ${type}`);
    }
  }
  concat(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A GGUF file: header, metadata, tensor infos, then each tensor's data at an aligned offset. */
export function writeGguf(p: GgufParts): Buffer {
  const metadata = p.metadata ?? [];
  const tensors = p.tensors ?? [];
  const alignmentKv = metadata.find((kv) => kv.key === 'general.alignment');
  // (A malformed alignment of 0 is written, but the data is laid out with the default.)
  const alignment = Number(alignmentKv?.value ?? 0) || 32;
  const out = new Bytes();
  out.push(Buffer.from('GGUF', 'latin1'));
  out.u32(p.version ?? 3);
  out.u64(tensors.length);
  out.u64(metadata.length);
  for (const kv of metadata) {
    out.string(kv.key);
    out.u32(kv.type);
    if (kv.type === GGUF_VALUE.ARRAY) {
      const items = kv.value as GgufScalar[];
      out.u32(kv.itemType!);
      out.u64(items.length);
      for (const item of items) out.value(kv.itemType!, item);
    } else {
      out.value(kv.type, kv.value as GgufScalar);
    }
  }
  const pad = (n: number) => (alignment - (n % alignment)) % alignment;
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(offset);
    offset += t.data.length + pad(t.data.length);
  }
  tensors.forEach((t, i) => {
    out.string(t.name);
    out.u32(t.dims.length);
    for (const d of t.dims) out.u64(d);
    out.u32(t.type);
    out.u64(t.offset ?? offsets[i]);
  });
  out.push(Buffer.alloc(pad(out.length)));
  for (const t of tensors) {
    out.push(Buffer.from(t.data));
    out.push(Buffer.alloc(pad(t.data.length)));
  }
  return out.concat();
}

export interface GgufFile {
  version: number;
  metadata: Map<string, { type: number; value: GgufScalar | GgufScalar[]; itemType?: number }>;
  tensors: { name: string; dims: number[]; type: number; offset: number; data: Buffer }[];
  alignment: number;
  dataStart: number;
}

export function readGguf(bytes: Buffer): GgufFile {
  let at = 0;
  const u32 = () => ((at += 4), bytes.readUInt32LE(at - 4));
  const u64 = () => ((at += 8), bytes.readBigUInt64LE(at - 8));
  const string = () => {
    const n = Number(u64());
    at += n;
    return bytes.subarray(at - n, at).toString('utf8');
  };
  const value = (type: number): GgufScalar => {
    const fixed: Record<number, [number, () => GgufScalar]> = {
      0: [1, () => bytes.readUInt8(at)], 1: [1, () => bytes.readInt8(at)],
      2: [2, () => bytes.readUInt16LE(at)], 3: [2, () => bytes.readInt16LE(at)],
      4: [4, () => bytes.readUInt32LE(at)], 5: [4, () => bytes.readInt32LE(at)],
      6: [4, () => bytes.readFloatLE(at)], 7: [1, () => bytes[at] === 1],
      10: [8, () => bytes.readBigUInt64LE(at)], 11: [8, () => bytes.readBigInt64LE(at)],
      12: [8, () => bytes.readDoubleLE(at)],
    };
    if (type === GGUF_VALUE.STRING) return string();
    const [size, read] = fixed[type];
    const v = read();
    at += size;
    return v;
  };
  if (bytes.subarray(0, 4).toString('latin1') !== 'GGUF') throw new Error('not a GGUF file');
  at = 4;
  const version = u32();
  const tensorCount = Number(u64());
  const kvCount = Number(u64());
  const metadata: GgufFile['metadata'] = new Map();
  for (let i = 0; i < kvCount; i++) {
    const key = string();
    const type = u32();
    if (type === GGUF_VALUE.ARRAY) {
      const itemType = u32();
      const n = Number(u64());
      const items: GgufScalar[] = [];
      for (let j = 0; j < n; j++) items.push(value(itemType));
      metadata.set(key, { type, value: items, itemType });
    } else metadata.set(key, { type, value: value(type) });
  }
  const infos: { name: string; dims: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = string();
    const ndim = u32();
    const dims = Array.from({ length: ndim }, () => Number(u64()));
    infos.push({ name, dims, type: u32(), offset: Number(u64()) });
  }
  const alignment = Number(metadata.get('general.alignment')?.value ?? 32);
  const dataStart = at + ((alignment - (at % alignment)) % alignment);
  const tensors = infos.map((t) => ({ ...t, data: bytes.subarray(dataStart + t.offset, dataStart + t.offset + ggmlBytes(t.type, t.dims)) }));
  return { version, metadata, tensors, alignment, dataStart };
}

/** IEEE half-precision bits to a number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * The values of `count` weights stored as Q4_0, Q4_1 or Q8_0 blocks of 32 (ggml's block layouts), each
 * computed as code * scale + offset: Q4_0 (nibble - 8) * d = nibble * d + (-8d); Q4_1 nibble * d + m;
 * Q8_0 q * d = (q + 128) * d + (-128d), with the unsigned codes MLX stores. `round` is applied after the
 * product and after the sum: the identity for exact values, `roundToHalf` for float16 arithmetic.
 */
export function dequantizeBlocks(type: number, data: Uint8Array, count: number, round: (x: number) => number = (x) => x): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(count);
  const { bytes, name } = GGML_TYPES.get(type)!;
  for (let block = 0; block < count / 32; block++) {
    const at = block * bytes;
    const d = halfToNumber(view.getUint16(at, true));
    const offset = name === 'Q4_0' ? -8 * d : name === 'Q8_0' ? -128 * d : halfToNumber(view.getUint16(at + 2, true));
    for (let j = 0; j < 32; j++) {
      let code: number;
      if (name === 'Q8_0') code = view.getInt8(at + 2 + j) + 128;
      else {
        // Q4: weight j < 16 is the low nibble of byte j, weight j + 16 the high nibble.
        const byte = data[at + (name === 'Q4_0' ? 2 : 4) + (j % 16)];
        code = j < 16 ? byte & 0x0f : byte >> 4;
      }
      out[block * 32 + j] = round(round(code * d) + offset);
    }
  }
  return out;
}

/** The float16 nearest to x (ties to even), as a number. */
export function roundToHalf(x: number): number {
  const a = Math.abs(x);
  if (!Number.isFinite(x) || a === 0) return x;
  if (a >= 65520) return Math.sign(x) * Infinity;
  const exponent = Math.max(Math.floor(Math.log2(a)), -14);
  const ulp = 2 ** (exponent - 10);
  const units = a / ulp;
  const floor = Math.floor(units);
  const rounded = units - floor > 0.5 || (units - floor === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return Math.sign(x) * rounded * ulp;
}

/**
 * `count` Q4_0, Q4_1 or Q8_0 blocks with pseudo-random weights and exact float16 scales (and Q4_1 mins)
 * of a few sixty-fourths, from `seed`.
 */
export function randomBlocks(type: number, count: number, seed: number): Uint8Array {
  const { bytes } = GGML_TYPES.get(type)!;
  const out = new Uint8Array(count * bytes);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  const view = new DataView(out.buffer);
  for (let b = 0; b < count; b++) {
    view.setUint16(b * bytes, halfOfSixtyFourths((b % 7) + 1), true);
    if (GGML_TYPES.get(type)!.name === 'Q4_1') view.setUint16(b * bytes + 2, halfOfSixtyFourths(-2 * ((b % 5) + 1)), true);
  }
  return out;
}

/** The float16 bits of n / 64 for a non-zero integer n with |n| < 1024. */
function halfOfSixtyFourths(n: number): number {
  const sign = n < 0 ? 0x8000 : 0;
  const m = Math.abs(n);
  const e = Math.floor(Math.log2(m));
  return sign | ((e - 6 + 15) << 10) | (((m / 2 ** e - 1) * 1024) & 0x3ff);
}
