// Loading a model and its tokenizer from disk: a GGUF file (weights, config and tokenizer in one file) or
// a Hugging Face model directory in MLX's layout (config.json, *.safetensors — dense or quantized the way
// mlx-lm saves them — and tokenizer.json with tokenizer_config.json).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as mx from '@mlxts/core';
import { MlxError } from '@mlxts/core';
import type { DType, Group, Tensor } from '@mlxts/core';
import { MetadataReader } from './metadata.js';
import type { Metadata } from './metadata.js';
import { buildLlama, ggufToModelName } from './models/build.js';
import { configFromGguf, configFromHf } from './models/config.js';
import type { LlamaModel } from './models/llama.js';
import { shardModel } from './models/tensor-parallel.js';
import { tokenizerFromGguf } from './tokenizer/from-gguf.js';
import { Tokenizer } from './tokenizer/tokenizer.js';

/** Options of `loadModel`. */
export interface LoadModelOptions {
  /** The dtype of activations, dense weights and quantization scales (default float32). */
  dtype?: DType;
  /**
   * Tensor parallelism: shard the model over this group (`mx.distributed.init()`), each rank holding and
   * computing its share of every block (see `shardModel`). Every rank must load the same model.
   */
  tensorGroup?: Group;
}

/** A loaded model and its tokenizer. */
export interface LoadedModel {
  model: LlamaModel;
  tokenizer: Tokenizer;
}

const OP = 'loadModel';
/** GGUF Q4_0, Q4_1 and Q8_0 blocks hold 32 weights each. */
const GGUF_GROUP_SIZE = 32;

function fail(source: string, message: string): MlxError {
  return new MlxError(`${OP}: ${source}: ${message}`, OP);
}

/** Loads a GGUF file or a Hugging Face model directory. */
export async function loadModelFiles(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const loaded = await loadUnsharded(path, options);
  if (options.tensorGroup !== undefined) {
    try {
      shardModel(loaded.model, options.tensorGroup);
    } catch (e) {
      loaded.model.dispose();
      throw e;
    }
  }
  return loaded;
}

async function loadUnsharded(path: string, options: LoadModelOptions): Promise<LoadedModel> {
  if (typeof path !== 'string') throw new TypeError(`${OP}: path must be a string`);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (e) {
    throw fail(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (isDirectory) return loadHuggingFace(path, options);
  if (path.endsWith('.gguf')) return loadGguf(path, options);
  throw fail(path, 'is neither a .gguf file nor a model directory (config.json, *.safetensors, tokenizer.json)');
}

async function loadGguf(path: string, options: LoadModelOptions): Promise<LoadedModel> {
  const source = basename(path);
  const [loaded, metadata] = await mx.loadAsync(path, { returnMetadata: true });
  const tensors: Record<string, Tensor> = {};
  let ropeFactors: number[] | undefined;
  try {
    const meta = new MetadataReader(OP, source, metadata as Metadata);
    const tokenizer = new Tokenizer(tokenizerFromGguf(meta));
    for (const [name, t] of Object.entries(loaded)) {
      if (name === 'rope_freqs.weight') ropeFactors = Array.from(t.toTypedArray() as Float32Array);
      else tensors[ggufToModelName(name)] = t;
    }
    const config = configFromGguf(meta, 'lm_head.weight' in tensors, ropeFactors);
    const model = buildLlama(config, tensors, { groupSize: GGUF_GROUP_SIZE, dtype: options.dtype, error: (m) => fail(source, m) });
    return { model, tokenizer };
  } catch (e) {
    for (const t of Object.values(loaded)) t.dispose();
    throw e;
  } finally {
    loaded['rope_freqs.weight']?.dispose();
    for (const value of Object.values(metadata)) if (mx.isTensor(value)) value.dispose();
  }
}

function readJson(dir: string, file: string, required: boolean): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, file), 'utf8');
  } catch {
    if (required) throw fail(dir, `has no ${file}`);
    return undefined;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw fail(join(dir, file), `is not valid JSON (${(e as Error).message})`);
  }
}

/** `{ a: { b: 1 } }` -> `{ 'a.b': 1, a: {...} }`: nested config entries readable by dotted key. */
function flatten(json: Record<string, unknown>, prefix = '', out: Metadata = {}): Metadata {
  for (const [key, value] of Object.entries(json)) {
    const name = prefix ? `${prefix}.${key}` : key;
    out[name] = value as Metadata[string];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value as Record<string, unknown>, name, out);
  }
  return out;
}

/** The text of a special token entry of tokenizer_config.json: a string or `{ content }`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}

async function loadHuggingFace(dir: string, options: LoadModelOptions): Promise<LoadedModel> {
  const configJson = readJson(dir, 'config.json', true)!;
  const meta = new MetadataReader(OP, join(dir, 'config.json'), flatten(configJson));
  const declared = configFromHf(meta);
  const files = readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort();
  if (files.length === 0) throw fail(dir, 'has no .safetensors weights');
  const tensors: Record<string, Tensor> = {};
  for (const file of files) {
    const loaded = (await mx.loadAsync(join(dir, file))) as Record<string, Tensor>;
    for (const [name, t] of Object.entries(loaded)) {
      // Older checkpoints store RoPE's inverse frequencies, which the model computes itself.
      if (name.endsWith('rotary_emb.inv_freq')) t.dispose();
      else tensors[name] = t;
    }
  }
  const config = { ...declared, tieWordEmbeddings: !('lm_head.weight' in tensors) };
  const groupSize = meta.optionalInteger('quantization.group_size') ?? 64;
  const model = buildLlama(config, tensors, { groupSize, dtype: options.dtype, error: (m) => fail(dir, m) });
  try {
    return { model, tokenizer: loadHfTokenizer(dir) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

function loadHfTokenizer(dir: string): Tokenizer {
  const json = readJson(dir, 'tokenizer.json', true)!;
  const config = readJson(dir, 'tokenizer_config.json', false) ?? {};
  const generation = readJson(dir, 'generation_config.json', false) ?? {};
  const vocab = (json.model as { vocab?: Record<string, number> } | undefined)?.vocab ?? {};
  const added = new Map(((json.added_tokens as { id: number; content: string }[] | undefined) ?? []).map((t) => [t.content, t.id]));
  const idOf = (value: unknown) => {
    const text = tokenText(value);
    return text === undefined ? undefined : (added.get(text) ?? vocab[text]);
  };
  // generation_config.json's eos_token_id (an id or a list) names every end-of-turn token.
  const eos = generation.eos_token_id ?? idOf(config.eos_token);
  const eosIds = (Array.isArray(eos) ? eos : [eos]).filter((id): id is number => Number.isInteger(id));
  const chatTemplate = typeof config.chat_template === 'string' ? config.chat_template : undefined;
  const tokenizer = new Tokenizer(
    {
      json,
      settings: {
        bosTokenId: idOf(config.bos_token),
        eosTokenId: eosIds[0] ?? idOf(config.eos_token),
        extraEosTokenIds: eosIds.slice(1),
        // The tokenizer.json's post-processor adds BOS where the model wants it.
        addBos: false,
        chatTemplate,
      },
    },
    config,
  );
  return tokenizer;
}
