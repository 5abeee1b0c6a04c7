// The pre-tokenizer of each GGUF name family, as @huggingface/tokenizers runs it from our table, against
// Hugging Face's Rust tokenizers with patterns taken from transformers and llama.cpp
// (scripts/record_pre_tokenizers.py): the pieces text is split into before the BPE merges.
import { readFileSync } from 'node:fs';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { BYTE_LEVEL_PRE_TOKENIZERS } from '../src/tokenizer/pre-tokenizers.js';

const fixture: { texts: string[]; pieces: Record<string, string[][]> } = JSON.parse(readFileSync(new URL('./fixtures/pre-tokenizers.json', import.meta.url), 'utf8'));

function preTokenizer(name: string) {
  const json = {
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL_PRE_TOKENIZERS[name],
    post_processor: null,
    decoder: null,
    model: { type: 'BPE', vocab: { a: 0 }, merges: [], unk_token: null },
  };
  return new HfTokenizer(json, {}).pre_tokenizer!;
}

describe('pre-tokenizers by GGUF name', () => {
  it.each(Object.keys(fixture.pieces))('%s splits as Hugging Face tokenizers does', (name) => {
    const pre = preTokenizer(name);
    fixture.texts.forEach((text, i) => expect(pre.pre_tokenize(text), JSON.stringify(text)).toEqual(fixture.pieces[name][i]));
  });

  it('names that share a split share the table entry', () => {
    expect(BYTE_LEVEL_PRE_TOKENIZERS.starcoder).toBe(BYTE_LEVEL_PRE_TOKENIZERS.smollm);
    expect(BYTE_LEVEL_PRE_TOKENIZERS.llama3).toEqual(BYTE_LEVEL_PRE_TOKENIZERS['llama-bpe']);
    expect(BYTE_LEVEL_PRE_TOKENIZERS['deepseek-r1-qwen']).toEqual(BYTE_LEVEL_PRE_TOKENIZERS.qwen2);
  });
});
