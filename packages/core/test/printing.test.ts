// toString / console.log against MLX Python's repr (recorded in fixtures/printing-mlx.json), and the JS
// protocols on Tensor: toPrimitive, iteration, T / mT and the typed item().
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as mx from '@mlxts/core';
import { withoutLeaks } from '@mlxts/testing';

interface PrintCase {
  shape: number[];
  dtype: mx.DType;
  values?: (number | boolean | string | [number, number])[];
  arange?: number;
  scale?: number;
  offset?: number;
  repr: string;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/printing-mlx.json', import.meta.url), 'utf8')) as { cases: PrintCase[] };

function element(v: number | boolean | string | [number, number], dtype: mx.DType): number | boolean | bigint | mx.Complex {
  if (typeof v === 'string') return /^\d+$/.test(v) ? BigInt(v) : Number(v.replace('inf', 'Infinity'));
  if (Array.isArray(v)) return { re: v[0], im: v[1] };
  return dtype === 'uint64' || dtype === 'int64' ? BigInt(v) : v;
}

function build(c: PrintCase): mx.Tensor {
  const flat = c.values
    ? c.values.map((v) => element(v, c.dtype))
    : Array.from({ length: c.arange ?? 0 }, (_, i) => {
        const v = (c.offset ?? 0) + (c.scale ?? 1) * i;
        return c.dtype === 'int64' ? BigInt(v) : v;
      });
  return mx.reshape(mx.array(flat as mx.NestedArray, c.dtype), c.shape);
}

describe('printing', () => {
  it("matches MLX Python's repr (booleans written true/false)", () =>
    withoutLeaks(() => {
      for (const c of fixture.cases) {
        const expected = c.repr.replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false');
        const t = build(c);
        expect(t.toString(), c.repr).toBe(expected);
        expect(String(t)).toBe(expected);
        expect(`${t}`).toBe(expected);
        expect(inspect(t)).toBe(expected);
      }
    }));

  it('reads back only the printed entries of a large tensor', () =>
    withoutLeaks(() => {
      const big = mx.broadcastTo(mx.arange(1000), [1000, 1000, 1000]); // 4 GB if it were read whole
      const row = '[0, 1, 2, ..., 997, 998, 999]';
      const block = `[${[row, row, row, '...', row, row, row].join(`,\n${' '.repeat(8)}`)}]`;
      expect(big.toString()).toBe(`array([${[block, block, block, '...', block, block, block].join(`,\n${' '.repeat(7)}`)}], dtype=int32)`);
    }));

  it('prints a disposed tensor without throwing', () => {
    const t = mx.array([1]);
    t.dispose();
    expect(String(t)).toBe('array(<disposed>)');
    expect(inspect(t)).toBe('array(<disposed>)');
  });
});

describe('Symbol.toPrimitive', () => {
  it('converts a 0-d tensor to its value', () =>
    withoutLeaks(() => {
      expect(+mx.array(2.5)).toBe(2.5);
      expect(Number(mx.array(7, 'int32')) + 1).toBe(8);
      expect(BigInt(mx.array(3, 'int64') as never)).toBe(3n);
      expect(mx.array(true).valueOf()).toBeInstanceOf(mx.Tensor);
      expect(mx.array(2, 'int32') > mx.array(1, 'int32')).toBe(true);
      expect(Math.max(mx.array(4) as never, 1)).toBe(4);
    }));

  it('throws a TypeError for other tensors instead of producing NaN', () =>
    withoutLeaks(() => {
      const v = mx.array([1, 2]);
      expect(() => +v).toThrow(TypeError);
      expect(() => +v).toThrow('cannot convert a tensor of shape [2] to a primitive value');
      expect(() => Number(mx.array([[5]]))).toThrow(TypeError);
      expect(() => +mx.array({ re: 1, im: 1 })).toThrow(/complex64/);
      const gone = mx.array(1);
      gone.dispose();
      expect(() => +gone).toThrow(/disposed/);
    }));
});

describe('iteration, T and mT', () => {
  it('iterates over the first axis, one new tensor per step', () =>
    withoutLeaks(() => {
      const x = mx.arange(6).reshape([3, 2]);
      expect([...x].map((row) => row.toArray())).toEqual([[0, 1], [2, 3], [4, 5]]);
      expect(Array.from(mx.zeros([0, 2]))).toEqual([]);
      const [a, b] = mx.array([1, 2, 3]);
      expect([a.item(), b.item()]).toEqual([1, 2]);
      expect(() => [...mx.array(1)]).toThrow(TypeError);
    }));

  it('leaves no tensor behind when the loop runs inside tidy', () => {
    const x = mx.ones([4, 3]);
    const before = mx.memory().liveTensors;
    const total = mx.tidy(() => {
      let sum = 0;
      for (const row of x) sum += row.sum().item() as number;
      return sum;
    });
    expect(total).toBe(12);
    expect(mx.memory().liveTensors).toBe(before);
    x.dispose();
  });

  it('T reverses the axes and mT swaps the last two', () =>
    withoutLeaks(() => {
      const x = mx.arange(24).reshape([2, 3, 4]);
      expect(x.T.shape).toEqual([4, 3, 2]);
      expect(x.T.toArray()).toEqual(mx.transpose(x).toArray());
      expect(x.mT.shape).toEqual([2, 4, 3]);
      expect(x.mT.at(1, 2).toArray()).toEqual(x.at(1, ':', 2).toArray());
      expect(mx.array(5).T.item()).toBe(5);
      expect(() => mx.array([1, 2]).mT).toThrow(mx.MlxError);
      expect(() => mx.array([1, 2]).mT).toThrow(/^mT: needs a tensor with at least 2 dimensions, got 1/);
    }));
});

describe('item() types', () => {
  it('narrows by dtype through isDType', () =>
    withoutLeaks(() => {
      const t: mx.Tensor = mx.array(5, 'int64');
      expectTypeOf(t.item()).toEqualTypeOf<mx.Scalar>();
      if (!mx.isDType(t, 'int64')) throw new Error('expected int64');
      expectTypeOf(t.item()).toEqualTypeOf<bigint>();
      expect(t.item()).toBe(5n);
      const f = mx.array(0.5);
      if (mx.isDType(f, 'float32')) expectTypeOf(f.item()).toEqualTypeOf<number>();
      const b = mx.array(true);
      if (mx.isDType(b, 'bool')) expectTypeOf(b.item()).toEqualTypeOf<boolean>();
      expect(mx.isDType(f, 'float16')).toBe(false);
      expect(() => mx.isDType(5 as never, 'int32')).toThrow(/^isDType: t must be a Tensor, got number/);
    }));
});
