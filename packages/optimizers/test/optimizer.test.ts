// The Optimizer machinery: updating a model, the state tree (saved and restored), learning-rate setting,
// MultiOptimizer routing, tensor ownership over many steps, and argument errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';
// The package's source, not its build (see reference.test.ts).
import * as optim from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'mlxts-optim-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const names = (tree: unknown) => mx.treeFlatten(tree).map(([k]) => k);

describe('Optimizer', () => {
  it('updates a model in place: w - lr * g for plain SGD', () => {
    using model = new nn.Linear(2, 1);
    model.loadWeights({ weight: mx.array([[1, 2]]), bias: mx.array([3]) });
    using sgd = new optim.SGD(0.5);
    mx.tidy(() => sgd.update(model, { weight: mx.array([[2, 2]]), bias: mx.array([1]) }));
    expect(model.weight.toArray()).toEqual([[0, 1]]);
    expect(model.bias!.toArray()).toEqual([2.5]);
    expect(sgd.step.item()).toBe(1n);
  });

  it('keeps live tensors flat over many steps, inside tidy or not', () => {
    using model = new nn.Sequential(new nn.Linear(4, 8), nn.relu, new nn.Linear(8, 2));
    using adam = new optim.Adam(optim.cosineDecay(1e-2, 50));
    const grads = () => mx.treeMap((p: mx.Tensor) => mx.onesLike(p), model.trainableParameters());
    const step = () => {
      adam.update(model, grads());
      mx.evalSync(model.parameters(), adam.state);
    };
    mx.tidy(step); // the first step creates the state
    const live = mx.memory().liveTensors;
    for (let i = 0; i < 50; i++) mx.tidy(step);
    expect(mx.memory().liveTensors).toBe(live);
  });

  it('has a state tree with MLX Python names that saves to a file and restores the same updates', () => {
    using model = new nn.Linear(3, 2);
    using adam = new optim.Adam(0.1);
    const grads = { weight: mx.ones([2, 3]), bias: mx.ones([2]) };
    adam.update(model, grads);
    expect(names(adam.state).sort()).toEqual(['bias.m', 'bias.v', 'learning_rate', 'step', 'weight.m', 'weight.v']);
    const file = join(work, 'adam.safetensors');
    mx.saveSafetensors(file, Object.fromEntries(mx.treeFlatten<mx.Tensor>(adam.state)));

    using restored = new optim.Adam(0.1);
    restored.state = mx.treeUnflatten(Object.entries(mx.load(file)));
    using twin = new nn.Linear(3, 2);
    twin.loadWeights(mx.treeFlatten<mx.Tensor>(model.parameters()).map(([k, t]) => [k, mx.copy(t)] as const));
    adam.update(model, grads);
    restored.update(twin, grads);
    expect(restored.step.item()).toBe(2n);
    expect(twin.weight.toArray()).toEqual(model.weight.toArray());
    for (const t of Object.values(grads)) t.dispose();
  });

  it('state is a live view: writing a tensor into it changes the optimizer', () => {
    using sgd = new optim.SGD(0.1, { momentum: 0.9 });
    sgd.init({ w: mx.ones([2]) });
    const state = sgd.state as { step: mx.Tensor; w: { v: mx.Tensor } };
    const v = mx.full([2], 3);
    const old = state.w.v;
    state.w.v = v;
    old.dispose();
    expect((sgd.state as { w: { v: mx.Tensor } }).w.v).toBe(v);
    const step = mx.array(7n, 'uint64');
    const oldStep = state.step;
    state.step = step;
    oldStep.dispose();
    expect(sgd.step.item()).toBe(7n);
  });

  it('learningRate can be read and set, and a schedule advances with the steps', () => {
    using sgd = new optim.SGD(optim.stepDecay(1, 0.5, 1));
    expect(sgd.learningRate.item()).toBe(1);
    mx.tidy(() => sgd.applyGradients({ w: mx.ones([1]) }, { w: mx.ones([1]) }));
    mx.tidy(() => sgd.applyGradients({ w: mx.ones([1]) }, { w: mx.ones([1]) }));
    expect(sgd.learningRate.item()).toBe(0.5);
    sgd.learningRate = 0.01;
    expect(sgd.learningRate.item()).toBeCloseTo(0.01, 7);
  });

  it('MultiOptimizer sends each parameter to the first optimizer whose filter accepts it', () => {
    using model = new nn.Linear(2, 2);
    const sgd = new optim.SGD(1);
    const adam = new optim.Adam(0.1);
    using multi = new optim.MultiOptimizer([sgd, adam], [(path) => path === 'bias']);
    mx.tidy(() => multi.update(model, { weight: mx.ones([2, 2]), bias: mx.ones([2]) }));
    expect(names(multi.state)).toEqual(['states.0.step', 'states.0.learning_rate', 'states.0.bias.v', 'states.1.step', 'states.1.learning_rate', 'states.1.weight.m', 'states.1.weight.v']);
    multi.learningRate = 0.2;
    expect(adam.learningRate.item()).toBeCloseTo(0.2, 6);
    expect(() => new optim.MultiOptimizer([sgd, adam])).toThrow(RangeError);
  });

  it('gradient trees must match the parameters', () => {
    using sgd = new optim.SGD(0.1);
    mx.tidy(() => {
      expect(() => sgd.applyGradients({ w: mx.ones([1]) }, { v: mx.ones([1]) })).toThrow(/no parameter at 'w'/);
      expect(() => sgd.applyGradients({ w: 3 }, { w: mx.ones([1]) })).toThrow(TypeError);
    });
  });

  it('argument errors: wrong kinds are TypeErrors, out-of-range numbers RangeErrors', () => {
    expect(() => new optim.SGD('fast' as never)).toThrow(TypeError);
    expect(() => new optim.SGD(0.1, { nesterov: true })).toThrow(RangeError);
    expect(() => new optim.Adam(0.1, { betas: [0.9, 1] })).toThrow(RangeError);
    expect(() => new optim.Adam(0.1, { beta: [0.9, 0.9] } as never)).toThrow(/Adam: unknown option 'beta'/);
    expect(() => new optim.AdamW(0.1, { weightdecay: 0 } as never)).toThrow(/AdamW: unknown option/);
    expect(() => new optim.RMSprop(0.1, { eps: 0 })).toThrow(RangeError);
    expect(() => optim.stepDecay(0.1, 0.9, 0)).toThrow(RangeError);
    expect(() => optim.joinSchedules([optim.linearSchedule(0, 1, 2)], [2])).toThrow(RangeError);
    expect(() => optim.clipGradNorm({}, -1)).toThrow(RangeError);
    expect(() => new optim.Adafactor({ relativeStep: false })).toThrow(TypeError);
  });
});
