"""A llama forward pass in MLX Python over a GGUF file's arrays, written for the references and the benchmark.

It follows mlx-lm's llama model for behaviour: MLX loads the GGUF's Q4_0/Q4_1/Q8_0 blocks as affine-quantized
weight/scales/biases (group size 32); scales and biases are cast to float32 and all compute is float32;
RoPE is the traditional (pairwise) form because llama.cpp's converter permuted the query/key rows;
grouped-query attention with a causal mask, SwiGLU MLP, tied embeddings.
"""
import mlx.core as mx

GROUP_SIZE = 32  # GGUF Q4_0 / Q4_1 / Q8_0 blocks


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
            h = h + self.linear(silu(self.linear(x, f"{b}.ffn_gate")) * self.linear(x, f"{b}.ffn_up"), f"{b}.ffn_down")
        h = mx.fast.rms_norm(h[:, -1:, :], self.w["output_norm"], self.eps)
        return self.linear(h, "token_embd")[0, -1]


def silu(x):
    return x * mx.sigmoid(x)
