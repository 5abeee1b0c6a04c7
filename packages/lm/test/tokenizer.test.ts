// The tokenizer built from the GGUF against Hugging Face's Rust tokenizers on the same vocabulary
// (ids recorded by scripts/record_tokenizer.py): a few hundred strings of prose, code, digits, whitespace,
// Unicode, emoji and special tokens; decoding, streaming decoding, and the chat template (rendered by
// jinja2 as transformers renders it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { MetadataReader, Tokenizer, tokenizerFromGguf } from '../src/index.js';
import type { ChatMessage } from '../src/index.js';
import { hasModel, modelPath } from './model-file.js';

interface Fixture {
  cases: { text: string; ids: number[]; decoded: string }[];
  chats: { messages: ChatMessage[]; text: string; ids: number[] }[];
}
const fixture: Fixture = JSON.parse(readFileSync(new URL('./fixtures/tokenizer-smollm2.json', import.meta.url), 'utf8'));

function loadTokenizer(): Tokenizer {
  const [tensors, metadata] = mx.load(modelPath, { returnMetadata: true });
  for (const t of Object.values(tensors)) t.dispose();
  try {
    return new Tokenizer(tokenizerFromGguf(new MetadataReader('loadTokenizer', 'model.gguf', metadata)));
  } finally {
    for (const v of Object.values(metadata)) if (mx.isTensor(v)) v.dispose();
  }
}

describe.skipIf(!hasModel)('tokenizer of SmolLM2-135M-Instruct (GGUF)', () => {
  const tokenizer = hasModel ? loadTokenizer() : (undefined as never);

  it(`encodes ${fixture.cases.length} strings as Hugging Face tokenizers does`, () => {
    const wrong = fixture.cases.filter((c) => JSON.stringify(tokenizer.encode(c.text)) !== JSON.stringify(c.ids));
    expect(wrong.map((c) => c.text)).toEqual([]);
  });

  it('decodes them back', () => {
    for (const c of fixture.cases) expect(tokenizer.decode(c.ids)).toBe(c.decoded);
  });

  it('streams the same text one token at a time, holding back incomplete characters', () => {
    for (const c of fixture.cases) {
      const stream = tokenizer.streamDecoder();
      const pieces = c.ids.map((id) => stream.push(id));
      expect(pieces.join('') + stream.flush()).toBe(c.decoded);
      for (const piece of pieces) expect(piece).not.toMatch(/\uFFFD$/);
    }
  });

  it('renders the chat template as transformers does, and encodes the prompt the same', () => {
    for (const chat of fixture.chats) {
      const text = tokenizer.applyChatTemplate(chat.messages);
      expect(text).toBe(chat.text);
      expect(tokenizer.encode(text, { addSpecialTokens: false })).toEqual(chat.ids);
    }
  });

  it('knows its special tokens', () => {
    expect(tokenizer.eosTokenIds).toEqual([tokenizer.tokenToId('<|im_end|>')]);
    expect(tokenizer.vocabSize).toBe(49152);
    expect(tokenizer.decode([tokenizer.tokenToId('<|im_end|>')!], { skipSpecialTokens: true })).toBe('');
  });
});

describe('tokenizerFromGguf errors', () => {
  const meta = (values: Record<string, unknown>) => new MetadataReader('loadTokenizer', 'test.gguf', values as never);
  const base = { 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.tokens': ['a', 'b', 'ab'], 'tokenizer.ggml.merges': ['a b'] };

  it('builds a small byte-level tokenizer', () => {
    const t = new Tokenizer(tokenizerFromGguf(meta({ ...base, 'tokenizer.ggml.pre': 'smollm' })));
    expect(t.encode('abab')).toEqual([2, 2]);
  });

  it('names an unknown pre-tokenizer and the known ones', () => {
    expect(() => tokenizerFromGguf(meta({ ...base, 'tokenizer.ggml.pre': 'mystery' }))).toThrow(/loadTokenizer: test\.gguf: pre-tokenizer 'mystery' is not known; known: smollm/);
    expect(() => tokenizerFromGguf(meta({ ...base, 'tokenizer.ggml.pre': 'mystery' }))).toThrow(mx.MlxError);
  });

  it('refuses tokenizer models other than byte-level BPE', () => {
    expect(() => tokenizerFromGguf(meta({ ...base, 'tokenizer.ggml.model': 'llama' }))).toThrow(/tokenizer model 'llama' is not supported/);
  });

  it('names missing or mistyped metadata', () => {
    expect(() => tokenizerFromGguf(meta({ 'tokenizer.ggml.model': 'gpt2' }))).toThrow(/tokenizer\.ggml\.tokens should be a list of strings, found nothing/);
    expect(() => tokenizerFromGguf(meta({ ...base, 'tokenizer.ggml.token_type': [1] }))).toThrow(/token_type has 1 entries for 3 tokens/);
  });
});
