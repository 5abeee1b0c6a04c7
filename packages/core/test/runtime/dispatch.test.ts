// Operand objects of other packages (such as a QuantizedTensor) can handle the ops marked js.dispatch.
import * as mx from '@mlxts/core';
import { describe, expect, it } from 'vitest';

describe('operand dispatch', () => {
  it('matmul hands the call to an operand that implements the hook, with its position', () => {
    const calls: [string, number, number][] = [];
    const handler: mx.OperandHandler = {
      [mx.operandHook](op: string, position: number, args: ArrayLike<unknown>) {
        calls.push([op, position, args.length]);
        return mx.ones([1]);
      },
    };
    const x = mx.ones([2, 2]);
    const out = mx.matmul(x, handler);
    expect(out.toArray()).toEqual([1]);
    expect(x.matmul(handler).toArray()).toEqual([1]);
    expect(calls).toEqual([['matmul', 1, 2], ['matmul', 1, 3]]);
    expect(() => mx.add(x, handler as never)).toThrow(TypeError);
    for (const t of [x, out]) t.dispose();
  });
});
