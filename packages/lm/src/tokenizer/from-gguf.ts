// Builds a Hugging Face tokenizer.json (the format @huggingface/tokenizers reads) from the tokenizer a GGUF
// file describes in its metadata: the vocabulary (`tokenizer.ggml.tokens`), the BPE merges, the token types
// (control tokens become special added tokens, user-defined ones plain added tokens) and the pre-tokenizer
// the file names. Only byte-level BPE (`tokenizer.ggml.model` = `gpt2`) is supported; anything else, or a
// pre-tokenizer this table does not know, is an error naming what was found.
import type { MetadataReader } from '../metadata.js';
import { BYTE_LEVEL_PRE_TOKENIZERS } from './pre-tokenizers.js';

/** GGUF token types (llama.cpp's `llama_token_type`). */
const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/** What `Tokenizer` needs beyond the tokenizer.json: the special ids and whether to add BOS. */
export interface TokenizerSettings {
  bosTokenId?: number;
  eosTokenId?: number;
  /** More tokens that end a turn (a Hugging Face generation_config.json can list several). */
  extraEosTokenIds?: number[];
  addBos: boolean;
  chatTemplate?: string;
}

/** A tokenizer.json object and the settings that go with it. */
export interface TokenizerSource {
  json: Record<string, unknown>;
  settings: TokenizerSettings;
}

/** The tokenizer.json and settings described by a GGUF file's metadata. */
export function tokenizerFromGguf(meta: MetadataReader): TokenizerSource {
  const model = meta.string('tokenizer.ggml.model');
  if (model !== 'gpt2') {
    throw meta.error(`tokenizer model '${model}' is not supported: only byte-level BPE ('gpt2') GGUF tokenizers can be built; load the model from a Hugging Face directory with its tokenizer.json instead`);
  }
  const preName = meta.optionalString('tokenizer.ggml.pre') ?? 'default';
  const preTokenizer = BYTE_LEVEL_PRE_TOKENIZERS[preName];
  if (preTokenizer === undefined) {
    throw meta.error(`pre-tokenizer '${preName}' is not known; known: ${Object.keys(BYTE_LEVEL_PRE_TOKENIZERS).join(', ')}`);
  }
  const tokens = meta.strings('tokenizer.ggml.tokens');
  const types = meta.has('tokenizer.ggml.token_type') ? meta.numbers('tokenizer.ggml.token_type') : [];
  if (types.length !== 0 && types.length !== tokens.length) {
    throw meta.error(`tokenizer.ggml.token_type has ${types.length} entries for ${tokens.length} tokens`);
  }
  const vocab: Record<string, number> = {};
  tokens.forEach((token, id) => {
    vocab[token] = id;
  });
  const addedTokens = [];
  for (let id = 0; id < types.length; id++) {
    if (types[id] !== TOKEN_TYPE.control && types[id] !== TOKEN_TYPE.userDefined) continue;
    const special = types[id] === TOKEN_TYPE.control;
    addedTokens.push({ id, content: tokens[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special });
  }
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: preTokenizer,
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: meta.strings('tokenizer.ggml.merges'),
    },
  };
  const settings: TokenizerSettings = {
    bosTokenId: meta.optionalInteger('tokenizer.ggml.bos_token_id'),
    eosTokenId: meta.optionalInteger('tokenizer.ggml.eos_token_id'),
    addBos: meta.boolean('tokenizer.ggml.add_bos_token', false),
    chatTemplate: meta.optionalString('tokenizer.chat_template'),
  };
  return { json, settings };
}
