"""Records the reference token ids for packages/lm/test/tokenizer.test.ts.

The reference is Hugging Face's own tokenizer stack (the Rust `tokenizers` library), built from the GGUF by
transformers' GGUF tokenizer converter (vocabulary, merges, control and user-defined tokens). transformers
maps the `smollm` pre-tokenizer to plain GPT-2 splitting; llama.cpp, which named it, first splits every digit
on its own (`\\p{N}`) and then applies the GPT-2 pattern, as SmolLM2's published tokenizer.json does with
`Digits(individual_digits)` + `ByteLevel`. The script applies that pre-tokenizer, so the digits are split the
way the model was trained.

Run by hand from a bench-only venv (pip install transformers tokenizers gguf numpy):
    python packages/lm/scripts/record_tokenizer.py <SmolLM2-135M-Instruct.Q4_1.gguf>
"""
import json
import sys
from pathlib import Path

import gguf
from tokenizers import pre_tokenizers
from transformers.integrations.gguf.gguf_tokenizer_mapping import convert_gguf_tokenizer
from transformers.utils.chat_template_utils import _compile_jinja_template

FIXTURE = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "tokenizer-smollm2.json"


def tokenizer_fields(path):
    """The tokenizer.* metadata transformers' converter takes, read with the gguf package."""
    reader = gguf.GGUFReader(path)
    field = lambda name: reader.fields[name].contents()
    fields = {
        "tokenizer_type": field("tokenizer.ggml.model"),
        "pre_tokenizer_type": field("tokenizer.ggml.pre"),
        "tokens": field("tokenizer.ggml.tokens"),
        "token_type": field("tokenizer.ggml.token_type"),
        "merges": field("tokenizer.ggml.merges"),
        "bos_token_id": field("tokenizer.ggml.bos_token_id"),
        "eos_token_id": field("tokenizer.ggml.eos_token_id"),
    }
    return field("general.architecture"), fields


def reference_tokenizer(path):
    architecture, fields = tokenizer_fields(path)
    assert fields["pre_tokenizer_type"] == "smollm", fields["pre_tokenizer_type"]
    tokenizer, _ = convert_gguf_tokenizer(architecture, fields)
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]
    )
    return tokenizer


def sample_strings():
    """A few hundred strings: prose, code, digits, whitespace, Unicode, emoji and special tokens."""
    base = [
        "Hello world",
        "Hello, world!",
        " leading space",
        "trailing space ",
        "  two leading spaces",
        "multiple   spaces   inside",
        "tabs\tand\nnewlines\n\n",
        "\n",
        " ",
        "",
        "What is the capital of France?",
        "The quick brown fox jumps over the lazy dog.",
        "I'm sure you'll see they've done it; we'd said it's John's.",
        "DON'T SHOUT, I'LL HEAR",
        "1234567890",
        "3.14159 and 2.71828",
        "In 2024, 1,000,000 people paid $9.99 (+15%) each.",
        "x = 42; y = x ** 2 - 7",
        "ⅫⅤ ½ ¾ ² ³ ٣٤٥ ०१२",
        "def add(a, b):\n    return a + b\n",
        "for (let i = 0; i < n; i++) { sum += a[i]; }",
        "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); return 0; }",
        "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;",
        "<div class=\"card\"><p>Hi &amp; bye</p></div>",
        "{\"key\": [1, 2, {\"nested\": null}], \"ok\": true}",
        "https://example.com/path?query=1&x=y#frag",
        "user@example.org",
        "C:\\Users\\name\\file.txt",
        "snake_case camelCase PascalCase kebab-case SCREAMING_CASE",
        "naïve café résumé façade",
        "Straße Größe Übermut",
        "Привет, мир!",
        "Γειά σου κόσμε",
        "שלום עולם",
        "مرحبا بالعالم",
        "你好，世界！",
        "こんにちは世界",
        "안녕하세요 세계",
        "नमस्ते दुनिया",
        "สวัสดีชาวโลก",
        "🎉🎉🎉",
        "I love 🍕 and 🍣!",
        "👩‍👩‍👧‍👦 family",
        "🇫🇷 🇯🇵 🏳️‍🌈",
        "emoji with skin tone 👍🏽",
        "e\u0301 (combining accent) vs é",
        "zero\u200bwidth\u200bspace",
        "non\u00a0breaking\u00a0space",
        "ﬁ ligature and ℌ",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝓂𝒶𝓉𝒽",
        "a\u0000b",
        "\u2028line separator",
        "...!!!???",
        "--- *** ___ ===",
        "~`!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/",
        "<|im_start|>user\nHi<|im_end|>\n",
        "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>assistant\n",
        "text<|endoftext|>more text",
        "<|endoftext|><|endoftext|>",
        "<|im_start|><|im_end|>",
        "<|im_start |> not special",
        "<filename>main.py<file_sep>",
        "<repo_name>org/repo<gh_stars>100",
    ]
    words = ["model", "tensor", "MLX", "TypeScript", "GPU", "token", "über", "東京", "🚀", "0.5", "x86_64", "it's"]
    joiners = [" ", "", "\n", ", ", "  ", "\t", "-", "/"]
    generated = []
    for i in range(240):
        a = words[i % len(words)]
        b = words[(i * 7 + 3) % len(words)]
        c = words[(i * 5 + 1) % len(words)]
        j1 = joiners[i % len(joiners)]
        j2 = joiners[(i // len(joiners)) % len(joiners)]
        number = str((i * 7919) % 100003)
        generated.append(f"{a}{j1}{b}{j2}{c} {number}" if i % 3 else f"{number}{j1}{a}{j2}{b}")
    return base + generated


CONVERSATIONS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "You answer in one word."}, {"role": "user", "content": "Colour of the sky?"}],
    [
        {"role": "user", "content": "Hi!"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Write 2+2 in words. 🙂"},
    ],
]


def chat_cases(path, tokenizer):
    """The chat template rendered by jinja2 the way transformers renders it, and the prompt's ids."""
    template = _compile_jinja_template(gguf.GGUFReader(path).fields["tokenizer.chat_template"].contents())
    cases = []
    for messages in CONVERSATIONS:
        text = template.render(messages=messages, add_generation_prompt=True, bos_token="<|im_start|>", eos_token="<|im_end|>")
        cases.append({"messages": messages, "text": text, "ids": tokenizer.encode(text, add_special_tokens=False).ids})
    return cases


def main():
    path = sys.argv[1]
    tokenizer = reference_tokenizer(path)
    cases = []
    for text in sample_strings():
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        cases.append({"text": text, "ids": ids, "decoded": tokenizer.decode(ids, skip_special_tokens=False)})
    lines = ",\n".join(json.dumps(case, ensure_ascii=False) for case in cases)
    chats = ",\n".join(json.dumps(case, ensure_ascii=False) for case in chat_cases(path, tokenizer))
    FIXTURE.write_text(f'{{"model": {json.dumps(Path(path).name)},\n"cases": [\n{lines}\n],\n"chats": [\n{chats}\n]}}\n')
    print(f"wrote {len(cases)} cases to {FIXTURE}")


if __name__ == "__main__":
    main()
