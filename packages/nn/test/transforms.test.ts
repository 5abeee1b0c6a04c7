// nn.valueAndGrad: gradients with respect to a model's trainable parameters, checked against derivatives
// written out by hand, and the model left holding its own tensors.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';
import { expectCloseNd, toNd } from '@mlxts/testing';

describe('nn.valueAndGrad', () => {
  it('gives the value and the gradients of the trainable parameters, shaped like them', () => {
    using layer = new nn.Linear(3, 2);
    layer.loadWeights({ weight: mx.array([[1, 2, 3], [-1, 0, 1]]), bias: mx.array([0.5, -0.5]) });
    const x = mx.array([[1, 1, 2]]);
    const target = mx.array([[0, 1]]);
    const lossAndGrad = nn.valueAndGrad(layer, (input: mx.Tensor, y: mx.Tensor) => nn.losses.mseLoss(layer.forward(input), y, { reduction: 'sum' }));
    mx.tidy(() => {
      const [loss, grads] = lossAndGrad(x, target);
      // y = Wx + b = [9.5, 0.5]; loss = (9.5)^2 + (-0.5)^2; dL/dy = 2 (y - t) = [19, -1]
      expect(loss.item()).toBeCloseTo(90.5, 4);
      expectCloseNd(toNd(grads.bias as mx.Tensor), { shape: [2], data: [19, -1] }, 1e-6, 'bias');
      expectCloseNd(toNd(grads.weight as mx.Tensor), { shape: [2, 3], data: [19, 19, 38, -1, -1, -2] }, 1e-6, 'weight');
    });
    // The model holds its own tensors again, not the traced copies.
    expect(layer.weight.disposed).toBe(false);
    expect(layer.weight.toArray()).toEqual([[1, 2, 3], [-1, 0, 1]]);
  });

  it('leaves out frozen parameters and takes the model from the closure', () => {
    using model = new nn.Sequential(new nn.Linear(2, 2), nn.relu, new nn.Linear(2, 1));
    model.layers[0] instanceof nn.Module && (model.layers[0] as nn.Module).freeze();
    const lossAndGrad = nn.valueAndGrad(model, (x: mx.Tensor) => mx.sum(model.forward(x)));
    mx.tidy(() => {
      const [, grads] = lossAndGrad(mx.ones([4, 2]));
      expect(mx.treeFlatten(grads).map(([k]) => k)).toEqual(['layers.2.weight', 'layers.2.bias']);
    });
  });

  it('keeps BatchNorm running statistics updated during the traced call', () => {
    using model = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm(3));
    const before = mx.memory().liveTensors;
    const lossAndGrad = nn.valueAndGrad(model, (x: mx.Tensor) => mx.sum(mx.square(model.forward(x))));
    mx.tidy(() => {
      lossAndGrad(mx.array([[1, 2], [3, 5], [-1, 0]]));
    });
    const norm = model.layers[1] as nn.BatchNorm;
    expect(norm.running_mean!.disposed).toBe(false);
    expect(mx.tidy(() => Math.abs(mx.sum(norm.running_mean!).item() as number))).toBeGreaterThan(0);
    expect(mx.memory().liveTensors).toBe(before);
  });

  it('rejects what is not a model or a function', () => {
    expect(() => nn.valueAndGrad({} as never, () => mx.array(0))).toThrow(TypeError);
    using layer = new nn.Linear(1, 1);
    expect(() => nn.valueAndGrad(layer, 3 as never)).toThrow(TypeError);
  });
});

describe('nn.checkpoint and the checkpoint option of the Transformer stacks', () => {
  it('gives the same values and gradients as without checkpointing', () => {
    mx.random.seed(5);
    using plain = new nn.TransformerEncoder(2, 8, 2, { mlpDims: 16 });
    using checkpointed = new nn.TransformerEncoder(2, 8, 2, { mlpDims: 16, checkpoint: true });
    checkpointed.loadWeights(mx.treeFlatten<mx.Tensor>(plain.parameters()).map(([k, t]) => [k, mx.copy(t)] as const));
    const x = mx.random.normal([2, 3, 8]);
    mx.tidy(() => {
      const [a, ga] = nn.valueAndGrad(plain, (input: mx.Tensor) => mx.sum(mx.square(plain.forward(input, 'causal'))))(x);
      const [b, gb] = nn.valueAndGrad(checkpointed, (input: mx.Tensor) => mx.sum(mx.square(checkpointed.forward(input, 'causal'))))(x);
      expectCloseNd(toNd(b), toNd(a), 1e-5, 'value');
      const flatB = new Map(mx.treeFlatten<mx.Tensor>(gb));
      for (const [k, t] of mx.treeFlatten<mx.Tensor>(ga)) expectCloseNd(toNd(flatB.get(k)!), toNd(t), 1e-4, k);
    });
    x.dispose();
  });

  it('checkpoint(module) calls forward; a module without one needs a function', () => {
    using layer = new nn.Linear(2, 2);
    mx.tidy(() => expectCloseNd(toNd(nn.checkpoint(layer)(mx.ones([1, 2]))), toNd(layer.forward(mx.ones([1, 2]))), 1e-6, 'forward'));
    expect(() => nn.checkpoint(new nn.Module())).toThrow(TypeError);
  });
});
