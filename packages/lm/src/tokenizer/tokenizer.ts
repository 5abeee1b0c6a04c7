// The tokenizer of a model: @huggingface/tokenizers (a maintained implementation of Hugging Face's
// tokenizer.json format) for text <-> ids, the model's chat template, its special ids, and a streaming
// decoder that turns ids into text as they are generated.
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { ChatMessage, ChatTemplateOptions } from './chat-template.js';
import { ChatTemplate } from './chat-template.js';
import type { TokenizerSettings, TokenizerSource } from './from-gguf.js';
import { MlxError } from '@mlxts/core';

/** Options of `Tokenizer.encode`. */
export interface EncodeOptions {
  /** Add the model's BOS token when it asks for one (default true; chat prompts carry their own). */
  addSpecialTokens?: boolean;
}

/** Options of `Tokenizer.decode`. */
export interface DecodeOptions {
  /** Leave out special tokens such as `<|im_end|>` (default false). */
  skipSpecialTokens?: boolean;
}

/** A model's tokenizer. */
export class Tokenizer {
  private readonly hf: HfTokenizer;
  private readonly template: ChatTemplate | null;
  /** The token that starts a sequence, if the model has one. */
  readonly bosTokenId: number | undefined;
  /** Tokens that end generation: the model's EOS and any end-of-turn tokens it names. */
  readonly eosTokenIds: readonly number[];
  private readonly settings: TokenizerSettings;

  constructor(source: TokenizerSource, config: Record<string, unknown> = {}) {
    // Decoding as Hugging Face's Rust tokenizers do (no transformers-style clean-up of spaces).
    this.hf = new HfTokenizer(source.json, { ...config, clean_up_tokenization_spaces: false });
    this.settings = source.settings;
    this.bosTokenId = source.settings.bosTokenId;
    this.eosTokenIds = [...(source.settings.eosTokenId === undefined ? [] : [source.settings.eosTokenId]), ...(source.settings.extraEosTokenIds ?? [])];
    const text = (id: number | undefined) => (id === undefined ? undefined : this.hf.id_to_token(id));
    const tokens: Record<string, string> = {};
    for (const [name, id] of [['bos_token', this.bosTokenId], ['eos_token', source.settings.eosTokenId]] as const) {
      const t = text(id);
      if (t !== undefined) tokens[name] = t;
    }
    this.template = source.settings.chatTemplate ? new ChatTemplate(source.settings.chatTemplate, tokens) : null;
  }

  /** Number of ids, including added tokens. */
  get vocabSize(): number {
    return this.hf.get_vocab(true).size;
  }

  /** Whether the model has a chat template. */
  get hasChatTemplate(): boolean {
    return this.template !== null;
  }

  /** The ids of `text`. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new TypeError('encode: text must be a string');
    const addSpecial = options.addSpecialTokens ?? true;
    const ids = this.hf.encode(text, { add_special_tokens: addSpecial }).ids;
    if (addSpecial && this.settings.addBos && this.bosTokenId !== undefined && ids[0] !== this.bosTokenId) ids.unshift(this.bosTokenId);
    return ids;
  }

  /** The text of `ids`. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (!Array.isArray(ids) || ids.some((id) => !Number.isInteger(id))) throw new TypeError('decode: ids must be an array of integers');
    if (ids.length === 0) return '';
    return this.hf.decode(ids as number[], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  /** The token (its text in the vocabulary) of one id, or undefined. */
  idToToken(id: number): string | undefined {
    return this.hf.id_to_token(id);
  }

  /** The id of one token of the vocabulary, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  /** The prompt text for a conversation, from the model's chat template. */
  applyChatTemplate(messages: readonly ChatMessage[], options?: ChatTemplateOptions): string {
    if (this.template === null) throw new MlxError('applyChatTemplate: this model has no chat template; pass a plain prompt instead', 'applyChatTemplate');
    return this.template.render(messages, options);
  }

  /** A decoder that turns ids into text one at a time (see `StreamDecoder`). */
  streamDecoder(options: DecodeOptions = {}): StreamDecoder {
    return new StreamDecoder(this, options);
  }
}

/**
 * Turns ids into text as they arrive. A character can span several byte-level tokens, so text is only
 * released once it is complete (it does not end in U+FFFD, the replacement for a cut UTF-8 sequence);
 * ids are decoded together since the last released line, so decoders that join tokens (spaces between
 * SentencePiece pieces) see their neighbours.
 */
export class StreamDecoder {
  private ids: number[] = [];
  private released = '';

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly options: DecodeOptions,
  ) {}

  /** Adds one id; returns the text that became complete ('' if none). */
  push(id: number): string {
    this.ids.push(id);
    const text = this.tokenizer.decode(this.ids, this.options);
    if (text.endsWith('\uFFFD')) return '';
    const fresh = text.slice(this.released.length);
    if (text.endsWith('\n')) {
      this.ids = [];
      this.released = '';
    } else {
      this.released = text;
    }
    return fresh;
  }

  /** The text still held back (an unfinished character at the end of generation), as decoded. */
  flush(): string {
    const text = this.tokenizer.decode(this.ids, this.options).slice(this.released.length);
    this.ids = [];
    this.released = '';
    return text;
  }
}
