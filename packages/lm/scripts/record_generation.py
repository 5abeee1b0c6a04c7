"""Records greedy generations of MLX Python for packages/lm/test/generation.test.ts (token-exact check).

MLX Python (mlx 0.32.4) loads the same GGUF arrays and runs the float32 llama forward pass of
reference_model.py. Prompts are tokenized with the reference tokenizer of record_tokenizer.py.

Run by hand from a bench-only venv (pip install mlx==0.32.4 transformers tokenizers gguf jinja2 numpy):
    python packages/lm/scripts/record_generation.py <SmolLM2-135M-Instruct.Q4_1.gguf>
"""
import json
import sys
from pathlib import Path

import gguf
import mlx.core as mx

from record_tokenizer import _compile_jinja_template, reference_tokenizer
from reference_model import Model

FIXTURE = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "generation-smollm2.json"

QUESTIONS = [
    "What is the capital of France?",
    "Write a haiku about the sea.",
    "List three prime numbers.",
    "Explain what a tensor is in one sentence.",
]
RAW_PROMPTS = ["The quick brown fox", "def fibonacci(n):"]


def greedy(model, prompt, max_tokens):
    cache = [None] * model.layers
    logits = model(mx.array([prompt]), cache)
    first = logits
    out = []
    for _ in range(max_tokens):
        token = mx.argmax(logits).item()
        if token == model.eos:
            break
        out.append(token)
        logits = model(mx.array([[token]]), cache)
    return out, first


def main():
    path = sys.argv[1]
    max_tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    mx.set_default_device(mx.cpu)
    tokenizer = reference_tokenizer(path)
    template = _compile_jinja_template(gguf.GGUFReader(path).fields["tokenizer.chat_template"].contents())
    model = Model(path)
    prompts = [
        template.render(messages=[{"role": "user", "content": q}], add_generation_prompt=True) for q in QUESTIONS
    ] + RAW_PROMPTS
    cases = []
    for text in prompts:
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        tokens, first = greedy(model, ids, max_tokens)
        top = mx.argsort(-first)[:5].tolist()
        cases.append({
            "prompt": ids,
            "tokens": tokens,
            "text": tokenizer.decode(tokens),
            "firstTop5": top,
            "firstTop5Logits": [round(first[t].item(), 5) for t in top],
        })
        print(repr(tokenizer.decode(tokens)))
    lines = ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases)
    FIXTURE.write_text(
        f'{{"model": {json.dumps(Path(path).name)}, "mlx": {json.dumps(mx.__version__)}, "maxTokens": {max_tokens},\n"cases": [\n{lines}\n]}}\n'
    )
    print(f"wrote {len(cases)} cases to {FIXTURE}")


if __name__ == "__main__":
    main()
