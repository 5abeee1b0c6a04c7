// A real GGUF file that nobody in this project wrote: SmolLM2-135M-Instruct quantized to Q4_1 (llama
// architecture, 30 blocks, width 576, 9 heads, 3 KV heads; 210 Q4_1, 1 Q8_0 and 61 F32 tensors), from
// the model cache (`npm run fetch-model`; skipped when it is not there). Everything mx.load returns is
// checked against the file's own header, read by the tests' independent reader, and two quantized
// tensors against ggml's Q4_1 and Q8_0 block layouts. MLX dequantizes in float16 arithmetic (the scales'
// dtype): scale * code and the sum with the bias are each rounded to float16, even when float32 is asked
// for; the tests check that exactly, and the distance to the exact values.
import { readFileSync } from 'node:fs';
import * as mx from '@mlxts/core';
import * as quant from '@mlxts/quant';
import { dequantizeBlocks, readGguf, roundToHalf, type GgufFile } from '@mlxts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedModelPath } from '../../scripts/model-cache.mjs';

const path = cachedModelPath('smollm2-135m-instruct-q4_1');
const title = path ? 'SmolLM2-135M-Instruct Q4_1 GGUF' : 'SmolLM2-135M-Instruct Q4_1 GGUF (skipped: not in the model cache; run `npm run fetch-model`)';

describe.skipIf(!path)(title, () => {
  let file: GgufFile;
  let tensors: Record<string, mx.Tensor>;
  let metadata: Record<string, mx.GgufValue>;
  const liveBefore = mx.memory().liveTensors;

  beforeAll(() => {
    file = readGguf(readFileSync(path!));
    [tensors, metadata] = mx.load(path!, { returnMetadata: true });
  });
  afterAll(() => {
    for (const value of [...Object.values(tensors ?? {}), ...Object.values(metadata ?? {})]) if (mx.isTensor(value)) value.dispose();
    expect(mx.memory().liveTensors).toBe(liveBefore);
  });

  it('gives 694 tensors: each F32 tensor as itself, each Q4_1 and Q8_0 tensor as weight, scales and biases', () => {
    expect(Object.keys(tensors)).toHaveLength(694);
    const expected: [string, number[], mx.DType][] = [];
    for (const t of file.tensors) {
      const shape = [...t.dims].reverse();
      if (t.type === 0) expected.push([t.name, shape, 'float32']);
      else {
        expect([3, 8]).toContain(t.type); // Q4_1 or Q8_0
        const bits = t.type === 3 ? 4 : 8;
        const prefix = t.name.replace(/\.weight$/, '');
        const groups = [...shape.slice(0, -1), shape[shape.length - 1] / 32];
        expected.push([t.name, [...shape.slice(0, -1), (shape[shape.length - 1] * bits) / 32], 'uint32'], [`${prefix}.scales`, groups, 'float16'], [`${prefix}.biases`, groups, 'float16']);
      }
    }
    expect(Object.entries(tensors).map(([name, t]) => [name, t.shape, t.dtype])).toEqual(expected);
    expect([tensors['blk.0.ffn_up.weight'].shape, tensors['token_embd.weight'].shape, tensors['output_norm.weight'].shape]).toEqual([[1536, 72], [49152, 144], [576]]);
  });

  it('gives the metadata: the architecture and hyperparameters, and the tokenizer', () => {
    expect(Object.keys(metadata)).toEqual([...file.metadata.keys()]);
    expect([
      metadata['general.architecture'],
      metadata['llama.block_count'],
      metadata['llama.embedding_length'],
      metadata['llama.attention.head_count'],
      metadata['llama.attention.head_count_kv'],
      metadata['llama.context_length'],
      metadata['llama.vocab_size'],
    ]).toEqual(['llama', 30, 576, 9, 3, 8192, 49152]);
    expect(metadata['llama.rope.freq_base']).toBe(100000);
    expect(metadata['tokenizer.ggml.add_bos_token']).toBe(false);
    const tokens = metadata['tokenizer.ggml.tokens'] as string[];
    expect([tokens.length, tokens[0], tokens[1], tokens[2]]).toEqual([49152, '<|endoftext|>', '<|im_start|>', '<|im_end|>']);
    expect(tokens).toEqual(file.metadata.get('tokenizer.ggml.tokens')!.value);
    const types = metadata['tokenizer.ggml.token_type'] as mx.Tensor;
    expect([types.dtype, types.shape]).toEqual(['int32', [49152]]);
    expect(Array.from(types.toTypedArray() as Int32Array)).toEqual(file.metadata.get('tokenizer.ggml.token_type')!.value);
  });

  it('an F32 tensor holds the file\'s bytes', () => {
    const raw = file.tensors.find((t) => t.name === 'blk.0.attn_norm.weight')!.data;
    expect(tensors['blk.0.attn_norm.weight'].toBytes().equals(raw)).toBe(true);
  });

  it("fromGguf('blk.0.ffn_up') dequantizes as ggml's Q4_1 blocks say and multiplies like its float32 form", () => {
    mx.tidy(() => {
      const q = quant.fromGguf(tensors, 'blk.0.ffn_up');
      expect([q.shape, q.bits, q.groupSize, q.dtype]).toEqual([[1536, 576], 4, 32, 'float16']);
      const dense = quant.dequantize(q, { dtype: 'float32' });
      const raw = file.tensors.find((t) => t.name === 'blk.0.ffn_up.weight')!.data;
      expectDequantized(dense.toTypedArray() as Float32Array, 3, raw, 1536 * 576);
      // The quantized kernel computes scale * code + bias in float32: it matches the exact values closely.
      const exact = mx.array(dequantizeBlocks(3, raw, 1536 * 576)).reshape([1536, 576]);
      const x = mx.random.normal([4, 576], 'float32', 0, 1, { key: mx.random.key(7) });
      const viaKernel = quant.quantizedMatmul(x, q);
      const viaExact = mx.matmul(x, mx.transpose(exact));
      expect(viaKernel.shape).toEqual([4, 1536]);
      const largest = (t: mx.Tensor) => mx.max(mx.abs(t)).item() as number;
      expect(largest(mx.subtract(viaKernel, viaExact))).toBeLessThan(1e-5 * largest(viaExact));
      // Against the float16-rounded dequantized form, within float16's rounding.
      expect(largest(mx.subtract(viaKernel, mx.matmul(x, mx.transpose(dense))))).toBeLessThan(2 ** -10 * largest(viaExact));
      // And through mx.matmul: y @ q with q as a [1536, 576] right operand.
      const y = mx.random.normal([2, 1536], 'float32', 0, 1, { key: mx.random.key(8) });
      const dispatched = mx.matmul(y, q as never);
      const reference = mx.matmul(y, exact);
      expect(dispatched.shape).toEqual([2, 576]);
      expect(largest(mx.subtract(dispatched, reference))).toBeLessThan(1e-5 * largest(reference));
    });
  });

  it("the Q8_0 token embedding dequantizes as ggml's Q8_0 blocks say", () => {
    mx.tidy(() => {
      const rows = 512;
      const part = (name: string) => mx.slice(tensors[`token_embd.${name}`], [0], [rows]);
      const q = quant.fromPacked({ weight: part('weight'), scales: part('scales'), biases: part('biases'), bits: 8, groupSize: 32 });
      const actual = quant.dequantize(q, { dtype: 'float32' }).toTypedArray() as Float32Array;
      const raw = file.tensors.find((t) => t.name === 'token_embd.weight')!;
      expect(raw.type).toBe(8);
      expectDequantized(actual, 8, raw.data.subarray(0, ((rows * 576) / 32) * 34), rows * 576);
    });
  });
});

/**
 * MLX's values equal ggml's formula evaluated in float16, and lie within two float16 roundings of the
 * exact values: |actual - exact| <= 2^-11 * (|code * scale| + |actual|), bounded here by 2^-10 * the
 * largest magnitude in the block's formula.
 */
function expectDequantized(actual: Float32Array, type: number, raw: Uint8Array, count: number): void {
  const inHalf = dequantizeBlocks(type, raw, count, roundToHalf);
  const exact = dequantizeBlocks(type, raw, count);
  let mismatches = 0;
  for (let i = 0; i < count; i++) if (actual[i] !== inHalf[i]) mismatches++;
  expect(mismatches, 'elements differing from the float16 evaluation of the formula').toBe(0);
  let worst = 0;
  for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(actual[i] - exact[i]));
  const largest = exact.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expect(worst, 'largest distance to the exact values').toBeLessThanOrEqual(2 ** -10 * 2 * largest);
}
