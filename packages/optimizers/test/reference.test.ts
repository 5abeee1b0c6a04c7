// Every optimizer, schedule and clipGradNorm against MLX Python 0.32.4 (fixtures from
// scripts/record-reference.py): the same initial parameters and gradients must give the same parameters
// after each of 5 steps, the same learning rates and the same final state tree.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
// The package's source, not its build: Vitest hands this package's own build to Node, which would then
// load a second @mlxts/core beside the one these tests import.
import * as optim from '../src/index.js';
import { expectCloseNd, readFixture, toNd } from '@mlxts/testing';

const { tensors, metadata } = readFixture(fileURLToPath(new URL('./fixtures/optimizers.safetensors', import.meta.url)));
const caseNames = JSON.parse(metadata.cases) as string[];

/** The tree recorded under `<case>/<role>/<index>/`. */
function tree(name: string, role: string, index: number): any {
  const prefix = `${name}/${role}/${index}/`;
  const pairs = [...tensors].filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t] as [string, mx.Tensor]);
  return pairs.length > 0 ? mx.treeUnflatten(pairs) : undefined;
}

function expectTreeClose(actual: unknown, expected: unknown, tol: number, context: string): void {
  const a = mx.treeFlatten<mx.Tensor>(actual);
  const e = mx.treeFlatten<mx.Tensor>(expected);
  expect(a.map(([k]) => k).sort(), `${context}: paths`).toEqual(e.map(([k]) => k).sort());
  const byPath = new Map(a);
  for (const [path, t] of e) {
    expect(byPath.get(path)!.dtype, `${context}: ${path} dtype`).toBe(t.dtype);
    expectCloseNd(toNd(byPath.get(path)!), toNd(t), tol, `${context}: ${path}`);
  }
}

const OPTIMIZERS: Record<string, () => optim.Optimizer> = {
  sgd: () => new optim.SGD(0.1),
  sgd_momentum: () => new optim.SGD(0.1, { momentum: 0.9, weightDecay: 0.01, dampening: 0.1 }),
  sgd_nesterov: () => new optim.SGD(0.05, { momentum: 0.8, nesterov: true }),
  rmsprop: () => new optim.RMSprop(0.01, { alpha: 0.9, eps: 1e-6 }),
  adagrad: () => new optim.Adagrad(0.1),
  adadelta: () => new optim.AdaDelta(1.0, { rho: 0.95 }),
  adam: () => new optim.Adam(0.01),
  adam_bias_correction: () => new optim.Adam(0.01, { betas: [0.8, 0.99], eps: 1e-6, biasCorrection: true }),
  adamw: () => new optim.AdamW(0.01, { weightDecay: 0.1 }),
  adamax: () => new optim.Adamax(0.02, { betas: [0.85, 0.995] }),
  lion: () => new optim.Lion(0.001, { weightDecay: 0.1 }),
  adafactor: () => new optim.Adafactor(),
  adafactor_options: () => new optim.Adafactor({ learningRate: 0.01, beta1: 0.9, weightDecay: 0.01, scaleParameter: false, relativeStep: false, clipThreshold: 0.5 }),
  adafactor_warmup: () => new optim.Adafactor({ warmupInit: true, decayRate: -0.5 }),
  muon: () => new optim.Muon(0.02),
  muon_plain: () => new optim.Muon(0.02, { momentum: 0.9, weightDecay: 0, nesterov: false, nsSteps: 3 }),
  sgd_cosine_schedule: () => new optim.SGD(optim.cosineDecay(0.1, 4, 0.01), { momentum: 0.5 }),
  adam_warmup_schedule: () => new optim.Adam(optim.joinSchedules([optim.linearSchedule(0, 0.01, 2), optim.exponentialDecay(0.01, 0.5)], [2])),
  multi: () => new optim.MultiOptimizer([new optim.SGD(0.1, { momentum: 0.9 }), new optim.Adam(0.01)], [(_path, g) => g.ndim >= 2]),
};

const SCHEDULES: Record<string, optim.Schedule> = {
  exponential_decay: optim.exponentialDecay(0.1, 0.9),
  step_decay: optim.stepDecay(0.1, 0.9, 10),
  cosine_decay: optim.cosineDecay(0.1, 30),
  cosine_decay_end: optim.cosineDecay(0.1, 25, 0.02),
  linear_schedule: optim.linearSchedule(0.0, 0.1, 20),
  linear_schedule_integers: optim.linearSchedule(3, 1, 8),
  join_schedules: optim.joinSchedules([optim.linearSchedule(0, 0.1, 10), optim.cosineDecay(0.1, 20)], [10]),
};

const CLIPS: Record<string, number> = { clip_grad_norm: 2.0, clip_grad_norm_unclipped: 2.0 };

// Five float32 steps: the update rules are the same ops in the same order, so the results agree to a few
// ulps (Muon's orthogonalization repeats five matrix products, hence its looser bound).
const TOLERANCE: Record<string, number> = { muon: 1e-4, muon_plain: 1e-4 };

describe('the fixture', () => {
  it('names exactly the cases of these tables', () => {
    expect([...caseNames].sort()).toEqual([...Object.keys(OPTIMIZERS), ...Object.keys(SCHEDULES), ...Object.keys(CLIPS)].sort());
  });
});

describe('optimizers against MLX Python: 5 update steps', () => {
  for (const name of Object.keys(OPTIMIZERS)) {
    it(name, () => {
      using optimizer = OPTIMIZERS[name]();
      const tol = TOLERANCE[name] ?? 1e-5;
      let params = mx.treeMap((t: mx.Tensor) => mx.copy(t), tree(name, 'params', 0));
      for (let step = 0; step < 5; step++) {
        const next = optimizer.applyGradients(tree(name, 'grads', step), params);
        for (const [, t] of mx.treeFlatten<mx.Tensor>(params)) t.dispose();
        params = next;
        expectTreeClose(params, tree(name, 'params', step + 1), tol, `step ${step + 1}`);
        const lr = tree(name, 'lr', step + 1);
        if (lr) expectCloseNd(toNd(optimizer.learningRate), toNd(lr.value), 1e-6, `learning rate after step ${step + 1}`);
      }
      expectTreeClose(optimizer.state, tree(name, 'state', 0), tol, 'state after 5 steps');
      for (const [, t] of mx.treeFlatten<mx.Tensor>(params)) t.dispose();
    });
  }
});

describe('schedules against MLX Python: steps 0 to 39', () => {
  for (const [name, schedule] of Object.entries(SCHEDULES)) {
    it(name, () => {
      mx.tidy(() => {
        const values = mx.stack(Array.from({ length: 40 }, (_, s) => schedule(mx.array(BigInt(s), 'uint64'))));
        const expected = tree(name, 'values', 0).value as mx.Tensor;
        expect(values.dtype).toBe(expected.dtype);
        expectCloseNd(toNd(values), toNd(expected), 1e-6, name);
      });
    });
  }
});

describe('clipGradNorm against MLX Python', () => {
  for (const [name, maxNorm] of Object.entries(CLIPS)) {
    it(name, () => {
      mx.tidy(() => {
        const [clipped, norm] = optim.clipGradNorm(tree(name, 'grads', 0), maxNorm);
        expectTreeClose(clipped, tree(name, 'clipped', 0), 1e-6, 'clipped');
        expectCloseNd(toNd(norm), toNd(tree(name, 'norm', 0).value), 1e-6, 'norm');
      });
    });
  }
});
