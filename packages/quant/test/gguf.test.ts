// fromGguf on files from an independent GGUF writer: Q4_0, Q4_1 and Q8_0 tensors become QuantizedTensors
// that dequantize as ggml's block layouts say and multiply like their dense form; and its errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mx from '@mlxts/core';
import * as quant from '@mlxts/quant';
import { dequantizeBlocks, randomBlocks, withoutLeaks, writeGguf } from '@mlxts/testing';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'mlxts-quant-gguf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const [OUT, IN] = [6, 96];
const TYPES = [['Q4_0', 2, 4], ['Q4_1', 3, 4], ['Q8_0', 8, 8]] as const;

function loadOne(type: number, data: Uint8Array): Record<string, mx.Tensor> {
  const path = join(dir, `t${type}.gguf`);
  writeFileSync(path, writeGguf({ tensors: [{ name: 'blk.0.w.weight', dims: [IN, OUT], type, data }, { name: 'norm.weight', dims: [IN], type: 0, data: new Uint8Array(IN * 4) }] }));
  return mx.load(path, { format: 'gguf' });
}

describe('fromGguf', () => {
  for (const [name, type, bits] of TYPES) {
    it(`${name}: affine, ${bits} bits, group size 32, [out, in]; values as ggml's blocks say; matmul like the dense form`, () =>
      withoutLeaks(() => {
        const data = randomBlocks(type, (OUT * IN) / 32, 40 + type);
        const tensors = loadOne(type, data);
        const q = quant.fromGguf(tensors, 'blk.0.w');
        expect([q.shape, q.dtype, q.mode, q.bits, q.groupSize]).toEqual([[OUT, IN], 'float16', 'affine', bits, 32]);
        const dense = quant.dequantize(q, { dtype: 'float32' });
        const expected = dequantizeBlocks(type, data, OUT * IN);
        const actual = dense.toTypedArray() as Float32Array;
        for (let i = 0; i < expected.length; i++) expect(actual[i], `element ${i}`).toBeCloseTo(expected[i], 5);
        // x @ wᵀ by the quantized kernel against the dense product of the spec's values.
        const x = mx.random.normal([3, IN], 'float32', 0, 1, { key: mx.random.key(type) });
        const viaKernel = quant.quantizedMatmul(x, q).toTypedArray() as Float32Array;
        const reference = mx.matmul(x, mx.transpose(mx.array(expected).reshape([OUT, IN]))).toTypedArray() as Float32Array;
        for (let i = 0; i < reference.length; i++) expect(viaKernel[i]).toBeCloseTo(reference[i], 3);
        // mx.matmul dispatches to the quantized operand (x @ q with q as [in, out] = [OUT, IN] here).
        const y = mx.random.normal([2, OUT], 'float32', 0, 1, { key: mx.random.key(100 + type) });
        const dispatched = mx.matmul(y, q as never).toTypedArray() as Float32Array;
        const denseProduct = mx.matmul(y, dense).toTypedArray() as Float32Array;
        for (let i = 0; i < denseProduct.length; i++) expect(dispatched[i]).toBeCloseTo(denseProduct[i], 3);
        expect(quant.fromGguf(tensors, 'blk.0.w.weight').shape).toEqual([OUT, IN]);
      }));
  }

  it('says what is wrong with the name or the tensors', () =>
    withoutLeaks(() => {
      const tensors = loadOne(8, randomBlocks(8, (OUT * IN) / 32, 1));
      expect(() => quant.fromGguf(tensors, 'blk.1.w')).toThrow(new mx.MlxError("fromGguf: no tensor 'blk.1.w.weight'; a Q4_0, Q4_1 or Q8_0 GGUF tensor loads as '<name>.weight', '<name>.scales' and '<name>.biases'", 'fromGguf'));
      expect(() => quant.fromGguf(tensors, 'norm')).toThrow(/no tensor 'norm.scales' \('norm.weight' is there: a tensor stored unquantized, float32\)/);
      const fake = { 'x.weight': mx.zeros([2, 6], 'uint32'), 'x.scales': mx.zeros([2, 1], 'float16'), 'x.biases': mx.zeros([2, 1], 'float16') };
      expect(() => quant.fromGguf(fake, 'x')).toThrow(/'x' is not a Q4_0, Q4_1 or Q8_0 tensor/);
      expect(() => quant.fromGguf(null as never, 'x')).toThrow(TypeError);
      expect(() => quant.fromGguf(tensors, 3 as never)).toThrow(TypeError);
    }));
});
