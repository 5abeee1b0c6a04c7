// t.at(...) and t.with(..., value) against NumPy's indexing rules: a recorded NumPy fixture (which also
// checks the TS reference), then property tests against the TS reference over random shapes (0-d,
// empty, size-1 axes) and random index mixes in every form the API takes.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { checkProperty, expectCloseNd, fromValues, sizeOf, strides, toNd, unravel, withoutLeaks, type Nd } from '@mlxts/testing';
import { refIndex, refWrite, select, type RefEntry } from './support/numpy-indexing.js';

// ---------------------------------------------------------------------------------------------------
// How a test presents an index entry to mlxts: the same entry in each of its accepted forms.

type Form = 'number' | 'string' | 'bigint' | 'Slice' | 'js' | 'int32' | 'int64' | 'uint32' | 'tensor';
interface Spec {
  entry: RefEntry;
  form: Form;
}

function nest(data: readonly (number | boolean)[], shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  const step = sizeOf(shape.slice(1));
  return Array.from({ length: shape[0] }, (_, i) => nest(data.slice(i * step, (i + 1) * step), shape.slice(1)));
}

/** Whether nested JS arrays can have this shape: not 0-d, and no axis after a zero-length one. */
const expressible = (shape: readonly number[]) => shape.length > 0 && !shape.slice(0, -1).includes(0);

function toIndex({ entry: e, form }: Spec): mx.Index {
  switch (e.kind) {
    case 'ellipsis':
      return '...';
    case 'newaxis':
      return null;
    case 'int':
      return form === 'string' ? String(e.value) : form === 'bigint' ? BigInt(e.value) : e.value;
    case 'slice':
      return form === 'Slice' ? new mx.Slice(e.start, e.stop, e.step) : `${e.start ?? ''}:${e.stop ?? ''}${e.step === null ? '' : `:${e.step}`}`;
    case 'ints':
      if (form === 'js' && expressible(e.shape)) return nest(e.values, e.shape) as mx.IndexArray;
      return mx.reshape(mx.array(e.values, form === 'js' ? 'int32' : (form as mx.DType)), e.shape);
    case 'mask':
      // An empty JS array is an integer index (as in NumPy), so an empty mask is always a tensor.
      if (form === 'js' && e.shape.length > 0 && e.values.length > 0) return nest(e.values, e.shape) as mx.IndexArray;
      return mx.reshape(mx.array(e.values, 'bool'), e.shape);
  }
}

/** The mlxts arguments for specs; with `join`, neighbouring string entries become one 'a, b' string. */
function toIndices(specs: readonly Spec[], join = false): mx.Index[] {
  const out: mx.Index[] = [];
  for (const index of specs.map(toIndex)) {
    const last = out[out.length - 1];
    if (join && typeof index === 'string' && typeof last === 'string') out[out.length - 1] = `${last}, ${index}`;
    else out.push(index);
  }
  return out;
}

const describeSpecs = (specs: readonly Spec[]) => specs.map((s) => `${JSON.stringify(s.entry)}/${s.form}`).join(' ');

/** arange(size) in `shape` (bool: every third true), optionally as a non-contiguous view: stored with
 *  its axes reversed, then transposed back. */
function source(shape: readonly number[], dtype: mx.DType, strided: boolean): mx.Tensor {
  const value = (flat: number) => (dtype === 'bool' ? Number(flat % 3 === 0) : flat);
  if (!strided || shape.length < 2) return fromValues(Array.from({ length: sizeOf(shape) }, (_, i) => value(i)), shape, dtype);
  const reversed = [...shape].reverse();
  const st = strides(shape);
  const data = Array.from({ length: sizeOf(shape) }, (_, f) => value(unravel(f, reversed).reduce((acc, i, k) => acc + i * st[shape.length - 1 - k], 0)));
  return mx.transpose(fromValues(data, reversed, dtype));
}

// ---------------------------------------------------------------------------------------------------
// The recorded NumPy results

interface FixtureEntry {
  int?: number;
  slice?: [number | null, number | null, number | null];
  ellipsis?: true;
  newaxis?: true;
  ints?: unknown;
  mask?: unknown;
}
interface Fixture {
  reads: { shape: number[]; index: FixtureEntry[]; result: Nd }[];
  writes: { shape: number[]; index: FixtureEntry[]; value: Nd; result: number[] }[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/indexing-numpy.json', import.meta.url), 'utf8')) as Fixture;

function shapeOf(nested: unknown): number[] {
  const shape: number[] = [];
  for (let level = nested; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  return shape;
}

function fromFixture(e: FixtureEntry): RefEntry {
  if (e.int !== undefined) return { kind: 'int', value: e.int };
  if (e.slice) return { kind: 'slice', start: e.slice[0], stop: e.slice[1], step: e.slice[2] };
  if (e.ellipsis) return { kind: 'ellipsis' };
  if (e.newaxis) return { kind: 'newaxis' };
  const nested = e.ints ?? e.mask;
  const values = [nested].flat(Infinity) as (number & boolean)[];
  return e.ints !== undefined ? { kind: 'ints', shape: shapeOf(nested), values } : { kind: 'mask', shape: shapeOf(nested), values };
}

const arange = (shape: readonly number[]): Nd => ({ shape, data: Array.from({ length: sizeOf(shape) }, (_, i) => i) });

describe('indexing: NumPy fixture', () => {
  const forms: Form[][] = [
    ['number', 'string', 'bigint'],
    ['Slice', 'string'],
    ['js', 'int32', 'int64'],
    ['js', 'tensor'],
  ];
  const formOf = (e: RefEntry, variant: number): Form => {
    const options = e.kind === 'int' ? forms[0] : e.kind === 'slice' ? forms[1] : e.kind === 'ints' ? forms[2] : forms[3];
    return options[variant % options.length];
  };

  it('the TS reference reproduces every recorded NumPy read and write', () => {
    for (const c of fixture.reads) expect(refIndex(arange(c.shape), c.index.map(fromFixture)), JSON.stringify(c.index)).toEqual(c.result);
    for (const c of fixture.writes) {
      expect(refWrite(arange(c.shape), c.index.map(fromFixture), c.value).map((v) => v[0]), JSON.stringify(c.index)).toEqual(c.result);
    }
  });

  it('at() matches every recorded NumPy read, in each index form', () =>
    withoutLeaks(() => {
      for (const c of fixture.reads) {
        for (let variant = 0; variant < 3; variant++) {
          const specs = c.index.map((e) => ({ entry: fromFixture(e), form: formOf(fromFixture(e), variant) }));
          const out = source(c.shape, 'float32', variant === 1).at(...toIndices(specs, variant === 2));
          expectCloseNd(toNd(out), c.result, 0, `${c.shape} ${describeSpecs(specs)}`);
        }
      }
    }));

  it('with() matches every recorded NumPy write, in each index form', () =>
    withoutLeaks(() => {
      for (const c of fixture.writes) {
        for (let variant = 0; variant < 3; variant++) {
          const specs = c.index.map((e) => ({ entry: fromFixture(e), form: formOf(fromFixture(e), variant) }));
          const value = fromValues(c.value.data, c.value.shape, 'float32');
          const out = source(c.shape, 'float32', variant === 1).with(...toIndices(specs, variant === 2), value);
          expectCloseNd(toNd(out), { shape: c.shape, data: c.result }, 0, `${c.shape} ${describeSpecs(specs)}`);
        }
      }
    }));
});

// ---------------------------------------------------------------------------------------------------
// Random index mixes

/** Raw random material; `buildSpecs` turns it into a valid index for a given shape. */
const rawEntryArb = fc.record({
  kind: fc.nat(99),
  a: fc.nat(1000),
  b: fc.nat(1000),
  c: fc.nat(1000),
  useStart: fc.boolean(),
  useStop: fc.boolean(),
  useStep: fc.boolean(),
  form: fc.nat(5),
  bools: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
});
type RawEntry = typeof rawEntryArb extends fc.Arbitrary<infer T> ? T : never;

const dims = fc.oneof(fc.constant(1), fc.constant(0), fc.integer({ min: 2, max: 4 }));
const caseArb = fc.record({
  shape: fc.array(dims, { maxLength: 4 }),
  raws: fc.array(rawEntryArb, { maxLength: 5 }),
  ellipsisAt: fc.option(fc.nat(5)),
  /** The broadcast shape the integer arrays of one index share (each a variant of it). */
  advancedShape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
  strided: fc.boolean(),
  join: fc.boolean(),
});

/**
 * A valid index for `shape` built from raw material, and the shape it indexes: the entries index the
 * leading axes of `shape` in order; an ellipsis is given the axes they leave over, moved to its place.
 */
function buildSpecs(shape: readonly number[], raws: readonly RawEntry[], ellipsisAt: number | null, advancedShape: readonly number[]): { specs: Spec[]; shape: number[] } {
  const specs: Spec[] = [];
  const axisBefore: number[] = [];
  let axis = 0;
  let mask = false;
  let arrays = false;
  for (const r of raws) {
    let kind = r.kind < 10 ? 'newaxis' : r.kind < 35 ? 'int' : r.kind < 65 ? 'slice' : r.kind < 85 ? 'ints' : 'mask';
    if (kind === 'newaxis') {
      axisBefore.push(axis);
      specs.push({ entry: { kind: 'newaxis' }, form: 'js' });
      continue;
    }
    if (axis >= shape.length) continue;
    axisBefore.push(axis);
    const n = shape[axis];
    // Index arrays must broadcast together, so a mask (its length is data) goes with no other array.
    if (kind === 'mask' && (mask || arrays)) kind = 'slice';
    if (kind === 'ints' && mask) kind = 'int';
    if ((kind === 'int' || kind === 'ints') && n === 0) kind = 'slice';
    if (kind === 'int') {
      specs.push({ entry: { kind: 'int', value: (r.a % (2 * n)) - n }, form: (['number', 'string', 'bigint'] as const)[r.form % 3] });
      axis++;
    } else if (kind === 'slice') {
      const bound = (use: boolean, v: number) => (use ? (v % (2 * n + 5)) - n - 2 : null);
      const step = r.useStep ? [-3, -2, -1, 1, 2, 3][r.c % 6] : null;
      specs.push({ entry: { kind: 'slice', start: bound(r.useStart, r.a), stop: bound(r.useStop, r.b), step }, form: r.form % 2 ? 'Slice' : 'string' });
      axis++;
    } else if (kind === 'ints') {
      const drop = r.a % (advancedShape.length + 1);
      const ishape = advancedShape.slice(drop).map((d, k) => ((r.b >> k) & 1 ? 1 : d));
      const values = Array.from({ length: sizeOf(ishape) }, (_, k) => ((r.c * 7919 + k * 104729) % (2 * n)) - n);
      const form = (['js', 'int32', 'int64', 'uint32', 'js', 'int32'] as const)[r.form];
      specs.push({ entry: { kind: 'ints', shape: ishape, values }, form: form === 'uint32' && values.some((v) => v < 0) ? 'int32' : form });
      arrays = true;
      axis++;
    } else {
      const k = r.b % 8 === 0 ? 0 : 1 + (r.a % Math.min(2, shape.length - axis));
      const mshape = shape.slice(axis, axis + k);
      const values = Array.from({ length: sizeOf(mshape) }, (_, i) => r.bools[i % 16]);
      specs.push({ entry: { kind: 'mask', shape: mshape, values }, form: r.form % 2 ? 'js' : 'tensor' });
      mask = true;
      axis += k;
    }
  }
  if (ellipsisAt === null) return { specs, shape: [...shape] };
  const at = Math.min(ellipsisAt, specs.length);
  specs.splice(at, 0, { entry: { kind: 'ellipsis' }, form: 'string' });
  const split = at < axisBefore.length ? axisBefore[at] : axis;
  return { specs, shape: [...shape.slice(0, split), ...shape.slice(axis), ...shape.slice(split, axis)] };
}

describe('indexing: random index mixes against the NumPy-rules reference', () => {
  const readArb = fc.tuple(caseArb, fc.constantFrom<mx.DType>('float32', 'int32', 'int64', 'bool', 'float16', 'uint8'));
  it('at() selects what NumPy selects, in NumPy\'s result layout', () =>
    checkProperty(readArb, ([c, dtype]) => {
      const { specs, shape } = buildSpecs(c.shape, c.raws, c.ellipsisAt, c.advancedShape);
      const x = source(shape, dtype, c.strided);
      const out = x.at(...toIndices(specs, c.join));
      expect(out.dtype).toBe(dtype);
      expectCloseNd(toNd(out), refIndex(toNd(x), specs.map((s) => s.entry)), 0, `${dtype} ${shape} ${describeSpecs(specs)}`);
    }));

  const valueArb = fc.record({ drop: fc.nat(3), ones: fc.nat(15), lead: fc.boolean(), tensor: fc.boolean() });
  const writeArb = fc.tuple(caseArb, valueArb, fc.constantFrom<mx.DType>('float32', 'int32', 'int64', 'float16'));
  it('with() writes the broadcast value where NumPy writes it and keeps the rest', () =>
    checkProperty(writeArb, ([c, v, dtype]) => {
      const { specs, shape } = buildSpecs(c.shape, c.raws, c.ellipsisAt, c.advancedShape);
      const entries = specs.map((s) => s.entry);
      const target = select(shape, entries).shape;
      const vShape = [...(v.lead ? [1] : []), ...target.slice(Math.min(v.drop, target.length)).map((d, k) => ((v.ones >> k) & 1 ? 1 : d))];
      const vData = Array.from({ length: sizeOf(vShape) }, (_, k) => -1 - k);
      const x = source(shape, dtype, c.strided);
      const value = v.tensor || !expressible(vShape) ? fromValues(vData, vShape, 'float32') : (nest(vData, vShape) as mx.NestedArray);
      const out = x.with(...toIndices(specs, c.join), value);
      expect(out.dtype).toBe(dtype);
      expect(out.shape).toEqual(shape);
      const allowed = refWrite(toNd(x), entries, { shape: vShape, data: vData });
      toNd(out).data.forEach((got, i) => {
        if (!allowed[i].includes(got)) throw new Error(`${dtype} ${shape} ${describeSpecs(specs)} value ${vShape}: element ${i} is ${got}, expected one of ${allowed[i]}`);
      });
      expect(toNd(x).data, 'the source is unchanged').toEqual(toNd(source(shape, dtype, c.strided)).data);
    }));

  // A mask over the leading axes alone stays lazy (maskedScatter); its value may be one per true entry.
  const maskArb = fc
    .tuple(fc.array(dims, { minLength: 1, maxLength: 3 }), fc.nat(2), fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), fc.constantFrom('scalar', 'sub', 'each'), fc.boolean())
    .map(([shape, k, bools, valueKind, trailing]) => ({ shape, k: 1 + (k % shape.length), bools, valueKind, trailing }));
  it('with(mask, value) writes a scalar, a sub-tensor or one value per true entry', () =>
    checkProperty(maskArb, ({ shape, k, bools, valueKind, trailing }) => {
      const mshape = shape.slice(0, k);
      const maskValues = Array.from({ length: sizeOf(mshape) }, (_, i) => bools[i]);
      const count = maskValues.filter(Boolean).length;
      const sub = shape.slice(k);
      const vShape = valueKind === 'scalar' ? [] : valueKind === 'sub' ? sub : [count, ...sub];
      const vData = Array.from({ length: sizeOf(vShape) }, (_, i) => -1 - i);
      const entries: RefEntry[] = [{ kind: 'mask', shape: mshape, values: maskValues }];
      const x = source(shape, 'float32', false);
      const out = x.with(mx.reshape(mx.array(maskValues, 'bool'), mshape), ...(trailing ? ['...'] : []), fromValues(vData, vShape, 'float32'));
      const allowed = refWrite(toNd(x), entries, { shape: vShape, data: vData });
      expect(toNd(out).data).toEqual(allowed.map((a) => a[0]));
    }));
});

// ---------------------------------------------------------------------------------------------------
// Documented behaviour and errors

describe('indexing: behaviour', () => {
  it('runs the examples of the docs', () =>
    withoutLeaks(() => {
      const x = mx.arange(12).reshape([3, 4]);
      expect(x.at(1).toArray()).toEqual([4, 5, 6, 7]);
      expect(x.at(':', '::2').toArray()).toEqual([[0, 2], [4, 6], [8, 10]]);
      expect(x.at('...', -1).toArray()).toEqual([3, 7, 11]);
      expect(x.at([2, 0], null).shape).toEqual([2, 1, 4]);
      expect(x.at(x.greater(8)).toArray()).toEqual([9, 10, 11]);
      expect(x.at('1:, ::-1').toArray()).toEqual([[7, 6, 5, 4], [11, 10, 9, 8]]);
      expect(x.at(new mx.Slice(null, 2), new mx.Slice(1, null, 2)).toArray()).toEqual([[1, 3], [5, 7]]);
      expect(x.at(mx.array([[0, 1], [2, 2]], 'int32'), 0).toArray()).toEqual([[0, 4], [8, 8]]);
      const z = mx.zeros([2, 3]);
      expect(z.with(0, '1:', 7).toArray()).toEqual([[0, 7, 7], [0, 0, 0]]);
      expect(z.with('...', [0, 2], [1, 2]).toArray()).toEqual([[1, 0, 2], [1, 0, 2]]);
      expect(z.with(mx.array([true, false]), 5).toArray()).toEqual([[5, 5, 5], [0, 0, 0]]);
      expect(z.with(z.equal(0), mx.arange(6)).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
      expect(mx.array([0, 1, 2, 3], 'int32').with(1, 2.7).toArray()).toEqual([0, 2, 2, 3]);
      const y = mx.arange(24).reshape([2, 3, 4]);
      expect(y.at(':', [2, 0], [1, 3]).shape).toEqual([2, 2]);
      expect(y.at([1, 0], ':', [3, 2]).shape).toEqual([2, 3]);
      expect(y.at(0, ':', [3, 2]).shape).toEqual([2, 3]);
      expect(y.at([[0], [1]], 0, [1, 2]).shape).toEqual([2, 2]);
      const m = mx.arange(6).reshape([2, 3]);
      expect(m.at(m.greater(2)).toArray()).toEqual([3, 4, 5]);
      expect(m.with(m.greater(2), 0).toArray()).toEqual([[0, 1, 2], [0, 0, 0]]);
      expect(m.with(mx.array([[true, false, true], [false, false, true]]), mx.array([7, 8, 9])).toArray()).toEqual([[7, 1, 8], [3, 4, 9]]);
    }));

  it('reads the value of an integer tensor index lazily and clamps it like take', () =>
    withoutLeaks(() => {
      expect(mx.arange(4).at(mx.array([9, -9], 'int32')).toArray()).toEqual([3, 0]);
    }));

  it('creates only its result: intermediates are freed, inside or outside tidy', () => {
    const x = mx.arange(24).reshape([2, 3, 4]);
    const mask = mx.array([true, false, true]);
    const rows = mx.array([true, false]);
    const before = mx.memory().liveTensors;
    const results = [x.at(0, '1:'), x.at('...', [0, 3], null), x.at(':', mask), x.with(':', mask, 1), x.with(rows, 0), x.with([1, 0], ':', [2, 3], -1)];
    expect(mx.memory().liveTensors).toBe(before + results.length);
    for (const r of results) r.dispose();
    withoutLeaks(() => x.at([1], '...', 1).with(0, 5));
    for (const t of [x, mask, rows]) t.dispose();
  });

  it('leaves the indexed tensor unchanged and accepts a value of another dtype', () =>
    withoutLeaks(() => {
      const x = mx.array([1, 2, 3], 'int32');
      const y = x.with([0, 2], mx.array([9.9, -1.5], 'float64'));
      expect(y.dtype).toBe('int32');
      expect(y.toArray()).toEqual([9, 2, -1]);
      expect(x.toArray()).toEqual([1, 2, 3]);
    }));

  it('reports bad indices with the error class of the error rule', () =>
    withoutLeaks(() => {
      const x = mx.zeros([2, 3]);
      const cases: [() => unknown, new (...args: never[]) => Error, RegExp][] = [
        [() => x.at(2), mx.MlxError, /^at: index 2 is out of bounds for axis 0 with size 2/],
        [() => x.at(':', -4), mx.MlxError, /^at: index -4 is out of bounds for axis 1 with size 3/],
        [() => x.at([0, 5]), mx.MlxError, /^at: index 5 is out of bounds/],
        [() => x.with(0, 7, 1), mx.MlxError, /^with: index 7 is out of bounds/],
        [() => x.at(mx.array([1.5])), mx.MlxError, /^at: an index tensor must have an integer or bool dtype, got float32/],
        [() => x.at(mx.array([true, false, true])), mx.MlxError, /^at: a mask of shape \[3\] does not match the shape \[2\]/],
        [() => x.at([[0, 1]], [0, 1, 1]), mx.MlxError, /^at: index arrays of shapes \[1, 2\] and \[3\] cannot be broadcast/],
        [() => x.with(0, mx.ones([2])), mx.MlxError, /^with: cannot broadcast a value of shape \[2\] to the indexed shape \[3\]/],
        [() => x.with(mx.array([true, true]), mx.ones([2, 2])), mx.MlxError, /^with: cannot broadcast a value of shape \[2, 2\]/],
        [() => mx.zeros([0]).at(mx.array([0], 'int32')), mx.MlxError, /^at: cannot index an axis of size 0/],
        [() => x.at(0, 0, 0), TypeError, /^at: too many indices \(3\) for a tensor with 2 dimensions/],
        [() => mx.array(1).at(0), TypeError, /^at: too many indices \(1\) for a tensor with 0 dimensions/],
        [() => x.at('...', 0, '...'), TypeError, /^at: an index can have only one '...'/],
        [() => x.at(0.5), TypeError, /^at: argument 1 must be an integer, got number 0.5/],
        [() => x.at(true as never), TypeError, /^at: argument 1 is boolean true; an index entry is/],
        [() => x.at({} as never), TypeError, /^at: argument 1 is an object/],
        [() => x.at(undefined as never), TypeError, /^at: argument 1 is undefined/],
        [() => x.at('1:x'), TypeError, /^at: cannot read the index '1:x'/],
        [() => x.at('None'), TypeError, /use null for a new axis/],
        [() => x.at([[0], [1, 2]]), TypeError, /^at: argument 1 is a ragged nested array/],
        [() => x.at([0, true]), TypeError, /^at: argument 1 must hold only integers or only booleans, got boolean true/],
        [() => x.at([0.5]), TypeError, /^at: argument 1 must be an integer/],
        [() => (x.with as (...args: unknown[]) => unknown)(), TypeError, /^with: expected the indices and then the value/],
        [() => x.with(0, 'abc' as never), TypeError, /^with: /],
        [() => new mx.Slice(0.5), TypeError, /^Slice: start must be an integer or null, got number 0.5/],
        [() => new mx.Slice(0, 2, 0), RangeError, /^Slice: step cannot be zero/],
        [() => x.at('::0'), RangeError, /^at: slice step cannot be zero in '::0'/],
      ];
      for (const [run, errorClass, message] of cases) {
        expect(run, String(message)).toThrow(errorClass);
        expect(run).toThrow(message);
      }
    }));

  it('rejects disposed tensors with a TypeError', () =>
    withoutLeaks(() => {
      const x = mx.zeros([3]);
      const gone = mx.array([0], 'int32');
      gone.dispose();
      expect(() => x.at(gone)).toThrow(/^at: argument 1 is a disposed tensor/);
      expect(() => x.with(0, gone)).toThrow(/^with: the value is a disposed tensor/);
      const y = mx.zeros([3]);
      y.dispose();
      expect(() => y.at(0)).toThrow(TypeError);
    }));
});
