"""Records how Hugging Face's Rust tokenizers splits text before BPE for each GGUF pre-tokenizer family that
packages/lm/src/tokenizer/pre-tokenizers.ts knows, for packages/lm/test/pre-tokenizers.test.ts.

The splits come from sources other than that file: transformers' own patterns for Llama 3 (its GGUF
converter's `llama-bpe` split) and Qwen2 (the Qwen2 tokenizer's PRETOKENIZE_REGEX), GPT-2's ByteLevel split,
and llama.cpp's `smollm` definition (every \\p{N} on its own, then GPT-2's split), which is what SmolLM2's
tokenizer.json writes as Digits(individual_digits) + ByteLevel.

Run by hand from a bench-only venv (pip install transformers tokenizers):
    python packages/lm/scripts/record_pre_tokenizers.py
"""
import json
from pathlib import Path

from tokenizers import Regex, pre_tokenizers
from transformers.integrations.gguf.gguf_tokenizer_mapping import GGUF_PRE_TOKENIZER_SPLITS

FIXTURE = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "pre-tokenizers.json"

byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)


def split_then_bytes(pattern):
    return pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(pattern), behavior="isolated"), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])


FAMILIES = {
    "smollm": pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level]),
    "gpt-2": byte_level,
    "llama-bpe": split_then_bytes(GGUF_PRE_TOKENIZER_SPLITS["llama-bpe"]),
    "qwen2": split_then_bytes(GGUF_PRE_TOKENIZER_SPLITS["qwen2"]),
}

TEXTS = [
    "Hello, world! It's 2024.",
    "I'M SURE they'LL come at 10:30pm",
    "  leading and   inner   spaces  ",
    "tabs\tand\nnew\r\nlines\n\n\n",
    "1234567 + 89 = 1234656; ½ ² ٣٤٥",
    "def f(x):\n    return x**2  # square",
    "naïve café 東京 Привет мир 🎉👍🏽",
    "URL: https://example.com/a_b-c?d=1&e=2",
    "$$$ ... !!! ??? --- ***",
]


def main():
    out = {name: [[piece for piece, _ in pre.pre_tokenize_str(text)] for text in TEXTS] for name, pre in FAMILIES.items()}
    rows = ",\n".join(f"  {json.dumps(name)}: [\n" + ",\n".join("   " + json.dumps(p, ensure_ascii=False) for p in pieces) + "\n  ]" for name, pieces in out.items())
    FIXTURE.write_text(f'{{"texts": {json.dumps(TEXTS, ensure_ascii=False)},\n"pieces": {{\n{rows}\n}}}}\n')
    print(f"wrote {FIXTURE}")


if __name__ == "__main__":
    main()
