// Loading Hugging Face model directories in MLX's layout (config.json, *.safetensors, tokenizer.json,
// tokenizer_config.json, generation_config.json), dense and quantized as mlx-lm saves them, built here
// from a tiny random model; and the errors for files that are not a model.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import * as quant from '@mlxts/quant';
import { KVCache, LlamaModel, loadModel } from '../src/index.js';
import type { LlamaConfig } from '../src/index.js';
import { tinyConfig, tinyModel } from './tiny-model.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** 94 printable ASCII characters, the byte-level space 'Ġ', and one special token: 96 ids. */
function tokenizerFiles(dir: string): void {
  const vocab: Record<string, number> = {};
  for (let c = 33; c <= 126; c++) vocab[String.fromCharCode(c)] = c - 33;
  vocab['Ġ'] = 94;
  vocab['<|end|>'] = 95;
  const tokenizer = {
    version: '1.0',
    added_tokens: [{ id: 95, content: '<|end|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges: [] },
  };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  const template = "{% for m in messages %}{{ m['role'] }}:{{ m['content'] }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|end|>', chat_template: template }));
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [95, 7] }));
}

function hfConfig(config: LlamaConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model_type: config.architecture,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    max_position_embeddings: config.contextLength,
    tie_word_embeddings: config.tieWordEmbeddings,
    ...extra,
  };
}

function modelDir(config: Record<string, unknown>, weights: Record<string, Tensor>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlxts-lm-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  mx.saveSafetensors(join(dir, 'model.safetensors'), weights, { format: 'mlx' });
  tokenizerFiles(dir);
  return dir;
}

const tokens = [3, 50, 94, 12, 77, 60];
function logitsOf(model: LlamaModel): number[][] {
  using cache = new KVCache(model.config.numLayers, model.config.numKvHeads, model.config.headDim);
  return mx.tidy(() => (model.forward(mx.array([tokens], 'int32'), cache).toArray() as number[][][])[0]);
}

describe('loadModel on a Hugging Face directory', () => {
  it.each([
    ['llama', {}],
    ['qwen2 (query/key/value biases)', { architecture: 'qwen2', attentionBias: true }],
    ['qwen3 (query/key norms)', { architecture: 'qwen3', qkNorm: true }],
  ] as const)('%s: the loaded model computes what the saved one did', async (_name, overrides) => {
    using original = tinyModel(4, overrides);
    const dir = modelDir(hfConfig(original.config), Object.fromEntries(mx.treeFlatten<Tensor>(original.parameters())));
    using lm = await loadModel(dir);
    expect(lm.model.config).toMatchObject({ ...tinyConfig(overrides), ropeFreqs: undefined });
    expect(logitsOf(lm.model)).toEqual(logitsOf(original));
    expect(lm.tokenizer.encode('hi there')).toEqual([71, 72, 94, 83, 71, 68, 81, 68]);
    expect(lm.tokenizer.eosTokenIds).toEqual([95, 7]);
    expect(lm.tokenizer.applyChatTemplate([{ role: 'user', content: 'hi' }])).toBe('user:hi<|end|>assistant:');
  });

  it('generates through LanguageModel: streamed chunks, a result, an early break that frees the cache', async () => {
    using original = tinyModel(7);
    using lm = await loadModel(modelDir(hfConfig(original.config), Object.fromEntries(mx.treeFlatten<Tensor>(original.parameters()))));
    const before = mx.memory().liveTensors;
    const generation = lm.generate([{ role: 'user', content: 'hi' }], { maxTokens: 10, stopTokens: [] });
    let text = '';
    for await (const chunk of generation) text += chunk.text;
    const result = generation.result!;
    expect(result.tokens.length).toBeLessThanOrEqual(10);
    expect(result.text).toBe(text);
    expect(lm.tokenizer.decode(result.tokens, { skipSpecialTokens: true })).toBe(text);
    await expect(generation[Symbol.asyncIterator]().next()).rejects.toThrow(/can be iterated only once/);
    for await (const _ of lm.generate('abc', { maxTokens: 10 })) break;
    expect(mx.memory().liveTensors).toBe(before);
    expect(() => lm.generate('abc', { maxTokens: -1 })).toThrow(RangeError);
    expect(() => lm.generate(42 as never)).toThrow(/prompt must be a string or an array/);
  });

  it('loads mlx-lm quantized weights (weight/scales/biases and config.json quantization)', async () => {
    using dense = tinyModel(5);
    const weights: Record<string, Tensor> = {};
    const dequantized: Record<string, Tensor> = {};
    for (const [name, t] of mx.treeFlatten<Tensor>(dense.parameters())) {
      if (t.ndim === 2 && name !== 'model.embed_tokens.weight') {
        const prefix = name.slice(0, -'.weight'.length);
        const [w, scales, biases] = quant.quantizePacked(t, { groupSize: 32, bits: 4 });
        Object.assign(weights, { [`${prefix}.weight`]: w, [`${prefix}.scales`]: scales, [`${prefix}.biases`]: biases });
        dequantized[name] = quant.dequantizePacked(w, scales, biases, { groupSize: 32, bits: 4 });
      } else {
        weights[name] = t;
        dequantized[name] = t;
      }
    }
    const dir = modelDir(hfConfig(dense.config, { quantization: { group_size: 32, bits: 4 } }), weights);
    using lm = await loadModel(dir);
    expect(lm.model.model.layers[0].mlp.up_proj.constructor.name).toBe('QuantizedLinear');
    // The same weights, dequantized, in a dense model: only the kernels' rounding differs.
    using reference = new LlamaModel(dense.config);
    reference.loadWeights(Object.entries(dequantized));
    const want = logitsOf(reference);
    logitsOf(lm.model).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 4)));
  });

  it('says what is wrong with a directory that is not a supported model', async () => {
    using model = tinyModel(6);
    const weights = Object.fromEntries(mx.treeFlatten<Tensor>(model.parameters()));
    await expect(loadModel(modelDir(hfConfig(model.config, { model_type: 'gpt_neox' }), weights))).rejects.toThrow(/loadModel: .*config\.json: architecture 'gpt_neox' is not supported \(supported: llama, qwen2, qwen3\)/);
    await expect(loadModel(modelDir(hfConfig(model.config, { hidden_size: undefined }), weights))).rejects.toThrow(/hidden_size should be a number, found nothing/);
    const { 'model.norm.weight': _, ...missing } = weights;
    await expect(loadModel(modelDir(hfConfig(model.config), missing))).rejects.toThrow(/loadModel: .*1 parameter\(s\) missing: model\.norm\.weight/);
    await expect(loadModel(modelDir(hfConfig(model.config, { rope_scaling: { rope_type: 'yarn', factor: 4 } }), weights))).rejects.toThrow(/rope_scaling type 'yarn' is not supported/);
    await expect(loadModel(join(tmpdir(), 'no-such-model.gguf'))).rejects.toThrow(/loadModel: .*no-such-model\.gguf: cannot be read \(ENOENT\)/);
    await expect(loadModel(123 as never)).rejects.toThrow(TypeError);
    const empty = mkdtempSync(join(tmpdir(), 'mlxts-lm-'));
    dirs.push(empty);
    await expect(loadModel(empty)).rejects.toThrow(/has no config\.json/);
  });
});
