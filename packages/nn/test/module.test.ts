// Module: the parameter tree, freezing, modes, updates and who owns which tensor. Names and structures are
// MLX Python's (its own tests and docs give the same trees).
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';

class Block extends nn.Module {
  linear = new nn.Linear(3, 2);
  norm = new nn.BatchNorm(2);
  extras = { scale: mx.ones([2]), list: [mx.zeros([1]), 'label'] };
  _cache = mx.zeros([4]);
  readonly size = [1, 2];

  forward(x: mx.Tensor): mx.Tensor {
    return mx.multiply(this.norm.forward(this.linear.forward(x)), this.extras.scale);
  }
}

class Model extends nn.Module {
  blocks = [new Block(), new Block()];
  head = new nn.Sequential(nn.relu, new nn.Linear(2, 1));

  forward(x: mx.Tensor): mx.Tensor {
    for (const b of this.blocks) x = b.forward(x);
    return this.head.forward(x);
  }
}

const names = (tree: unknown) => mx.treeFlatten(tree).map(([k]) => k);

describe('the parameter tree', () => {
  it('holds tensors of modules, arrays and objects; skips `_` names, configuration and functions', () => {
    using model = new Model();
    expect(names(model.parameters())).toEqual([
      'blocks.0.linear.weight',
      'blocks.0.linear.bias',
      'blocks.0.norm.weight',
      'blocks.0.norm.bias',
      'blocks.0.norm.running_mean',
      'blocks.0.norm.running_var',
      'blocks.0.extras.scale',
      'blocks.0.extras.list.0',
      ...['linear.weight', 'linear.bias', 'norm.weight', 'norm.bias', 'norm.running_mean', 'norm.running_var', 'extras.scale', 'extras.list.0'].map((n) => `blocks.1.${n}`),
      'head.layers.1.weight',
      'head.layers.1.bias',
    ]);
    // Array positions are kept: a function in a list is an empty entry, as in MLX Python.
    expect((model.parameters().head as { layers: unknown[] }).layers[0]).toEqual({});
    expect(Object.keys(model.blocks[0].parameters())).toEqual(['linear', 'norm', 'extras']);
  });

  it('trainableParameters leaves out frozen ones, and BatchNorm running statistics always', () => {
    using model = new Model();
    expect(names(model.trainableParameters())).not.toContain('blocks.0.norm.running_mean');
    model.freeze();
    expect(names(model.trainableParameters())).toEqual([]);
    model.unfreeze();
    const all = names(model.trainableParameters());
    expect(all).toContain('blocks.1.linear.weight');
    expect(all.filter((n) => n.includes('running'))).toEqual([]);
    model.freeze({ keys: 'bias' });
    expect(names(model.trainableParameters()).filter((n) => n.endsWith('bias'))).toEqual([]);
    model.unfreeze();
    model.blocks[0].freeze({ recurse: false });
    // Non-recursive: only the block's own tensors (extras), not its submodules'.
    expect(names(model.blocks[0].trainableParameters())).toEqual(['linear.weight', 'linear.bias', 'norm.weight', 'norm.bias']);
    expect(model.blocks[0].isFrozen('extras.scale')).toBe(true);
    expect(() => model.freeze({ keys: 'nope', strict: true })).toThrow(TypeError);
    expect(() => model.freeze({ keys: 'bias', strict: true })).not.toThrow();
    expect(() => model.freeze({ recursive: true } as never)).toThrow(/unknown option 'recursive'/);
  });

  it('children, leafModules, namedModules and modules', () => {
    using model = new Model();
    expect(mx.treeFlatten(model.children(), '', (v) => v instanceof nn.Module).map(([k]) => k)).toEqual(['blocks.0', 'blocks.1', 'head']);
    expect(model.namedModules().map(([k]) => k).sort()).toEqual(
      ['', 'blocks.0', 'blocks.0.linear', 'blocks.0.norm', 'blocks.1', 'blocks.1.linear', 'blocks.1.norm', 'head', 'head.layers.1'].sort(),
    );
    expect(model.modules()).toHaveLength(9);
    expect(mx.treeFlatten(model.leafModules(), '', (v) => v instanceof nn.Module).map(([k]) => k)).toEqual([
      'blocks.0.linear',
      'blocks.0.norm',
      'blocks.1.linear',
      'blocks.1.norm',
      'head.layers.1',
    ]);
  });

  it('train and eval reach every submodule', () => {
    using model = new Model();
    expect(model.modules().every((m) => m.training)).toBe(true);
    model.eval();
    expect(model.modules().some((m) => m.training)).toBe(false);
    model.train();
    expect(model.blocks[1].norm.training).toBe(true);
  });

  it('prints like MLX Python', () => {
    using layer = new nn.Sequential(new nn.Linear(4, 2), nn.relu);
    expect(String(layer)).toBe('Sequential(\n  (layers.0): Linear(inputDims=4, outputDims=2, bias=true)\n)');
  });
});

describe('update and ownership', () => {
  it('replaces tensors, keeps the new ones out of tidy and disposes the replaced ones', () => {
    using layer = new nn.Linear(3, 2);
    const old = layer.weight;
    const before = mx.memory().liveTensors;
    mx.tidy(() => {
      layer.update({ weight: mx.ones([2, 3]) });
    });
    expect(old.disposed).toBe(true);
    expect(layer.weight.disposed).toBe(false);
    expect(layer.weight.toArray()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(mx.memory().liveTensors).toBe(before);
  });

  it('does not dispose a tensor the module still holds', () => {
    using layer = new nn.Linear(2, 2);
    const w = layer.weight;
    layer.update({ weight: w });
    expect(w.disposed).toBe(false);
    const b = layer.bias!;
    layer.update({ weight: b.reshape([1, 2]).tile([2, 1]), bias: b });
    expect(b.disposed).toBe(false);
  });

  it('strict updates reject unknown names and non-tensors; non-strict ones skip them', () => {
    using layer = new nn.Linear(2, 2);
    expect(() => layer.update({ wieght: mx.ones([2, 2]) })).toThrow(/update: the module has no parameter named 'wieght'/);
    expect(() => layer.update({ weight: 3 as never })).toThrow(TypeError);
    layer.update({ wieght: mx.ones([2, 2]), bias: mx.zeros([2]) }, { strict: false });
    expect(layer.bias!.toArray()).toEqual([0, 0]);
  });

  it('apply and setDtype map the parameters; setDtype casts only floating ones by default', () => {
    using model = new nn.Sequential(new nn.Linear(2, 2), new nn.QuantizedLinear(64, 8));
    model.setDtype('float16');
    const dtypes = Object.fromEntries(mx.treeFlatten<mx.Tensor>(model.parameters()).map(([k, t]) => [k, t.dtype]));
    expect(dtypes['layers.0.weight']).toBe('float16');
    expect(dtypes['layers.1.weight']).toBe('uint32');
    expect(dtypes['layers.1.scales']).toBe('float16');
    // The filter sees every level (modules, lists and tensors), as in MLX Python.
    model.apply((w) => mx.zerosLike(w), (m, key, value) => nn.Module.isParameterValue(m, key, value) && (!mx.isTensor(value) || key === 'bias'));
    expect((model.layers[0] as nn.Linear).bias!.toArray()).toEqual([0, 0]);
  });

  it('dispose frees every tensor, `_` names included', () => {
    const before = mx.memory().liveTensors;
    const model = new Model();
    expect(mx.memory().liveTensors).toBeGreaterThan(before);
    model.dispose();
    expect(model.blocks[0]._cache.disposed).toBe(true);
    expect(mx.memory().liveTensors).toBe(before);
  });
});

describe('state: a live view of the parameters', () => {
  it('reads and writes the module, with the structure of parameters()', () => {
    using model = new nn.Sequential(new nn.Linear(2, 2), nn.relu, new nn.Linear(2, 1));
    const state = model.state;
    expect(mx.treeFlatten(state).map(([k]) => k)).toEqual(mx.treeFlatten(model.parameters()).map(([k]) => k));
    const w = mx.zeros([1, 2]);
    const old = (model.layers[2] as nn.Linear).weight;
    (state.layers as any)[2].weight = w;
    expect((model.layers[2] as nn.Linear).weight).toBe(w);
    expect(old.disposed).toBe(false); // assignment through the view is raw: the caller owns `old`
    old.dispose();
    expect(() => ((state.layers as any)[2].weight = 3)).toThrow(TypeError);
  });
});

describe('loadWeights', () => {
  it('loads pairs or a tree, and checks names and shapes when strict', () => {
    using layer = new nn.Linear(3, 2);
    layer.loadWeights([
      ['weight', mx.ones([2, 3])],
      ['bias', mx.zeros([2])],
    ]);
    expect(mx.sum(layer.weight).item()).toBe(6);
    layer.loadWeights({ bias: mx.ones([2]), weight: mx.zeros([2, 3]) });
    expect(layer.bias!.toArray()).toEqual([1, 1]);
    const load = (pairs: [string, mx.Tensor][], strict?: boolean) => mx.tidy(() => layer.loadWeights(pairs, { strict }));
    expect(() => load([['weight', mx.ones([2, 3])]])).toThrow(/loadWeights: 1 parameter\(s\) missing: bias/);
    expect(() => load([['weight', mx.ones([2, 3])], ['bias', mx.ones([2])], ['extra', mx.ones([1])]])).toThrow(/not in the model: extra/);
    expect(() => load([['weight', mx.ones([3, 2])], ['bias', mx.ones([2])]])).toThrow(mx.MlxError);
    load([['bias', mx.full([2], 5)]], false);
    expect(layer.bias!.toArray()).toEqual([5, 5]);
    expect(() => layer.loadWeights(42 as never)).toThrow(TypeError);
  });
});

describe('layer arguments', () => {
  it('wrong kinds are TypeErrors, out-of-range numbers RangeErrors, bad input shapes MlxErrors', () => {
    expect(() => new nn.Linear(3.5, 2)).toThrow(TypeError);
    expect(() => new nn.Linear(0, 2)).toThrow(RangeError);
    expect(() => new nn.Linear(2, 2, { biass: false } as never)).toThrow(/Linear: unknown option 'biass'/);
    expect(() => new nn.Dropout({ p: 1 })).toThrow(RangeError);
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/divisible/);
    expect(() => new nn.Conv2d(3, 4, [3, 3, 3])).toThrow(TypeError);
    expect(() => new nn.GELU({ approx: 'quick' as never })).toThrow(TypeError);
    expect(() => new nn.QuantizedLinear(64, 8, { bits: 7 })).toThrow(RangeError);
    expect(() => new nn.MultiHeadAttention(10, 3)).toThrow(RangeError);
    using norm = new nn.BatchNorm(3);
    expect(() => mx.tidy(() => norm.forward(mx.zeros([3])))).toThrow(mx.MlxError);
    using pool = new nn.MaxPool2d(2);
    expect(() => mx.tidy(() => pool.forward(mx.zeros([2, 3, 3])))).toThrow(/^MaxPool2d: /);
  });
});
