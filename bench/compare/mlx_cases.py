"""The MLX Python side of bench/compare: the same cases as mlxts-cases.mjs, one measurement per request.

Reads one JSON request per line on stdin ({"case": name} or {"case": "decode", ...}) and answers one JSON
line on stdout, so that bench/compare.mjs can interleave the two runtimes case by case in one run.

    python bench/compare/mlx_cases.py <packages/lm/scripts folder> [cpu|gpu]
"""
import json
import sys
import time

import mlx.core as mx

sys.path.insert(0, sys.argv[1])
from bench_mlx import run as generate  # noqa: E402
from reference_model import Model  # noqa: E402

mx.set_default_device(mx.gpu if len(sys.argv) > 2 and sys.argv[2] == "gpu" else mx.cpu)
a = mx.ones([4])
b = mx.ones([4])
big_x = mx.full([1 << 24], 1.5)
big_y = mx.full([1 << 24], 2.5)
logits = mx.random.normal([1024, 4096])
mx.eval(a, b, big_x, big_y, logits)


def ns_per(n, body):
    start = time.perf_counter_ns()
    body(n)
    return (time.perf_counter_ns() - start) / n


def lazy_add(n):
    for _ in range(n):
        mx.add(a, b)  # the result is freed as soon as the reference goes


def round_trip(n):
    for _ in range(n):
        mx.sum(mx.add(a, b)).item()


def chained(n):
    x = a
    for _ in range(n):
        x = mx.add(x, b)
    mx.eval(x)


def eval_each(n):
    x = a
    for _ in range(n):
        x = mx.add(x, b)
        mx.eval(x)


def ms(build):
    start = time.perf_counter()
    mx.eval(build())
    return (time.perf_counter() - start) * 1e3


layers = None


def quantized_stack():
    """30 decode-sized layers: rmsNorm, 576 -> 1536 and 1536 -> 576 4-bit products (group 32), one token."""
    global layers
    if layers is None:
        def weight(rows, cols):
            return mx.quantize(mx.random.normal([rows, cols]) * cols**-0.5, group_size=32, bits=4)
        layers = [(weight(1536, 576), weight(576, 1536)) for _ in range(30)]
        layers.append((mx.ones([576]), mx.random.normal([1, 576])))
        mx.eval(layers)
    *stack, (norm, x0) = layers

    def build():
        x = x0
        for up, down in stack:
            x = mx.fast.rms_norm(x, norm, 1e-5)
            x = mx.quantized_matmul(x, *up, transpose=True, group_size=32, bits=4)
            x = mx.quantized_matmul(x, *down, transpose=True, group_size=32, bits=4)
        return x
    return ms(build)


CASES = {
    "lazyAdd": lambda: ns_per(20_000, lazy_add),
    "roundTrip": lambda: ns_per(2_000, round_trip),
    "chained": lambda: ns_per(1_000, chained),
    "evalEach": lambda: ns_per(1_000, eval_each),
    "add16M": lambda: ms(lambda: mx.add(big_x, big_y)),
    "sum16M": lambda: ms(lambda: mx.sum(big_x)),
    "softmax": lambda: ms(lambda: mx.softmax(logits, axis=-1)),
    "quantizedStack": quantized_stack,
}

model = None
for line in sys.stdin:
    request = json.loads(line)
    if request["case"] == "decode":
        if model is None:
            model = Model(request["model"])
            generate(model, request["prompt"], 4)  # warm-up
        prompt_tps, decode_tps, tokens = generate(model, request["prompt"], request["tokens"] - 1)
        answer = {"promptTps": prompt_tps, "decodeTps": decode_tps, "tokens": tokens, "mlx": mx.__version__}
    else:
        answer = {"value": CASES[request["case"]]()}
    print(json.dumps(answer), flush=True)
