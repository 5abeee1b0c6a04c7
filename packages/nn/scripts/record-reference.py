"""Records MLX Python's results for the @mlxts/nn tests: each layer's forward pass, each loss, each
initializer, for fixed weights and inputs, into safetensors fixtures under packages/nn/test/fixtures.

Run by hand from a bench-only virtual environment (npm test never needs Python):

    python3 -m venv .venv && .venv/bin/pip install mlx==0.32.4
    .venv/bin/python packages/nn/scripts/record-reference.py

Each fixture holds tensors named "<case>/<role>/<name>":
  weights/<path>  the layer's parameters (dotted paths, as Module.parameters() flattens them)
  input/<i>       the i-th positional input of forward (or of the loss)
  output/<i>      the i-th output
  after/<path>    parameters after the forward pass (BatchNorm's running statistics)
  init/<path>     the parameters a freshly constructed layer draws after mx.random.seed(<seed>)
The metadata entry "cases" is a JSON object: for each case its seed for the forward pass (dropout) and
whether it runs in training mode. The TypeScript tests hold the matching constructor calls, by case name.
"""

import json
import os
import zlib

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_flatten, tree_unflatten

assert mx.__version__ == "0.32.4", f"record with mlx 0.32.4, found {mx.__version__}"

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures")


def randomize(layer, key):
    """Replaces the layer's floating-point parameters by random values, so that ones and zeros from the
    constructor (norm weights, biases) do not hide mistakes. Variances stay positive."""
    keys = iter(mx.random.split(key, 1000))

    def fresh(path, p):
        if not mx.issubdtype(p.dtype, mx.floating):
            return p
        if path.endswith("running_var"):
            return mx.random.uniform(0.5, 1.5, p.shape, key=next(keys))
        return mx.random.normal(p.shape, key=next(keys)) * 0.5

    flat = tree_flatten(layer.parameters())
    layer.update(tree_unflatten([(k, fresh(k, v)) for k, v in flat]))


class Recorder:
    def __init__(self):
        self.arrays = {}
        self.cases = {}

    def add(self, name, role, key, value):
        self.arrays[f"{name}/{role}/{key}"] = value

    def save(self, file):
        mx.eval(list(self.arrays.values()))
        path = os.path.join(OUT, file)
        mx.save_safetensors(path, self.arrays, metadata={"cases": json.dumps(self.cases)})
        print(f"{path}: {len(self.cases)} cases, {os.path.getsize(path)} bytes")


def normal(shape, seed):
    return mx.random.normal(shape, key=mx.random.key(seed))


def layer_case(rec, name, make, inputs, *, train=False, seed=0, init_seed=None, randomize_weights=True, call=None):
    """Builds the layer, records its weights, runs it on `inputs` and records the outputs."""
    if init_seed is not None:
        mx.random.seed(init_seed)
        fresh = make()
        for k, v in tree_flatten(fresh.parameters()):
            rec.add(name, "init", k, v)
    mx.random.seed(1234)
    layer = make()
    if randomize_weights:
        randomize(layer, mx.random.key(zlib.crc32(name.encode())))
    layer.train(train)
    for k, v in tree_flatten(layer.parameters()):
        rec.add(name, "weights", k, v)
    for i, x in enumerate(inputs):
        rec.add(name, "input", str(i), x)
    mx.random.seed(seed)
    out = (call or (lambda l, *xs: l(*xs)))(layer, *inputs)
    outs = out if isinstance(out, (tuple, list)) else [out]
    for i, y in enumerate(outs):
        rec.add(name, "output", str(i), y)
    if train:
        for k, v in tree_flatten(layer.parameters()):
            rec.add(name, "after", k, v)
    rec.cases[name] = {"seed": seed, "train": train, "init_seed": init_seed}


def record_layers():
    rec = Recorder()
    x = normal((2, 3, 8), 1)

    # Activation layers (each wraps the function of the same name).
    activations = {
        "sigmoid": nn.Sigmoid, "relu": nn.ReLU, "relu2": nn.ReLU2, "relu6": nn.ReLU6, "softplus": nn.Softplus,
        "softsign": nn.Softsign, "silu": nn.SiLU, "log_sigmoid": nn.LogSigmoid, "mish": nn.Mish,
        "hardswish": nn.Hardswish, "hard_tanh": nn.HardTanh, "selu": nn.SELU, "tanh": nn.Tanh,
        "softmax": nn.Softmax, "softmin": nn.Softmin, "log_softmax": nn.LogSoftmax, "gelu": nn.GELU,
        "gelu_precise": lambda: nn.GELU(approx="precise"), "gelu_tanh": lambda: nn.GELU(approx="tanh"),
        "gelu_fast": lambda: nn.GELU(approx="fast"), "leaky_relu": lambda: nn.LeakyReLU(0.2),
        "elu": lambda: nn.ELU(alpha=0.7), "celu": lambda: nn.CELU(alpha=1.3),
        "softshrink": lambda: nn.Softshrink(0.3), "hard_shrink": lambda: nn.HardShrink(0.3),
        "step": lambda: nn.Step(0.1), "glu": nn.GLU, "prelu": lambda: nn.PReLU(8, 0.1),
    }
    for name, make in activations.items():
        layer_case(rec, f"act_{name}", make, [x * 3])

    layer_case(rec, "linear", lambda: nn.Linear(8, 5), [x], init_seed=7)
    layer_case(rec, "linear_no_bias", lambda: nn.Linear(8, 5, bias=False), [x])
    layer_case(rec, "bilinear", lambda: nn.Bilinear(8, 6, 4), [x, normal((2, 3, 6), 2)], init_seed=7)
    layer_case(rec, "identity", nn.Identity, [x])
    ids = mx.array([[0, 3, 9], [2, 2, 5]])
    layer_case(rec, "embedding", lambda: nn.Embedding(10, 8), [ids], init_seed=7)
    layer_case(rec, "embedding_as_linear", lambda: nn.Embedding(10, 8), [x], call=lambda l, v: l.as_linear(v))

    # Quantized layers: weights quantized by MLX Python; the forward pass runs MLX's kernel.
    xq = normal((2, 3, 64), 3)
    for mode, gs, bits in [("affine", 32, 4), ("affine", 64, 8), ("mxfp4", None, None), ("nvfp4", None, None), ("mxfp8", None, None)]:
        tag = f"{mode}_{gs}_{bits}" if gs else mode
        layer_case(
            rec, f"quantized_linear_{tag}",
            lambda: nn.QuantizedLinear.from_linear(nn.Linear(64, 16), gs, bits, mode=mode),
            [xq], randomize_weights=False,
        )
    layer_case(rec, "quantized_embedding", lambda: nn.QuantizedEmbedding.from_embedding(nn.Embedding(10, 64), 32, 4), [ids], randomize_weights=False)
    layer_case(rec, "quantized_embedding_as_linear", lambda: nn.QuantizedEmbedding.from_embedding(nn.Embedding(10, 64), 32, 4), [xq], randomize_weights=False, call=lambda l, v: l.as_linear(v))

    # Convolutions (channels last).
    x1 = normal((2, 9, 4), 4)
    x2 = normal((2, 7, 6, 4), 5)
    x3 = normal((1, 5, 6, 4, 2), 6)
    layer_case(rec, "conv1d", lambda: nn.Conv1d(4, 6, 3, stride=2, padding=1), [x1], init_seed=7)
    layer_case(rec, "conv1d_groups", lambda: nn.Conv1d(4, 6, 3, dilation=2, groups=2, bias=False), [x1])
    layer_case(rec, "conv2d", lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1), [x2], init_seed=7)
    layer_case(rec, "conv2d_groups", lambda: nn.Conv2d(4, 2, 3, padding=(1, 0), dilation=(1, 2), groups=2), [x2])
    layer_case(rec, "conv3d", lambda: nn.Conv3d(2, 3, 2, stride=(1, 2, 1), padding=(1, 0, 1)), [x3])
    layer_case(rec, "conv_transpose1d", lambda: nn.ConvTranspose1d(4, 3, 3, stride=2, padding=1, output_padding=1), [x1])
    layer_case(rec, "conv_transpose2d", lambda: nn.ConvTranspose2d(4, 3, (2, 3), stride=2, padding=(0, 1), dilation=(1, 2)), [x2])
    layer_case(rec, "conv_transpose3d", lambda: nn.ConvTranspose3d(2, 3, 2, stride=(2, 1, 1)), [x3])

    # Normalization.
    layer_case(rec, "rms_norm", lambda: nn.RMSNorm(8, eps=1e-4), [x])
    layer_case(rec, "layer_norm", lambda: nn.LayerNorm(8), [x])
    layer_case(rec, "layer_norm_no_affine", lambda: nn.LayerNorm(8, affine=False), [x])
    layer_case(rec, "layer_norm_no_bias", lambda: nn.LayerNorm(8, bias=False), [x])
    layer_case(rec, "group_norm", lambda: nn.GroupNorm(2, 4), [x2])
    layer_case(rec, "group_norm_pytorch", lambda: nn.GroupNorm(2, 4, pytorch_compatible=True), [x2])
    layer_case(rec, "instance_norm", lambda: nn.InstanceNorm(4, affine=True), [x2])
    layer_case(rec, "batch_norm_train", lambda: nn.BatchNorm(4, momentum=0.2), [x2], train=True)
    layer_case(rec, "batch_norm_eval", lambda: nn.BatchNorm(4), [x2])
    layer_case(rec, "batch_norm_2d_input", lambda: nn.BatchNorm(8), [x.reshape(6, 8)], train=True)

    # Dropout: the same seed gives the same mask in MLX Python and mlxts (one random generator).
    layer_case(rec, "dropout_train", lambda: nn.Dropout(0.3), [x], train=True, seed=11)
    layer_case(rec, "dropout_eval", lambda: nn.Dropout(0.3), [x])
    layer_case(rec, "dropout2d_train", lambda: nn.Dropout2d(0.4), [x2], train=True, seed=12)
    layer_case(rec, "dropout3d_train", lambda: nn.Dropout3d(0.4), [x3], train=True, seed=13)

    # Positional encodings.
    q = normal((1, 2, 5, 8), 7)
    layer_case(rec, "rope", lambda: nn.RoPE(8), [q])
    layer_case(rec, "rope_traditional_offset", lambda: nn.RoPE(6, traditional=True, base=500, scale=0.5), [q], call=lambda l, v: l(v, offset=3))
    layer_case(rec, "sinusoidal", lambda: nn.SinusoidalPositionalEncoding(8), [mx.arange(5).astype(mx.float32)])
    layer_case(rec, "sinusoidal_options", lambda: nn.SinusoidalPositionalEncoding(6, min_freq=0.01, max_freq=2, scale=1.0, cos_first=True, full_turns=True), [mx.arange(4).astype(mx.float32)])
    scores = normal((1, 6, 3, 5), 8)
    layer_case(rec, "alibi", nn.ALiBi, [scores])
    layer_case(rec, "alibi_offset_mask", nn.ALiBi, [scores, normal((3, 5), 9)], call=lambda l, s, m: l(s, offset=2, mask=m))

    # Attention and Transformers.
    causal = nn.MultiHeadAttention.create_additive_causal_mask(3)
    rec.add("causal_mask", "output", "0", causal)
    layer_case(rec, "multi_head_attention", lambda: nn.MultiHeadAttention(8, 2), [x, x, x, causal])
    layer_case(
        rec, "multi_head_attention_dims",
        lambda: nn.MultiHeadAttention(8, 4, query_input_dims=6, key_input_dims=5, value_input_dims=7, value_dims=12, value_output_dims=3, bias=True),
        [normal((2, 3, 6), 10), normal((2, 4, 5), 11), normal((2, 4, 7), 12)],
    )
    layer_case(rec, "transformer_encoder", lambda: nn.TransformerEncoder(2, 8, 2, mlp_dims=16), [x, causal])
    layer_case(rec, "transformer_encoder_post_norm", lambda: nn.TransformerEncoder(1, 8, 2, norm_first=False, activation=nn.gelu), [x, causal])
    mem = normal((2, 4, 8), 13)
    layer_case(rec, "transformer_decoder", lambda: nn.TransformerDecoder(1, 8, 2, mlp_dims=12), [x, mem, causal], call=lambda l, a, b, c: l(a, b, c, None))
    layer_case(rec, "transformer_decoder_post_norm", lambda: nn.TransformerDecoder(1, 8, 2, norm_first=False), [x, mem, causal], call=lambda l, a, b, c: l(a, b, c, None))
    layer_case(rec, "transformer", lambda: nn.Transformer(8, 2, 1, 1, 16), [mem, x, causal], call=lambda l, s, t, m: l(s, t, None, m, None))

    # Recurrent layers.
    seq = normal((2, 5, 4), 14)
    h0 = normal((2, 6), 15)
    c0 = normal((2, 6), 16)
    layer_case(rec, "rnn", lambda: nn.RNN(4, 6), [seq], init_seed=7)
    layer_case(rec, "rnn_hidden_relu", lambda: nn.RNN(4, 6, bias=False, nonlinearity=nn.relu), [seq, h0])
    layer_case(rec, "rnn_unbatched", lambda: nn.RNN(4, 6), [seq[0]])
    layer_case(rec, "gru", lambda: nn.GRU(4, 6), [seq], init_seed=7)
    layer_case(rec, "gru_hidden", lambda: nn.GRU(4, 6), [seq, h0])
    layer_case(rec, "gru_no_bias", lambda: nn.GRU(4, 6, bias=False), [seq, h0])
    layer_case(rec, "lstm", lambda: nn.LSTM(4, 6), [seq], init_seed=7)
    layer_case(rec, "lstm_state", lambda: nn.LSTM(4, 6, bias=False), [seq, h0, c0])

    # Pooling.
    layer_case(rec, "max_pool1d", lambda: nn.MaxPool1d(2), [x1])
    layer_case(rec, "avg_pool1d", lambda: nn.AvgPool1d(3, stride=2, padding=1), [x1])
    layer_case(rec, "max_pool2d", lambda: nn.MaxPool2d(2), [x2])
    layer_case(rec, "max_pool2d_strided", lambda: nn.MaxPool2d((3, 2), stride=(2, 1), padding=1), [x2])
    layer_case(rec, "avg_pool2d", lambda: nn.AvgPool2d(2, stride=1, padding=(0, 1)), [x2])
    layer_case(rec, "max_pool3d", lambda: nn.MaxPool3d(2, stride=1), [x3])
    layer_case(rec, "avg_pool3d", lambda: nn.AvgPool3d((2, 3, 2), padding=(1, 1, 0)), [x3])

    # Upsampling.
    img = normal((1, 3, 4, 2), 17)
    layer_case(rec, "upsample_nearest", lambda: nn.Upsample(2), [img])
    layer_case(rec, "upsample_nearest_fraction", lambda: nn.Upsample((1.5, 0.5)), [img])
    layer_case(rec, "upsample_linear", lambda: nn.Upsample(2, mode="linear"), [img])
    layer_case(rec, "upsample_linear_corners", lambda: nn.Upsample((2, 3), mode="linear", align_corners=True), [img])
    layer_case(rec, "upsample_cubic", lambda: nn.Upsample(2, mode="cubic"), [img])
    layer_case(rec, "upsample_cubic_corners", lambda: nn.Upsample(1.5, mode="cubic", align_corners=True), [img])
    layer_case(rec, "upsample_linear_antialias", lambda: nn.Upsample(0.5, mode="linear", antialias=True), [normal((1, 8, 6, 2), 18)])
    layer_case(rec, "upsample_cubic_antialias", lambda: nn.Upsample((0.5, 1.5), mode="cubic", antialias=True), [normal((1, 8, 6, 2), 18)])
    layer_case(rec, "upsample_linear_1d", lambda: nn.Upsample(2.5, mode="linear"), [x1])

    layer_case(rec, "sequential", lambda: nn.Sequential(nn.Linear(8, 6), nn.relu, nn.Linear(6, 3)), [x])

    # nn.quantize on a small model: the dense weights, then the quantized parameters and the output.
    mx.random.seed(1234)
    model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Embedding(10, 64))
    for k, v in tree_flatten(model.parameters()):
        rec.add("quantize_model", "weights", k, v)
    nn.quantize(model, 32, 4)
    for k, v in tree_flatten(model.parameters()):
        rec.add("quantize_model", "after", k, v)
    rec.add("quantize_model", "input", "0", xq)
    rec.add("quantize_model", "output", "0", model.layers[0](xq))
    rec.cases["quantize_model"] = {"seed": 0, "train": False, "init_seed": None}
    rec.save("layers.safetensors")


def record_losses():
    rec = Recorder()
    logits = normal((4, 5), 20) * 2
    labels = mx.array([0, 3, 4, 1])
    probs = mx.softmax(normal((4, 5), 21), axis=-1)
    weights = mx.array([1.0, 0.5, 2.0, 0.0])
    preds = normal((3, 4), 22)
    targets = normal((3, 4), 23)
    binary = (normal((3, 4), 24) > 0).astype(mx.float32)
    signs = binary * 2 - 1

    def case(name, fn, inputs):
        for i, v in enumerate(inputs):
            rec.add(name, "input", str(i), v)
        rec.add(name, "output", "0", fn(*inputs))
        rec.cases[name] = {}

    L = nn.losses
    case("cross_entropy", lambda a, b: L.cross_entropy(a, b), [logits, labels])
    case("cross_entropy_mean", lambda a, b: L.cross_entropy(a, b, reduction="mean"), [logits, labels])
    case("cross_entropy_smoothing", lambda a, b: L.cross_entropy(a, b, label_smoothing=0.2, reduction="sum"), [logits, labels])
    case("cross_entropy_weights", lambda a, b, w: L.cross_entropy(a, b, weights=w), [logits, labels, weights])
    case("cross_entropy_probs", lambda a, b: L.cross_entropy(a, b), [logits, probs])
    case("cross_entropy_axis0", lambda a, b: L.cross_entropy(a, b, axis=0, label_smoothing=0.1), [logits.T, labels])
    case("binary_cross_entropy", lambda a, b: L.binary_cross_entropy(a, b), [preds, binary])
    case("binary_cross_entropy_probs", lambda a, b, w: L.binary_cross_entropy(a, b, weights=w, with_logits=False, reduction="none"), [mx.sigmoid(preds), binary, mx.abs(targets)])
    case("l1_loss", lambda a, b: L.l1_loss(a, b), [preds, targets])
    case("l1_loss_sum", lambda a, b: L.l1_loss(a, b, reduction="sum"), [preds, targets])
    case("mse_loss", lambda a, b: L.mse_loss(a, b), [preds, targets])
    case("mse_loss_none", lambda a, b: L.mse_loss(a, b, reduction="none"), [preds, targets])
    case("nll_loss", lambda a, b: L.nll_loss(a, b), [nn.log_softmax(logits), labels])
    case("nll_loss_mean", lambda a, b: L.nll_loss(a, b, reduction="mean"), [nn.log_softmax(logits), labels])
    case("gaussian_nll_loss", lambda a, b, v: L.gaussian_nll_loss(a, b, v), [preds, targets, mx.abs(targets) + 0.1])
    case("gaussian_nll_loss_full", lambda a, b, v: L.gaussian_nll_loss(a, b, v, full=True, eps=0.5, reduction="sum"), [preds, targets, mx.abs(targets)])
    case("kl_div_loss", lambda a, b: L.kl_div_loss(a, b), [nn.log_softmax(logits), mx.log(probs)])
    case("kl_div_loss_mean", lambda a, b: L.kl_div_loss(a, b, axis=0, reduction="mean"), [nn.log_softmax(logits, axis=0), mx.log(mx.softmax(probs, axis=0))])
    case("smooth_l1_loss", lambda a, b: L.smooth_l1_loss(a, b), [preds * 2, targets])
    case("smooth_l1_loss_beta", lambda a, b: L.smooth_l1_loss(a, b, beta=0.5, reduction="none"), [preds * 2, targets])
    case("triplet_loss", lambda a, p, n: L.triplet_loss(a, p, n), [preds, targets, normal((3, 4), 25)])
    case("triplet_loss_p1", lambda a, p, n: L.triplet_loss(a, p, n, axis=0, p=1, margin=0.5, reduction="mean"), [preds, targets, normal((3, 4), 25)])
    case("hinge_loss", lambda a, b: L.hinge_loss(a, b), [preds, signs])
    case("hinge_loss_mean", lambda a, b: L.hinge_loss(a, b, reduction="mean"), [preds, signs])
    case("huber_loss", lambda a, b: L.huber_loss(a, b), [preds * 2, targets])
    case("huber_loss_delta", lambda a, b: L.huber_loss(a, b, delta=0.3, reduction="sum"), [preds * 2, targets])
    case("log_cosh_loss", lambda a, b: L.log_cosh_loss(a, b), [preds * 3, targets])
    case("cosine_similarity_loss", lambda a, b: L.cosine_similarity_loss(a, b), [preds, targets])
    case("cosine_similarity_loss_axis", lambda a, b: L.cosine_similarity_loss(a, b, axis=0, eps=1e-3, reduction="mean"), [preds, targets])
    case("margin_ranking_loss", lambda a, b, t: L.margin_ranking_loss(a, b, t), [preds, targets, signs])
    case("margin_ranking_loss_margin", lambda a, b, t: L.margin_ranking_loss(a, b, t, margin=0.4, reduction="mean"), [preds, targets, signs])
    rec.save("losses.safetensors")


def record_init():
    rec = Recorder()
    like = mx.zeros((6, 3, 2, 5))
    square = mx.zeros((5, 5))
    matrix = mx.zeros((4, 10))
    I = nn.init
    cases = {
        "constant": lambda: I.constant(0.25)(matrix),
        "normal": lambda: I.normal(mean=1.0, std=0.5)(like),
        "uniform": lambda: I.uniform(low=-2, high=3)(like),
        "identity": lambda: I.identity()(square),
        "glorot_normal": lambda: I.glorot_normal()(like, gain=2.0),
        "glorot_uniform": lambda: I.glorot_uniform()(matrix),
        "he_normal": lambda: I.he_normal()(like, mode="fan_out"),
        "he_uniform": lambda: I.he_uniform()(like, gain=0.5),
        "sparse": lambda: I.sparse(0.3, mean=1.0, std=0.1)(matrix),
        "normal_float16": lambda: I.normal(dtype=mx.float16)(matrix),
    }
    for name, make in cases.items():
        mx.random.seed(99)
        rec.add(name, "output", "0", make())
        rec.cases[name] = {"seed": 99}
    rec.save("init.safetensors")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    record_layers()
    record_losses()
    record_init()
