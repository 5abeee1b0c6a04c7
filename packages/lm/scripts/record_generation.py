"""Records greedy generations of MLX Python for packages/lm/test/generation.test.ts (token-exact check).

MLX Python (mlx 0.32.4) loads the same GGUF arrays (mx.load: Q4_1/Q8_0 blocks as MLX affine-quantized
weight/scales/biases) and runs a llama forward pass written here, following mlx-lm's llama model: scales and
biases cast to float32 and all compute in float32, RoPE in its traditional (pairwise) form because
llama.cpp's converter permuted the query/key rows, grouped-query attention with a causal mask, SwiGLU MLP,
tied embeddings. Prompts are tokenized with the reference tokenizer of record_tokenizer.py.

Run by hand from a bench-only venv (pip install mlx==0.32.4 transformers tokenizers gguf jinja2 numpy):
    python packages/lm/scripts/record_generation.py <SmolLM2-135M-Instruct.Q4_1.gguf>
"""
import json
import sys
from pathlib import Path

import gguf
import mlx.core as mx

from record_tokenizer import _compile_jinja_template, reference_tokenizer

FIXTURE = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "generation-smollm2.json"
GROUP_SIZE = 32  # GGUF Q4_0 / Q4_1 / Q8_0 blocks

QUESTIONS = [
    "What is the capital of France?",
    "Write a haiku about the sea.",
    "List three prime numbers.",
    "Explain what a tensor is in one sentence.",
]
RAW_PROMPTS = ["The quick brown fox", "def fibonacci(n):"]


class Model:
    def __init__(self, path):
        weights, meta = mx.load(path, return_metadata=True)
        value = lambda key: meta[key].item() if isinstance(meta[key], mx.array) else meta[key]
        self.layers = int(value("llama.block_count"))
        self.heads = int(value("llama.attention.head_count"))
        self.kv_heads = int(value("llama.attention.head_count_kv"))
        self.dim = int(value("llama.embedding_length"))
        self.head_dim = self.dim // self.heads
        self.eps = float(value("llama.attention.layer_norm_rms_epsilon"))
        self.base = float(value("llama.rope.freq_base"))
        self.eos = int(value("tokenizer.ggml.eos_token_id"))
        f32 = lambda a: a.astype(mx.float32)
        self.w = {}
        for name in {k.rsplit(".", 1)[0] for k in weights}:
            if f"{name}.scales" in weights:
                self.w[name] = (weights[f"{name}.weight"], f32(weights[f"{name}.scales"]), f32(weights[f"{name}.biases"]))
            else:
                self.w[name] = f32(weights[f"{name}.weight"])
        mx.eval(self.w)

    def linear(self, x, name):
        w, scales, biases = self.w[name]
        bits = w.shape[-1] * 32 // (scales.shape[-1] * GROUP_SIZE)
        return mx.quantized_matmul(x, w, scales, biases, transpose=True, group_size=GROUP_SIZE, bits=bits)

    def embed(self, tokens):
        w, scales, biases = self.w["token_embd"]
        bits = w.shape[-1] * 32 // (scales.shape[-1] * GROUP_SIZE)
        return mx.dequantize(w[tokens], scales[tokens], biases[tokens], group_size=GROUP_SIZE, bits=bits)

    def __call__(self, tokens, cache):
        """tokens [1, T] -> logits of the last position; cache: per layer (keys, values) or None."""
        offset = 0 if cache[0] is None else cache[0][0].shape[2]
        h = self.embed(tokens)
        B, T, _ = h.shape
        for i in range(self.layers):
            b = f"blk.{i}"
            x = mx.fast.rms_norm(h, self.w[f"{b}.attn_norm"], self.eps)
            heads = lambda y, n: y.reshape(B, T, n, self.head_dim).transpose(0, 2, 1, 3)
            rope = lambda y: mx.fast.rope(y, self.head_dim, traditional=True, base=self.base, scale=1.0, offset=offset)
            q = rope(heads(self.linear(x, f"{b}.attn_q"), self.heads))
            k = rope(heads(self.linear(x, f"{b}.attn_k"), self.kv_heads))
            v = heads(self.linear(x, f"{b}.attn_v"), self.kv_heads)
            if cache[i] is not None:
                k = mx.concatenate([cache[i][0], k], axis=2)
                v = mx.concatenate([cache[i][1], v], axis=2)
            cache[i] = (k, v)
            out = mx.fast.scaled_dot_product_attention(q, k, v, scale=self.head_dim**-0.5, mask="causal")
            h = h + self.linear(out.transpose(0, 2, 1, 3).reshape(B, T, -1), f"{b}.attn_output")
            x = mx.fast.rms_norm(h, self.w[f"{b}.ffn_norm"], self.eps)
            h = h + self.linear(nn_silu(self.linear(x, f"{b}.ffn_gate")) * self.linear(x, f"{b}.ffn_up"), f"{b}.ffn_down")
        h = mx.fast.rms_norm(h[:, -1:, :], self.w["output_norm"], self.eps)
        return self.linear(h, "token_embd")[0, -1]


def nn_silu(x):
    return x * mx.sigmoid(x)


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
