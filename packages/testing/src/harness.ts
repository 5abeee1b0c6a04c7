// The harness behind every generated op test (test/generated/*.test.ts): property tests against a
// float64 TS reference over random shapes and dtypes, declared laws, doc examples and error inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { expectCloseNd, expectMatches, fromValues, toNd } from './compare.js';
import { ALL_DTYPES } from './dtypes.js';
import { withoutLeaks } from './leaks.js';
import { elementwise, reduce } from './ndarray.js';
import { inputOf, matrixShapeArb, type InputKind, type MatrixShape } from './matrices.js';
import type { Nd } from './ndarray.js';
import { broadcastPairArb, runs, shapeArb, sizeOf, valuesArb, type Domain } from './random.js';
import { notDifferentiableTest, transformTests, type TransformChecks } from './transforms.js';

export type OpFn = (...args: never[]) => unknown;

interface PropertyBase {
  fn: OpFn;
  dtypes: mx.DType[];
  domain: Domain;
  tolerance: Record<string, number>;
  laws: string[];
  /** identity tests: the matrix kind of each tensor input, and the matrix shapes to try. */
  inputs: InputKind[];
  shapes: MatrixShape[];
}

export type Property =
  | (PropertyBase & { kind: 'unary'; reference: (x: number) => number | boolean })
  | (PropertyBase & { kind: 'binary'; reference: (a: number, b: number) => number | boolean })
  | (PropertyBase & { kind: 'reduction'; reference: (xs: number[]) => number | boolean })
  /** The reference returns the largest residual of the identities the outputs must satisfy. */
  | (PropertyBase & { kind: 'identity'; reference: (inputs: Nd[], outputs: Nd[]) => number })
  /** A property check of the family's own (test/support/refs.ts), run once per dtype with its tolerance. */
  | (PropertyBase & { kind: 'check'; reference: (fn: OpFn, dtype: mx.DType, tolerance: number) => void });

export interface OpSuite {
  name: string;
  property?: Property;
  /** Why the op has no property test here (where it is tested instead). */
  skip?: string;
  examples: { title: string; run: () => unknown; expect: unknown }[];
  errors: { code: string; run: () => unknown; error: 'TypeError' | 'RangeError' | 'MlxError'; message: string; phase: 'build' | 'eval' }[];
  /**
   * Rule 1 of the error rule (docs/concepts/adding-an-op.md), for every argument: a call with a value of
   * the wrong kind must throw a TypeError whose message starts with "<op>: <message>".
   */
  typeErrors?: { label: string; message: string; run: () => unknown }[];
  /** The op's dtype and shape rules (schema `dtype:` and `shape:`), checked over every dtype. */
  rules?: Rules;
  /** The transform checks (schema `grad:`): gradients, vmap and compile. */
  transforms?: TransformChecks;
  /** Why the op's gradient is not checked (schema `grad.reason`). */
  notDifferentiable?: string;
}

export interface Rules {
  /** The tensor arguments the rules name, and the shape each is given. */
  args: string[];
  shapes: number[][];
  call: (tensors: mx.Tensor[]) => unknown;
  /** The result dtype for the arguments' dtypes. */
  dtype?: (dtypes: mx.DType[]) => mx.DType;
  /** Per argument, the dtypes it must take (its `dtypes` constraint), or null. */
  accepts: (readonly string[] | null)[];
  /** dtypes that every argument at once must take (the property test's). */
  diagonal: string[];
  shape?: number[];
}

export function opSuite(suite: OpSuite): void {
  describe(suite.name, () => {
    if (suite.property) propertyTests(suite.property);
    else it.skip(`property test: ${suite.skip ?? 'none declared'}`, () => {});
    for (const ex of suite.examples) {
      it(`example: ${ex.title}`, () => withoutLeaks(() => expectMatches(ex.run(), ex.expect)));
    }
    for (const err of suite.errors) {
      it(`throws ${err.error} for ${err.code}`, () => withoutLeaks(() => expectThrows(suite.name, err)));
    }
    if (suite.rules) rulesTests(suite.rules);
    if (suite.transforms) transformTests(suite.name, suite.transforms);
    if (suite.notDifferentiable) notDifferentiableTest(suite.notDifferentiable);
    for (const c of suite.typeErrors ?? []) {
      it(`throws TypeError for ${c.label}`, () => withoutLeaks(() => expectTypeError(suite.name, c)));
    }
  });
}

function rulesTests(r: Rules): void {
  const label = r.dtype ? 'follows its dtype rule over every dtype' : 'follows its shape rule';
  it(label + (r.shape ? ' and its shape rule' : ''), () =>
    withoutLeaks(() => {
      const combos = r.dtype ? dtypeCombos(r.args.length) : [r.args.map(() => 'float32' as mx.DType)];
      let accepted = 0;
      const wrong: string[] = [];
      for (const dtypes of combos) {
        const context = `${r.args.map((a, i) => `${a}: ${dtypes[i]}`).join(', ')}`;
        const mustWork =
          r.accepts.every((list, i) => list !== null && list.includes(dtypes[i])) || (dtypes.every((d) => d === dtypes[0]) && r.diagonal.includes(dtypes[0]));
        let result: unknown;
        try {
          result = mx.tidy(() => {
            const out = r.call(r.args.map((_, i) => mx.zeros(r.shapes[i], dtypes[i])));
            const outputs = (Array.isArray(out) ? out : [out]) as mx.Tensor[];
            return outputs.map((t) => ({ dtype: t.dtype, shape: t.shape }));
          });
        } catch (e) {
          // A dtype the op does not take is an MlxError (rule 3); the declared ones must work.
          if (mustWork || !(e instanceof mx.MlxError)) throw new Error(`${context}: ${String(e)}`);
          continue;
        }
        accepted++;
        for (const out of result as { dtype: mx.DType; shape: number[] }[]) {
          if (r.dtype && out.dtype !== r.dtype(dtypes)) wrong.push(`${context} gave ${out.dtype}, the rule says ${r.dtype(dtypes)}`);
          if (r.shape && JSON.stringify(out.shape) !== JSON.stringify(r.shape)) wrong.push(`${context} gave shape [${out.shape}], the rule says [${r.shape}]`);
        }
      }
      expect(wrong, 'results that break the rules').toEqual([]);
      expect(accepted, 'dtypes the op takes').toBeGreaterThan(0);
    }),
  );
}

/** Every assignment of a dtype to each of `n` arguments. */
function dtypeCombos(n: number): mx.DType[][] {
  let combos: mx.DType[][] = [[]];
  for (let i = 0; i < n; i++) combos = combos.flatMap((c) => ALL_DTYPES.map((d) => [...c, d]));
  return combos;
}

/** A tensor that has been disposed: passing it is the wrong kind of argument (a TypeError). */
export function disposed(): mx.Tensor {
  const t = mx.zeros([2, 2]);
  t.dispose();
  return t;
}

function expectTypeError(op: string, c: NonNullable<OpSuite['typeErrors']>[number]): void {
  let thrown: unknown;
  try {
    c.run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `${c.label} should throw`).toBeInstanceOf(TypeError);
  const message = (thrown as Error).message;
  expect(message.startsWith(`${op}: ${c.message}`), `"${message}" starts with "${op}: ${c.message}"`).toBe(true);
}

function expectThrows(op: string, err: OpSuite['errors'][number]): void {
  let thrown: unknown;
  try {
    err.run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `${err.code} should throw`).toBeInstanceOf(Error);
  const error = thrown as Error;
  if (err.error === 'MlxError') expect(error).toBeInstanceOf(mx.MlxError);
  else if (err.error === 'TypeError') expect(error).toBeInstanceOf(TypeError);
  else expect(error).toBeInstanceOf(RangeError);
  // An error raised by a kernel surfaces where the tensor is read back, so it names that call instead.
  if (err.phase === 'build') expect(error.message.startsWith(`${op}:`), `"${error.message}" starts with the op name`).toBe(true);
  expect(error.message).toContain(err.message);
}

function tolerance(p: PropertyBase, dtype: mx.DType): number {
  return p.tolerance[dtype] ?? 0;
}

function propertyTests(p: Property): void {
  if (p.kind === 'identity') {
    for (const dtype of p.dtypes) {
      for (const shape of p.shapes) it(`satisfies its identities on random ${shape} ${dtype} inputs`, () => identityProperty(p, dtype, shape));
    }
    return;
  }
  if (p.kind === 'check') {
    for (const dtype of p.dtypes) it(`passes its property check in ${dtype}`, () => p.reference(p.fn, dtype, tolerance(p, dtype)));
    return;
  }
  for (const dtype of p.dtypes) {
    it(`matches the reference on random ${dtype} inputs`, () => {
      if (p.kind === 'unary') unaryProperty(p, dtype);
      else if (p.kind === 'binary') binaryProperty(p, dtype);
      else if (p.kind === 'reduction') reductionProperty(p, dtype);
    });
  }
  for (const law of p.laws) {
    if (law === 'commutative') it('is commutative', () => commutativeLaw(p));
  }
}

function unaryProperty(p: Extract<Property, { kind: 'unary' }>, dtype: mx.DType): void {
  const arb = shapeArb(0, 3).chain((shape) =>
    fc.tuple(fc.constant(shape), valuesArb(sizeOf(shape), p.domain, dtype), fc.boolean()),
  );
  fc.assert(
    fc.property(arb, ([shape, values, transposed]) =>
      withoutLeaks(() => {
        let x = fromValues(values, shape, dtype);
        if (transposed) x = mx.transpose(x); // a non-contiguous view
        const fn = p.fn as (x: mx.Tensor) => mx.Tensor;
        const out = fn(x);
        expectCloseNd(toNd(out), elementwise([toNd(x)], p.reference as (x: number) => number), tolerance(p, out.dtype), `${dtype} ${shape}`);
      }),
    ),
    { numRuns: runs },
  );
}

function binaryProperty(p: Extract<Property, { kind: 'binary' }>, dtype: mx.DType): void {
  const arb = broadcastPairArb.chain(({ a, b }) =>
    fc.tuple(fc.constant(a), fc.constant(b), valuesArb(sizeOf(a), p.domain, dtype), valuesArb(sizeOf(b), p.domain, dtype), valuesArb(1, p.domain, dtype)),
  );
  const ref = p.reference as (a: number, b: number) => number;
  const fn = p.fn as (a: unknown, b: unknown) => mx.Tensor;
  fc.assert(
    fc.property(arb, ([sa, sb, va, vb, [scalar]]) =>
      withoutLeaks(() => {
        const a = fromValues(va, sa, dtype);
        const b = fromValues(vb, sb, dtype);
        const out = fn(a, b);
        const tol = tolerance(p, out.dtype);
        expectCloseNd(toNd(out), elementwise([toNd(a), toNd(b)], ref), tol, `${dtype} ${sa} with ${sb}`);
        // A JS number is a weak scalar: it takes the tensor's dtype.
        const withScalar = fn(a, scalar);
        expect(withScalar.dtype).toBe(out.dtype);
        const s = toNd(fromValues([scalar], [], dtype));
        expectCloseNd(toNd(withScalar), elementwise([toNd(a), s], ref), tol, `${dtype} ${sa} with scalar ${scalar}`);
      }),
    ),
    { numRuns: runs },
  );
}

function reductionProperty(p: Extract<Property, { kind: 'reduction' }>, dtype: mx.DType): void {
  const arb = shapeArb(1, 3, 1, 4).chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      valuesArb(sizeOf(shape), p.domain, dtype),
      axesArb(shape.length),
      fc.boolean(),
    ),
  );
  const fn = p.fn as (a: mx.Tensor, axis?: number | number[], keepdims?: boolean) => mx.Tensor;
  fc.assert(
    fc.property(arb, ([shape, values, axis, keepdims]) =>
      withoutLeaks(() => {
        const a = fromValues(values, shape, dtype);
        let out: mx.Tensor;
        try {
          out = fn(a, axis, keepdims);
        } catch (e) {
          // Ops that reduce one axis at a time reject a list; that is their declared signature.
          if (Array.isArray(axis) && e instanceof TypeError) return;
          throw e;
        }
        const axes = axis === undefined ? shape.map((_, i) => i) : (Array.isArray(axis) ? axis : [axis]).map((i) => (i + shape.length) % shape.length);
        const expected = reduce(toNd(a), axes, keepdims, p.reference as (xs: number[]) => number);
        expectCloseNd(toNd(out), expected, tolerance(p, out.dtype), `${dtype} ${shape} axis ${JSON.stringify(axis)} keepdims ${keepdims}`);
      }),
    ),
    { numRuns: runs },
  );
}

function identityProperty(p: Extract<Property, { kind: 'identity' }>, dtype: mx.DType, shapeKind: MatrixShape): void {
  const arb = matrixShapeArb(shapeKind).chain((shape) =>
    // Entries are multiples of 1/1024 in [-1, 1]: no subnormals, whose reciprocals would overflow.
    fc.tuple(fc.constant(shape), fc.array(fc.integer({ min: -1024, max: 1024 }).map((k) => k / 1024), { minLength: 64, maxLength: 64 })),
  );
  const fn = p.fn as (...args: mx.Tensor[]) => mx.Tensor | mx.Tensor[];
  fc.assert(
    fc.property(arb, ([shape, raw]) =>
      withoutLeaks(() => {
        const tensors = p.inputs.map((kind, i) => {
          const x = inputOf(kind, shape, raw.slice(i * 7).concat(raw.slice(0, i * 7)));
          return fromValues(x.data, x.shape, dtype);
        });
        const result = fn(...tensors);
        const outputs = (Array.isArray(result) ? result : [result]).map(toNd);
        const worst = p.reference(tensors.map(toNd), outputs);
        const tol = tolerance(p, dtype);
        if (!(worst <= tol)) throw new Error(`${shapeKind} ${dtype} ${shape}: residual ${worst} exceeds ${tol}`);
      }),
    ),
    { numRuns: runs },
  );
}

/** No axis, one axis (possibly negative), or a list of distinct axes. */
function axesArb(ndim: number): fc.Arbitrary<number | number[] | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.integer({ min: -ndim, max: ndim - 1 }),
    fc.uniqueArray(fc.integer({ min: 0, max: ndim - 1 }), { minLength: 1, maxLength: ndim }),
  );
}

function commutativeLaw(p: Property): void {
  const dtype = p.dtypes[0];
  const fn = p.fn as (a: unknown, b: unknown) => mx.Tensor;
  const arb = broadcastPairArb.chain(({ a, b }) =>
    fc.tuple(fc.constant(a), fc.constant(b), valuesArb(sizeOf(a), p.domain, dtype), valuesArb(sizeOf(b), p.domain, dtype)),
  );
  fc.assert(
    fc.property(arb, ([sa, sb, va, vb]) =>
      withoutLeaks(() => {
        const a = fromValues(va, sa, dtype);
        const b = fromValues(vb, sb, dtype);
        expectCloseNd(toNd(fn(a, b)), toNd(fn(b, a)), 0, `${sa} with ${sb}`);
      }),
    ),
    { numRuns: runs },
  );
}
