// Bad input of every kind, in every argument position of every op: a JS error each time, never a crash.
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';

// removeOrphanedSharedMemory is left out: it would remove objects other test processes are working with.
// Classes (Slice) are constructed, not called; checkOptions reports errors under its caller's name; `var` is
// `variance` under MLX Python's name, tested (and naming itself in errors) as `variance`.
const ops = Object.entries(mx).filter(
  ([name, value]) =>
    typeof value === 'function' &&
    !Function.prototype.toString.call(value).startsWith('class') &&
    !['Tensor', 'MlxError', 'tidy', 'keep', 'eval', 'evalSync', 'memory', 'buildInfo', 'isTensor', 'removeOrphanedSharedMemory', 'checkOptions', 'var'].includes(name),
) as [string, (...args: unknown[]) => unknown][];

function disposed(): mx.Tensor {
  const t = mx.ones([2]);
  t.dispose();
  return t;
}

const badValues: [string, () => unknown][] = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['a string', () => 'x'],
  ['an object', () => ({ shape: [2] })],
  ['a symbol', () => Symbol('s')],
  ['a function', () => () => 1],
  ['NaN', () => NaN],
  ['a huge number', () => 1e300],
  ['a negative number', () => -7],
  ['a ragged array', () => [[1], [2, 3]]],
  ['a disposed tensor', disposed],
  ['a mismatched tensor', () => mx.ones([3, 5])],
];

describe('every function rejects bad arguments with a JS error of the rule', () => {
  it('covers the generated ops', () => expect(ops.length).toBeGreaterThan(30));

  for (const [name, fn] of ops) {
    it(name, () => {
      const good = mx.ones([2, 2]);
      for (let position = 0; position < 4; position++) {
        for (const [label, make] of badValues) {
          const args: unknown[] = [good, 0, 0, undefined].slice(0, position + 1);
          args[position] = make();
          try {
            const out = mx.tidy(() => {
              const r = fn(...args);
              // Lazy ops may only fail when evaluated: force it, still expecting a JS error at worst.
              if (mx.isTensor(r)) mx.evalSync(r);
              return null;
            });
            expect(out).toBeNull();
          } catch (error) {
            // The error rule: a TypeError, RangeError or MlxError, its message starting with the op name once.
            const context = `${name} with ${label} at position ${position}: ${String(error)}`;
            expect(error instanceof TypeError || error instanceof RangeError || error instanceof mx.MlxError, context).toBe(true);
            const message = (error as Error).message;
            expect(message.startsWith(`${name}: `) && !message.startsWith(`${name}: ${name}:`), context).toBe(true);
          }
        }
      }
      // Generated ops check their arity (runtime functions without parameters ignore extra arguments);
      // twelve arguments are more than any op takes (convTranspose2d takes eight).
      if (fn.length > 0) expect(() => fn(good, ...new Array(11).fill(0))).toThrow(TypeError);
      good.dispose();
    });
  }

  it('options must be an object', () => {
    expect(() => mx.add(1, 2, 'cpu' as never)).toThrow(/add: options must be an object/);
    expect(() => mx.add(1, 2, mx.ones([1]) as never)).toThrow('add: options must be an object, got a Tensor');
    expect(() => mx.add(1, 2, { stream: 'tpu' as never })).toThrow(/stream must be 'cpu', 'gpu' or a stream from mx.newStream/);
  });

  it('a misspelt option is a TypeError naming the op, the key and the options it takes', () => {
    const options = { reverse: true, inclusiv: false };
    expect(() => mx.cumsum(mx.array([1, 2]), 0, options as never)).toThrow(TypeError);
    expect(() => mx.cumsum(mx.array([1, 2]), 0, options as never)).toThrow("cumsum: unknown option 'inclusiv'; the options are reverse, inclusive, dtype, stream, device");
    expect(() => mx.random.uniform(0, 1, [2], 'float32', { keyy: mx.random.key(0) } as never)).toThrow("random.uniform: unknown option 'keyy'");
    // Keys the op takes, present but undefined, are fine.
    expect(mx.cumsum(mx.array([1, 2]), 0, { reverse: undefined, stream: undefined }).toArray()).toEqual([1, 3]);
  });
});

describe('an object with the Tensor prototype but no native tensor', () => {
  // Object.create(mx.Tensor.prototype): its getters threw the addon's plain "Invalid argument" Error
  // from inside at, with, checkpoint and finfo (found by the fuzzer).
  const fake = () => Object.create(mx.Tensor.prototype) as mx.Tensor;

  it('is no tensor: every entry point refuses it with a TypeError', () => {
    expect(mx.isTensor(fake())).toBe(false);
    expect(() => mx.add(fake(), 1)).toThrow(TypeError);
    expect(() => mx.array([1, 2]).at(fake() as never)).toThrow(TypeError);
    expect(() => mx.array([1, 2]).with([0], fake())).toThrow(TypeError);
    expect(() => mx.finfo(fake() as never)).toThrow('finfo: dtype must be a dtype name (a string), got');
    expect(mx.isTensor(mx.ones([1]))).toBe(true);
  });

  it("its own getters and methods are TypeErrors (the addon's were plain Errors)", () => {
    expect(() => fake().shape).toThrow(TypeError);
    expect(() => fake().toArray()).toThrow('this object has the Tensor prototype but holds no tensor');
    expect(() => fake().mT).toThrow(TypeError);
    expect(() => [...fake()]).toThrow(TypeError);
    expect(() => mx.treeUnflatten(fake() as never)).toThrow(TypeError);
    expect(() => fake().dispose()).toThrow(TypeError);
  });
});
