// How each GGUF pre-tokenizer name (`tokenizer.ggml.pre`, llama.cpp's names) splits text before the BPE
// merges, written as a Hugging Face tokenizer.json `pre_tokenizer`. The splits are llama.cpp's for that
// name, in the form the model's own tokenizer.json uses (SmolLM2's is Digits + ByteLevel).

/** A tokenizer.json pre_tokenizer object. */
export type PreTokenizerJson = Record<string, unknown>;

/** GPT-2's split, applied by ByteLevel with `use_regex`. */
const byteLevelWithRegex: PreTokenizerJson = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
/** ByteLevel after an explicit Split: only the byte-to-character mapping. */
const byteLevelOnly: PreTokenizerJson = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };

function splitThenBytes(pattern: string): PreTokenizerJson {
  return {
    type: 'Sequence',
    pretokenizers: [{ type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false }, byteLevelOnly],
  };
}

/** Llama 3's split: up to three digits per piece, letters with one leading non-letter, punctuation runs. */
const llama3Pattern =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** Qwen2's split: Llama 3's with every digit on its own. */
const qwen2Pattern =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/**
 * Every numeric character on its own, then GPT-2's split (llama.cpp's `smollm`, `starcoder`, `refact`).
 * The models' own tokenizer.json says `Digits(individual_digits)`, which Hugging Face's Rust library
 * applies to every Unicode number (`\p{N}`: `½`, `٣`, `²`); @huggingface/tokenizers 0.2's Digits matches
 * only ASCII `\d`, so the same split is written as a `\p{N}` Split.
 */
const digitsThenGpt2: PreTokenizerJson = {
  type: 'Sequence',
  pretokenizers: [{ type: 'Split', pattern: { Regex: '\\p{N}' }, behavior: 'Isolated', invert: false }, byteLevelWithRegex],
};

/** The byte-level (`gpt2` model) pre-tokenizers known by name. */
export const BYTE_LEVEL_PRE_TOKENIZERS: Readonly<Record<string, PreTokenizerJson>> = {
  smollm: digitsThenGpt2,
  starcoder: digitsThenGpt2,
  refact: digitsThenGpt2,
  default: byteLevelWithRegex,
  'gpt-2': byteLevelWithRegex,
  'llama-bpe': splitThenBytes(llama3Pattern),
  'llama3': splitThenBytes(llama3Pattern),
  qwen2: splitThenBytes(qwen2Pattern),
  'deepseek-r1-qwen': splitThenBytes(qwen2Pattern),
};
