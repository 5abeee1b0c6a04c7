"""Records MLX Python's optimizer updates, schedules and gradient clipping for the @mlxts/optimizers
tests, into packages/optimizers/test/fixtures/optimizers.safetensors.

Run by hand from a bench-only virtual environment (npm test never needs Python):

    python3 -m venv .venv && .venv/bin/pip install mlx==0.32.4
    .venv/bin/python packages/optimizers/scripts/record-reference.py

For each optimizer case: the initial parameters ("<case>/params/0/<path>"), the gradients of each of
5 steps ("<case>/grads/<step>/<path>"), the parameters after each step ("<case>/params/<step+1>/<path>"),
the learning rate after each step ("<case>/lr/<step+1>/value") and the final state tree
("<case>/state/<path>"). Schedules: "<name>/values/0/value" holds the value at steps 0..39. The metadata
entry "cases" lists the case names; the TypeScript tests hold the matching constructor calls.
"""

import json
import os

import mlx.core as mx
import mlx.optimizers as optim
from mlx.utils import tree_flatten, tree_map, tree_unflatten

assert mx.__version__ == "0.32.4", f"record with mlx 0.32.4, found {mx.__version__}"

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures")
STEPS = 5
SHAPES = {"w": (3, 4), "b": (4,), "layers": [{"w": (2, 3)}, {"v": (5,)}], "conv": (2, 3, 3, 2)}

arrays = {}
cases = []


def add(case, role, index, tree):
    for k, v in tree_flatten(tree):
        arrays[f"{case}/{role}/{index}/{k}"] = v


def random_tree(seed):
    keys = iter(mx.random.split(mx.random.key(seed), 64))
    return tree_map(lambda s: mx.random.normal(s, key=next(keys)), SHAPES, is_leaf=lambda s: isinstance(s, tuple))


def optimizer_case(name, make):
    opt = make()
    params = random_tree(1)
    add(name, "params", 0, params)
    for step in range(STEPS):
        grads = random_tree(100 + step)
        add(name, "grads", step, grads)
        params = opt.apply_gradients(grads, params)
        mx.eval(params, opt.state)
        add(name, "params", step + 1, params)
        first = opt.optimizers[0] if isinstance(opt, optim.MultiOptimizer) else opt
        if "learning_rate" in first.state:
            add(name, "lr", step + 1, {"value": first.learning_rate})
    add(name, "state", 0, opt.state)
    cases.append(name)


optimizer_case("sgd", lambda: optim.SGD(0.1))
optimizer_case("sgd_momentum", lambda: optim.SGD(0.1, momentum=0.9, weight_decay=0.01, dampening=0.1))
optimizer_case("sgd_nesterov", lambda: optim.SGD(0.05, momentum=0.8, nesterov=True))
optimizer_case("rmsprop", lambda: optim.RMSprop(0.01, alpha=0.9, eps=1e-6))
optimizer_case("adagrad", lambda: optim.Adagrad(0.1))
optimizer_case("adadelta", lambda: optim.AdaDelta(1.0, rho=0.95))
optimizer_case("adam", lambda: optim.Adam(0.01))
optimizer_case("adam_bias_correction", lambda: optim.Adam(0.01, betas=[0.8, 0.99], eps=1e-6, bias_correction=True))
optimizer_case("adamw", lambda: optim.AdamW(0.01, weight_decay=0.1))
optimizer_case("adamax", lambda: optim.Adamax(0.02, betas=[0.85, 0.995]))
optimizer_case("lion", lambda: optim.Lion(0.001, weight_decay=0.1))
optimizer_case("adafactor", lambda: optim.Adafactor())
optimizer_case("adafactor_options", lambda: optim.Adafactor(learning_rate=0.01, beta_1=0.9, weight_decay=0.01, scale_parameter=False, relative_step=False, clip_threshold=0.5))
optimizer_case("adafactor_warmup", lambda: optim.Adafactor(warmup_init=True, decay_rate=-0.5))
optimizer_case("muon", lambda: optim.Muon(0.02))
optimizer_case("muon_plain", lambda: optim.Muon(0.02, momentum=0.9, weight_decay=0, nesterov=False, ns_steps=3))
optimizer_case("sgd_cosine_schedule", lambda: optim.SGD(optim.cosine_decay(0.1, 4, 0.01), momentum=0.5))
optimizer_case("adam_warmup_schedule", lambda: optim.Adam(optim.join_schedules([optim.linear_schedule(0, 0.01, 2), optim.exponential_decay(0.01, 0.5)], [2])))
optimizer_case("multi", lambda: optim.MultiOptimizer([optim.SGD(0.1, momentum=0.9), optim.Adam(0.01)], [lambda path, g: g.ndim >= 2]))

schedules = {
    "exponential_decay": optim.exponential_decay(0.1, 0.9),
    "step_decay": optim.step_decay(0.1, 0.9, 10),
    "cosine_decay": optim.cosine_decay(0.1, 30),
    "cosine_decay_end": optim.cosine_decay(0.1, 25, 0.02),
    "linear_schedule": optim.linear_schedule(0.0, 0.1, 20),
    "linear_schedule_integers": optim.linear_schedule(3, 1, 8),
    "join_schedules": optim.join_schedules([optim.linear_schedule(0, 0.1, 10), optim.cosine_decay(0.1, 20)], [10]),
}
for name, schedule in schedules.items():
    values = mx.stack([schedule(mx.array(s, mx.uint64)) for s in range(40)])
    arrays[f"{name}/values/0/value"] = values
    cases.append(name)

grads = random_tree(7)
grads_small = tree_map(lambda g: g * 0.01, grads)
for name, tree, max_norm in [("clip_grad_norm", grads, 2.0), ("clip_grad_norm_unclipped", grads_small, 2.0)]:
    clipped, norm = optim.clip_grad_norm(tree, max_norm)
    add(name, "grads", 0, tree)
    add(name, "clipped", 0, clipped)
    arrays[f"{name}/norm/0/value"] = norm
    cases.append(name)

os.makedirs(OUT, exist_ok=True)
mx.eval(list(arrays.values()))
path = os.path.join(OUT, "optimizers.safetensors")
mx.save_safetensors(path, arrays, metadata={"cases": json.dumps(cases)})
print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")
