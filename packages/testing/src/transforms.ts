// The transform checks of a generated op test (schema `grad:`): grad, vjp and jvp against central finite
// differences, vmap against the loop over a batch, compile against the plain call. The op is seen as a
// function of its differentiated inputs only; an op with several outputs is checked on its floating-point
// ones, flattened and joined into one tensor (integer outputs such as pivots have no gradient), and a
// complex output on its real and imaginary parts.
import { it } from 'vitest';
import * as mx from '@mlxts/core';
import { expectCloseNd, toNd } from './compare.js';
import { checkGradients, drawValues, tensorOf, type GradientInput } from './gradients.js';
import { withoutLeaks } from './leaks.js';
import { prng, sizeOf } from './random.js';

export interface TransformChecks {
  fn: (...inputs: mx.Tensor[]) => mx.Tensor | mx.Tensor[];
  inputs: GradientInput[];
  /** Gradient-check options beyond the defaults: finite-difference step, tolerance, input dtype. */
  options: { step?: number; tolerance?: number; dtype?: 'float32' };
  /** Whether the vmap check applies (elementwise ops and reductions). */
  vmap: boolean;
  /** Checks left out, with the MLX behaviour that is in the way. */
  skip: { vjp?: string; jvp?: string; vmap?: string; compile?: string };
}

/** Batch size of the vmap check. */
const BATCH = 3;

export function transformTests(name: string, t: TransformChecks): void {
  const fn = singleOutput(t.fn);
  const dtype = t.options.dtype ?? 'float64';
  // Results of vmap and compile may differ from the plain call by rounding (another summation order).
  const tolerance = dtype === 'float64' ? 1e-10 : 1e-5;
  const checked = [...(t.skip.vjp ? [] : ['grad and vjp']), ...(t.skip.jvp ? [] : ['jvp'])];
  if (checked.length > 0) {
    it(`gradient: ${checked.join(' and ')} against finite differences (${dtype})`, () =>
      withoutLeaks(() => checkGradients(name, fn, t.inputs, { ...t.options, skipVjp: t.skip.vjp, skipJvp: t.skip.jvp })));
  }
  if (t.skip.vjp) it.skip(`gradient: grad and vjp: ${t.skip.vjp}`, () => {});
  if (t.skip.jvp) it.skip(`gradient: jvp: ${t.skip.jvp}`, () => {});
  if (t.vmap && t.skip.vmap) it.skip(`vmap: ${t.skip.vmap}`, () => {});
  else if (t.vmap) {
    it('vmap over a batch equals the loop over it', () =>
      withoutLeaks(() => {
        const items = Array.from({ length: BATCH }, (_, i) => draw(t.inputs, dtype, 10 + i));
        const batched = mx.vmap(fn)(...t.inputs.map((_, k) => mx.stack(items.map((item) => item[k])))) as mx.Tensor;
        const looped = mx.stack(items.map((item) => fn(...item)));
        expectCloseNd(toNd(batched), toNd(looped), tolerance, `${name}: vmap`);
      }));
  }
  if (t.skip.compile) it.skip(`compile: ${t.skip.compile}`, () => {});
  else {
    it('compile(fn) equals fn on the same inputs', () =>
      withoutLeaks(() => {
        const xs = draw(t.inputs, dtype, 20);
        expectCloseNd(toNd(mx.compile(fn)(...xs) as mx.Tensor), toNd(fn(...xs)), tolerance, `${name}: compile`);
      }));
  }
}

/** Why an op has no gradient check, shown as a skipped test. */
export function notDifferentiableTest(reason: string): void {
  it.skip(`gradient: not checked: ${reason}`, () => {});
}

/** The op as a function with one real output: floating-point outputs and the parts of complex ones, flattened and joined. */
function singleOutput(fn: TransformChecks['fn']): (...inputs: mx.Tensor[]) => mx.Tensor {
  return (...inputs) => {
    const out = fn(...inputs);
    const outputs = Array.isArray(out) ? out : [out];
    if (outputs.length === 1 && outputs[0].dtype.startsWith('float')) return outputs[0];
    const parts = outputs.flatMap((o) => (o.dtype === 'complex64' ? [mx.real(o), mx.imag(o)] : o.dtype.startsWith('float') ? [o] : []));
    return mx.concatenate(parts.map((o) => mx.reshape(o, [-1])));
  };
}

/** Seeded random inputs of the declared shapes and intervals. */
function draw(inputs: GradientInput[], dtype: 'float64' | 'float32', seed: number): mx.Tensor[] {
  const random = prng(seed);
  return inputs.map(({ shape, min, max }) => tensorOf(drawValues(random, sizeOf(shape), min, max), shape, dtype));
}
