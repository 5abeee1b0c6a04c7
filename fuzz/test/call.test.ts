// The parts of the fuzzer that need no child process: printing calls as JS, reproducing them from a seed,
// and shrinking them.
import { describe, expect, it } from 'vitest';
import { generateCall, printCall, type Call } from '../src/call.js';
import { print, receiver, type Recipe } from '../src/recipe.js';
import { minimise, shrinkRecipe } from '../src/shrink.js';
import { allTargets } from '../src/run.js';
import { arg, type Target } from '../src/targets.js';

const sum: Target = { id: 'mx.sum', positional: [arg('a', 'ArrayLike'), arg('axis', 'int|int[]', true), arg('keepdims', 'bool', true)], options: [], stream: true, method: true };
type TensorRecipe = Extract<Recipe, { kind: 'tensor' }>;
const tensor = (shape: number[], view: TensorRecipe['view'] = 'none'): TensorRecipe => ({ kind: 'tensor', dtype: 'float32', shape, values: [1, NaN, -0], view, disposed: false });

describe('printing', () => {
  it('writes small tensors element by element, with NaN, -0 and the view that gives the shape', () => {
    expect(print(tensor([3]))).toBe("mx.array([1, NaN, -0], 'float32')");
    expect(print(tensor([2, 3], 'transpose'))).toBe("mx.transpose(mx.array([1, NaN, -0, 1, NaN, -0], 'float32').reshape([3,2]))");
    expect(print(tensor([2], 'stride'))).toBe("mx.array([1, NaN, -0, 1], 'float32').at('::2')");
    expect(print(tensor([4, 2], 'broadcast'))).toBe("mx.broadcastTo(mx.array([1, NaN], 'float32').reshape([1,2]), [4,2])");
    expect(print(tensor([]))).toBe("mx.array(1, 'float32')");
    expect(print({ ...tensor([100, 100]), disposed: true })).toBe("disposed(mx.full([100,100], 1, 'float32'))");
    expect(print({ kind: 'value', value: 10n })).toBe('10n');
  });

  it('drops arguments left out at the end and keeps them as undefined before an options object', () => {
    const omitted: Recipe = { kind: 'value', value: undefined };
    const call: Call = { target: sum, positional: [tensor([3]), omitted, omitted], options: null, extra: [], asMethod: false };
    expect(printCall(call)).toBe("mx.sum(mx.array([1, NaN, -0], 'float32'))");
    expect(printCall({ ...call, options: [['stream', { kind: 'value', value: 'cpu' }]] })).toBe(
      'mx.sum(mx.array([1, NaN, -0], \'float32\'), undefined, undefined, { stream: "cpu" })',
    );
    expect(printCall({ ...call, asMethod: true })).toBe("mx.array([1, NaN, -0], 'float32').sum()");
  });

  it('parenthesises a method receiver that is not a name or a call chain', () => {
    expect(receiver("mx.array([1]).reshape([1, 1])")).toBe("mx.array([1]).reshape([1, 1])");
    expect(receiver('2 ** 31')).toBe('(2 ** 31)');
    expect(receiver('() => 1')).toBe('(() => 1)');
    expect(receiver('{}')).toBe('({})');
  });
});

describe('generation', () => {
  it('gives the same call for the same seed and index, whatever came before', () => {
    const target = allTargets().find((t) => t.id === 'mx.sum')!;
    expect(printCall(generateCall(target, 5, 123))).toBe(printCall(generateCall(target, 5, 123)));
    const printed = new Set(Array.from({ length: 20 }, (_, i) => printCall(generateCall(target, 5, i))));
    expect(printed.size).toBeGreaterThan(15);
  });

  it('reads every op of the schema and the hand-written exports, with a JS path and typed arguments', () => {
    const targets = allTargets();
    const ids = targets.map((t) => t.id);
    for (const id of ['mx.sum', 'mx.random.uniform', 'linalg.inv', 'fast.rmsNorm', 'quant.quantizePacked', 'mx.tidy', 'Tensor#toArray', 'quant.quantize']) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of targets) for (const a of [...t.positional, ...t.options]) expect(a.types.length, `${t.id} ${a.name}`).toBeGreaterThan(0);
  });
});

describe('shrinking', () => {
  it('finds the smallest call that still fails, keeping what the failure needs', async () => {
    // A stand-in failure: any call whose first tensor has an axis of length 0.
    const fails = async (c: Call) => c.positional[0].kind === 'tensor' && c.positional[0].shape.includes(0);
    const start: Call = { target: sum, positional: [{ ...tensor([5, 0, 3], 'transpose'), disposed: true }, { kind: 'value', value: 2 }, { kind: 'value', value: true }], options: null, extra: [], asMethod: false };
    const { call } = await minimise(start, fails, 200);
    expect(printCall(call)).toBe("mx.sum(mx.array([], 'float32'))");
  });

  it('proposes only smaller recipes', () => {
    expect(shrinkRecipe({ kind: 'value', value: 0 })).toEqual([]);
    expect(shrinkRecipe({ kind: 'value', value: 64 })).toEqual([{ kind: 'value', value: 32 }, { kind: 'value', value: 1 }]);
    expect(shrinkRecipe({ kind: 'list', items: [{ kind: 'value', value: 1 }] })).toEqual([{ kind: 'list', items: [] }]);
  });
});
