// A reader of GGUF tensor data for the float64 reference: it walks the file's header (metadata is skipped,
// not interpreted) to each tensor's raw blocks, and dequantizes rows of Q4_1, Q8_0 and F32 tensors as the
// GGUF format defines them. Written from the format's specification, independently of MLX's loader, so
// that the reference shares nothing with the code under test.
import { readFileSync } from 'node:fs';

/** ggml type ids. */
const F32 = 0;
const Q4_1 = 3;
const Q8_0 = 8;
const BLOCK = 32;

interface TensorInfo {
  type: number;
  /** GGUF order: the first dimension is the row length. */
  dims: number[];
  offset: number;
}

export class GgufBlocks {
  private readonly buf: Buffer;
  private readonly view: DataView;
  private readonly tensors = new Map<string, TensorInfo>();

  constructor(path: string) {
    this.buf = readFileSync(path);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    let pos = 0;
    const u32 = () => ((pos += 4), this.view.getUint32(pos - 4, true));
    const u64 = () => ((pos += 8), Number(this.view.getBigUint64(pos - 8, true)));
    const str = () => {
      const n = u64();
      pos += n;
      return this.buf.toString('utf8', pos - n, pos);
    };
    if (this.buf.toString('latin1', 0, 4) !== 'GGUF') throw new Error('not a GGUF file');
    pos = 8;
    const tensorCount = u64();
    const kvCount = u64();
    // Value sizes of the scalar metadata types: u8 i8 u16 i16 u32 i32 f32 bool (8 = string, 9 = array) u64 i64 f64.
    const size: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
    let alignment = 32;
    const skip = (type: number): void => {
      if (type === 8) str();
      else if (type === 9) {
        const inner = u32();
        const n = u64();
        for (let i = 0; i < n; i++) skip(inner);
      } else pos += size[type];
    };
    for (let i = 0; i < kvCount; i++) {
      const key = str();
      const type = u32();
      if (key === 'general.alignment') alignment = this.view.getUint32(pos, true);
      skip(type);
    }
    const infos: [string, TensorInfo][] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = str();
      const dims = Array.from({ length: u32() }, u64);
      infos.push([name, { dims, type: u32(), offset: u64() }]);
    }
    const dataStart = Math.ceil(pos / alignment) * alignment;
    for (const [name, info] of infos) this.tensors.set(name, { ...info, offset: dataStart + info.offset });
  }

  /** Rows and row length of a tensor (`[rows, cols]` in the row-major sense). */
  shape(name: string): [rows: number, cols: number] {
    const { dims } = this.info(name);
    return [dims.slice(1).reduce((a, b) => a * b, 1), dims[0]];
  }

  /** Row `r` of tensor `name`, dequantized into `out` (float64). */
  row(name: string, r: number, out: Float64Array): Float64Array {
    const { type, offset } = this.info(name);
    const cols = this.shape(name)[1];
    const f16 = (at: number) => half(this.view.getUint16(at, true));
    if (type === F32) {
      for (let c = 0; c < cols; c++) out[c] = this.view.getFloat32(offset + (r * cols + c) * 4, true);
    } else if (type === Q4_1) {
      // 20-byte blocks: scale d and minimum m (float16), then 16 bytes of 4-bit values: element j of the
      // block is the low nibble of byte j for j < 16, the high nibble of byte j - 16 otherwise; x = d q + m.
      const base = offset + ((r * cols) / BLOCK) * 20;
      for (let b = 0; b < cols / BLOCK; b++) {
        const at = base + b * 20;
        const d = f16(at);
        const m = f16(at + 2);
        for (let j = 0; j < 16; j++) {
          const byte = this.buf[at + 4 + j];
          out[b * BLOCK + j] = d * (byte & 0x0f) + m;
          out[b * BLOCK + j + 16] = d * (byte >> 4) + m;
        }
      }
    } else if (type === Q8_0) {
      // 34-byte blocks: scale d (float16), then 32 signed bytes q; x = d q.
      const base = offset + ((r * cols) / BLOCK) * 34;
      for (let b = 0; b < cols / BLOCK; b++) {
        const at = base + b * 34;
        const d = f16(at);
        for (let j = 0; j < BLOCK; j++) out[b * BLOCK + j] = d * this.view.getInt8(at + 2 + j);
      }
    } else {
      throw new Error(`ggml type ${type} is not handled by the reference`);
    }
    return out;
  }

  private info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`no tensor ${name}`);
    return t;
  }
}

/** IEEE 754 half precision bits -> number. */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
