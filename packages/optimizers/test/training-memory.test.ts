// A 1,000-step training loop (nn.valueAndGrad, AdamW, a schedule and clipped gradients) keeps the number
// of live tensors and MLX's active bytes flat: every step frees what it replaces.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import * as nn from '@mlxts/nn';
import * as optim from '../src/index.js';

describe('a long training loop', () => {
  it('keeps live tensors and active memory flat over 1,000 steps', async () => {
    mx.random.seed(3);
    using model = new nn.Sequential(new nn.Linear(16, 32), new nn.LayerNorm(32), nn.gelu, new nn.Dropout({ p: 0.1 }), new nn.Linear(32, 4));
    using optimizer = new optim.AdamW(optim.cosineDecay(1e-2, 1000), { weightDecay: 0.01 });
    const x = mx.random.normal([64, 16]);
    const y = mx.random.randint(0, 4, [64]);
    const lossAndGrad = nn.valueAndGrad(model, (input: mx.Tensor, labels: mx.Tensor) => nn.losses.crossEntropy(model.forward(input), labels, { reduction: 'mean' }));
    const step = async () => {
      const loss = mx.tidy(() => {
        const [value, grads] = lossAndGrad(x, y);
        optimizer.update(model, optim.clipGradNorm(grads, 1.0)[0]);
        return value;
      });
      await mx.eval(model.parameters(), optimizer.state, loss);
      const value = loss.item() as number;
      loss.dispose();
      return value;
    };
    const first = await step();
    for (let i = 0; i < 99; i++) await step();
    const live = mx.memory().liveTensors;
    const active = mx.memory().activeBytes;
    let last = first;
    for (let i = 0; i < 900; i++) last = await step();
    expect(mx.memory().liveTensors).toBe(live);
    // MLX's buffers for one step are the same every step; allow a few kilobytes of allocator noise.
    expect(Math.abs(mx.memory().activeBytes - active)).toBeLessThan(16 * 1024);
    expect(last).toBeLessThan(first / 2);
    for (const t of [x, y]) t.dispose();
  }, 120_000);
});
