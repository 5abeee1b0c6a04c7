"""Times MLX Python on a GGUF model for bench/lm.mjs: the float32 forward pass of reference_model.py, greedy,
prompt (prefill) and decode tokens per second, medians of several runs. Prints one JSON object.

    python packages/lm/scripts/bench_mlx.py <model.gguf> <prompt ids, comma-separated> <decode tokens> <runs>
"""
import json
import statistics
import sys
import time

import mlx.core as mx

from reference_model import Model


def run(model, prompt, decode_tokens):
    """Greedy generation: (prompt tokens/s, decode tokens/s, the 1 + decode_tokens tokens generated)."""
    cache = [None] * model.layers
    start = time.perf_counter()
    tokens = [mx.argmax(model(mx.array([prompt]), cache)).item()]
    prefill = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(decode_tokens):
        tokens.append(mx.argmax(model(mx.array([[tokens[-1]]]), cache)).item())
    decode = time.perf_counter() - start
    return len(prompt) / prefill, decode_tokens / decode, tokens


def main():
    path, ids, decode_tokens, runs = sys.argv[1], [int(t) for t in sys.argv[2].split(",")], int(sys.argv[3]), int(sys.argv[4])
    mx.set_default_device(mx.cpu)
    model = Model(path)
    run(model, ids, 4)  # warm-up
    results = [run(model, ids, decode_tokens) for _ in range(runs)]
    print(json.dumps({
        "mlx": mx.__version__,
        "promptTps": statistics.median(r[0] for r in results),
        "decodeTps": statistics.median(r[1] for r in results),
    }))


if __name__ == "__main__":
    main()
