// GGUF tensor data for the float64 reference: @mlxts/testing's GGUF reader (written from the format's
// specification, independently of MLX's loader) finds each tensor's bytes; rows of Q4_1, Q8_0 and F32
// tensors are dequantized here as ggml defines the blocks, into float64, so that the reference shares
// nothing with the code under test.
import { readFileSync } from 'node:fs';
import { halfToNumber, readGguf } from '@mlxts/testing';

/** ggml type ids. */
const F32 = 0;
const Q4_1 = 3;
const Q8_0 = 8;
const BLOCK = 32;

interface TensorInfo {
  type: number;
  /** GGUF order: the first dimension is the row length. */
  dims: number[];
  data: Uint8Array;
}

export class GgufBlocks {
  private readonly tensors = new Map<string, TensorInfo>();

  constructor(path: string) {
    for (const t of readGguf(readFileSync(path)).tensors) this.tensors.set(t.name, t);
  }

  /** Rows and row length of a tensor (`[rows, cols]` in the row-major sense). */
  shape(name: string): [rows: number, cols: number] {
    const { dims } = this.info(name);
    return [dims.slice(1).reduce((a, b) => a * b, 1), dims[0]];
  }

  /** Row `r` of tensor `name`, dequantized into `out` (float64). */
  row(name: string, r: number, out: Float64Array): Float64Array {
    const { type, data } = this.info(name);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const cols = this.shape(name)[1];
    const f16 = (at: number) => halfToNumber(view.getUint16(at, true));
    if (type === F32) {
      for (let c = 0; c < cols; c++) out[c] = view.getFloat32((r * cols + c) * 4, true);
    } else if (type === Q4_1) {
      // 20-byte blocks: scale d and minimum m (float16), then 16 bytes of 4-bit values: element j of the
      // block is the low nibble of byte j for j < 16, the high nibble of byte j - 16 otherwise; x = d q + m.
      const base = ((r * cols) / BLOCK) * 20;
      for (let b = 0; b < cols / BLOCK; b++) {
        const at = base + b * 20;
        const d = f16(at);
        const m = f16(at + 2);
        for (let j = 0; j < 16; j++) {
          const byte = data[at + 4 + j];
          out[b * BLOCK + j] = d * (byte & 0x0f) + m;
          out[b * BLOCK + j + 16] = d * (byte >> 4) + m;
        }
      }
    } else if (type === Q8_0) {
      // 34-byte blocks: scale d (float16), then 32 signed bytes q; x = d q.
      const base = ((r * cols) / BLOCK) * 34;
      for (let b = 0; b < cols / BLOCK; b++) {
        const at = base + b * 34;
        const d = f16(at);
        for (let j = 0; j < BLOCK; j++) out[b * BLOCK + j] = d * view.getInt8(at + 2 + j);
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
