// The views are pure functions of the model: spot checks of the decisions they make.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSchema, camelCase } from '../src/validate.js';
import { jsLiteral } from '../src/views/common.js';
import { napiOpView } from '../src/views/napi.js';
import { nativeOpsView, tsOpView } from '../src/views/ts.js';
import { typeErrorCases } from '../src/views/tests.js';
import { docsOpView, docsSidebarView } from '../src/views/docs.js';
import { transformChecksView } from '../src/views/transform-checks.js';
import type { GradHints, Op } from '../src/model.js';

const { schema } = loadSchema(join(dirname(fileURLToPath(import.meta.url)), 'fixtures'), 'schema');
const op = (name: string) => schema!.ops.find((o) => o.id === name)!;

describe('helpers', () => {
  it('names', () => {
    expect(camelCase('take_along_axis')).toBe('takeAlongAxis');
  });

  it('jsLiteral keeps non-finite numbers', () => {
    expect(jsLiteral([1, -Infinity, NaN, { a: 'x' }])).toBe('[1, -Infinity, NaN, { "a": "x" }]');
  });
});

describe('napi view', () => {
  it('converts operands together and narrows union arguments per overload', () => {
    const v = napiOpView(op('sum'));
    expect(v.prelude[0]).toBe('auto operands = conv::array_likes({{info[0], "a"}});');
    expect(v.branches.map((b) => b.condition)).toEqual(['conv::is_absent(info[1])', 'conv::is_number(info[1])', 'conv::is_list(info[1])']);
    expect(v.branches[2].conversions).toEqual(['auto axis = conv::integers(info[1], "axis");']);
    expect(v.noMatch).toBe('axis must be number or number[] or undefined');
  });

  it('passes an argument that an earlier callee tested absent as its plain type in the fallback, and appends the stream', () => {
    const v = napiOpView(op('eye'));
    expect(v.branches.map((b) => b.call)).toEqual(['mlx::core::eye(n, n, k, dtype, stream)', 'mlx::core::eye(n, m, k, dtype, stream)']);
    expect(v.branches[1].conversions).toEqual(['auto m = conv::integer(info[1], "m");']);
  });

  it('writes a class parameter as a C++ value of its type', () => {
    expect(napiOpView(op('hanning')).branches[0].call).toBe('mlxts::support::window_function(mlxts::WindowKind::Hanning, M, stream)');
  });

  it("includes the family's helper header only where a callee is a hand-written helper", () => {
    expect(napiOpView(op('add')).includes).toEqual(['wrapper.h']);
    expect(napiOpView(op('hanning')).includes).toEqual(['wrapper.h', 'support/core.h']);
  });
});

describe('ts view', () => {
  it('puts keyword-only arguments in an options interface', () => {
    const v = tsOpView(op('eye'));
    expect(v.params).toBe('n: number, m?: number, k?: number, options?: EyeOptions');
    expect(v.nativeCall).toBe('native.ops.core_eye(n, m, k, options?.dtype, options?.stream ?? options?.device)');
  });

  it('calls a hand-written native function for ops with a binding', () => {
    expect(tsOpView(op('array')).nativeCall).toBe('native.array(data, dtype)');
  });

  it('names a namespaced function by its own name, and files and messages by the qualified one', () => {
    const v = tsOpView(op('random_uniform'));
    expect([v.name, v.label, v.path]).toEqual(['uniform', 'random.uniform', 'packages/core/src/generated/ops/random.uniform.ts']);
    expect(v.params).toBe('low?: ArrayLike, high?: ArrayLike, shape?: number | number[], dtype?: DType, options?: UniformOptions');
  });

  it('returns nothing, untracked, for a void op', () => {
    const v = tsOpView(op('random_seed'));
    expect([v.returnType, v.track, v.nativeCall]).toEqual(['void', undefined, 'native.ops.core_random_seed(seed)']);
  });
});

describe('ts view of rest arguments and overloads', () => {
  const stack = (kwonly: boolean): Op => ({
    ...op('add'),
    args: [
      { ...op('add').args[0], name: 'arrays', typeName: 'ArrayLike[]', types: [schema!.types.get('ArrayLike[]')!], rest: true },
      ...(kwonly ? [{ ...op('eye').args[3], name: 'axis' }] : []),
    ],
    method: false,
  });

  it('takes a rest argument, then optionally the options object, and does not check the arity', () => {
    const v = tsOpView(stack(true));
    expect(v.params).toBe('...arraysAndOptions: [...ArrayLike[], AddOptions] | ArrayLike[]');
    expect(v.displayParams).toBe('...arrays: ArrayLike[], options?: AddOptions');
    expect(v.rest).toEqual({ param: 'arraysAndOptions', name: 'arrays', typeArgs: 'ArrayLike, AddOptions' });
    expect(v.maxArgs).toBeUndefined();
    expect(v.runtimeImports).toContain('splitRest');
    expect(typeErrorCases(stack(true)).map((c) => c.label)).not.toContain('too many arguments');
  });

  it('declares the shorter overloads before the full signature', () => {
    const v = tsOpView({ ...op('eye'), overloads: [{ names: ['rows'], doc: 'A square matrix.' }] });
    expect(v.overloads).toEqual([{ docLines: [op('eye').summary, '', 'A square matrix.'], params: 'rows: number', returnType: 'Tensor' }]);
    expect(docsOpView({ ...op('eye'), overloads: [{ names: ['rows'], doc: 'A square matrix.' }] }).signature.split('\n')[0]).toBe('function eye(rows: number): Tensor');
  });
});

describe('napi view of operand defaults', () => {
  it('reads an absent operand with a default as that number', () => {
    expect(napiOpView(op('random_uniform')).prelude[0]).toBe(
      'auto operands = conv::array_likes({{conv::value_or_number(info[0], 0), "low"}, {conv::value_or_number(info[1], 1), "high"}});',
    );
  });
});

describe('docs view of a namespaced function', () => {
  it('imports the namespace object and shows the call as written', () => {
    const v = docsOpView(op('random_uniform'));
    expect([v.title, v.importName, v.path]).toEqual(['mx.random.uniform', 'random', 'docs/api/core/random.uniform.md']);
    expect(v.signature).toBe('random.uniform(low?: ArrayLike, high?: ArrayLike, shape?: number | number[], dtype?: DType, options?: UniformOptions): Tensor');
  });

  it('groups the namespace in the sidebar where its first op sorts', () => {
    const core = docsSidebarView(schema!).packages[0];
    expect(core.items.map((i) => i.text)).toEqual(['add', 'argmax', 'array', 'eye', 'hanning', 'random', 'searchsorted', 'sum']);
    expect(core.items[5].items!.map((i) => i.link)).toEqual(['/api/core/random.seed', '/api/core/random.uniform']);
  });
});

describe('test view of the error rule', () => {
  it('passes each argument a value of the wrong kind, and a disposed tensor where a tensor goes, with valid values elsewhere', () => {
    const cases = typeErrorCases(op('searchsorted'));
    expect(cases.map((c) => [c.label, c.code])).toEqual([
      ['sortedSequence = {}', 'mx.searchsorted({} as never, mx.ones([2, 2]))'],
      ['sortedSequence = a disposed tensor', 'mx.searchsorted(disposed(), mx.ones([2, 2]))'],
      ['values = {}', 'mx.searchsorted(mx.ones([2, 2]), {} as never)'],
      ['values = a disposed tensor', 'mx.searchsorted(mx.ones([2, 2]), disposed())'],
      ['side = {}', 'mx.searchsorted(mx.ones([2, 2]), mx.ones([2, 2]), {} as never)'],
      ["side = 'nope'", "mx.searchsorted(mx.ones([2, 2]), mx.ones([2, 2]), 'nope' as never)"],
      ['too many arguments', '(mx.searchsorted as (...args: unknown[]) => unknown)(mx.ones([2, 2]), mx.ones([2, 2]), undefined, undefined, 0)'],
      ['an unknown option', "mx.searchsorted(mx.ones([2, 2]), mx.ones([2, 2]), undefined, { nope: 1 } as never)"],
    ]);
  });
});

describe('transform checks view', () => {
  const withHints = (o: Op, hints: Partial<GradHints>): Op => ({ ...o, gradient: { checked: { wrt: [], args: {}, dtype: 'float64', skip: {}, ...hints } } });

  it('calls the op on its differentiated inputs only, with the hint\'s values for the other arguments', () => {
    expect(transformChecksView(op('sum'))).toEqual({
      fn: '(x0: mx.Tensor) => mx.sum(x0, -1)',
      inputs: '[{"shape":[2,3],"min":-2,"max":2}]',
      options: '{}',
      vmap: true,
      skip: '{}',
    });
  });

  it('maps a random input through its expression, passes a list argument its tensors, and keeps the options and skips', () => {
    const add = withHints(op('add'), {
      wrt: [{ name: 'b', shape: [3], min: 0.5, max: 2, map: 'mx.exp(x)' }],
      args: { a: 'mx.ones([3])' },
      step: 0.01,
      dtype: 'float32',
      skip: { jvp: 'no rule' },
    });
    const view = transformChecksView(add);
    expect(view).toMatchObject({ fn: '(x0: mx.Tensor) => mx.add(mx.ones([3]), mx.exp(x0))', options: '{"step":0.01,"dtype":"float32"}', skip: '{"jvp":"no rule"}' });
    const list = withHints({ ...op('add'), args: [{ ...op('add').args[0], name: 'arrays', typeName: 'ArrayLike[]' }] }, { wrt: [{ name: 'arrays', shape: [2], min: -2, max: 2, count: 3 }] });
    expect(transformChecksView(list)).toMatchObject({ fn: '(x0: mx.Tensor, x1: mx.Tensor, x2: mx.Tensor) => mx.add([x0, x1, x2])', inputs: JSON.stringify(Array(3).fill({ shape: [2], min: -2, max: 2 })) });
  });

  it('gives the reason of an op that is not gradient-checked', () => {
    expect(transformChecksView(op('argmax'))).toEqual({ reason: '"integer results (indices)"' });
  });
});

describe('native ops view', () => {
  it('types each generated wrapper with its arguments, the stream and its result; hand-bound ops are left out', () => {
    const v = nativeOpsView(schema!.ops);
    expect(v.ops.find((o) => o.key === 'core_sum')).toEqual({ key: 'core_sum', params: 'a: unknown, axis: unknown, keepdims: unknown, stream: unknown', returnType: 'Tensor' });
    expect(v.ops.find((o) => o.key === 'core_random_seed')?.returnType).toBe('void');
    expect(v.ops.some((o) => o.key === 'core_array')).toBe(false);
  });

  it('lets the generated function call the wrapper without a cast', () => {
    expect(tsOpView(op('sum')).nativeCall).toBe('native.ops.core_sum(a, axis, keepdims, options?.stream ?? options?.device)');
  });
});

describe('ts view of tuple results', () => {
  const pair = { type: 'Tensor[]', doc: '`[quotient, remainder]`.', tuple: ['quotient', 'remainder'], cases: [] } as const;

  it('types a fixed number of tensors as a labelled tuple, in the function, the native interface and the docs', () => {
    const divmod: Op = { ...op('add'), id: 'divmod', jsName: 'divmod', qualifiedName: 'divmod', returns: pair };
    expect(tsOpView(divmod).returnType).toBe('[quotient: Tensor, remainder: Tensor]');
    expect(tsOpView(divmod).track).toBe('trackAll');
    expect(nativeOpsView([divmod]).ops[0].returnType).toBe('[quotient: Tensor, remainder: Tensor]');
    expect(docsOpView(divmod).returns).toBe('`[quotient: Tensor, remainder: Tensor]`: `[quotient, remainder]`.');
  });

  // searchsorted's `side` ('left' by default, or 'right') stands in for an argument the count depends on.
  const cased = (kwonly: boolean): Op => {
    const base = op('searchsorted');
    return {
      ...base,
      args: base.args.map((a) => (a.name === 'side' ? { ...a, kwonly } : a)),
      returns: { type: 'Tensor[]', doc: 'd', tuple: ['a', 'b'], cases: [{ arg: 'side', values: ['right'], tuple: ['b'] }] },
    };
  };

  it('declares one overload per tuple, the argument narrowed to the values that return it, then the union', () => {
    const v = tsOpView(cased(false));
    expect(v.overloads.map((o) => [o.params, o.returnType, o.docLines[2]])).toEqual([
      ["sortedSequence: ArrayLike, values: ArrayLike, side?: 'left', options?: StreamOptions", '[a: Tensor, b: Tensor]', "Returns `[a, b]` when `side` is `'left'` (the default)."],
      ["sortedSequence: ArrayLike, values: ArrayLike, side: 'right', options?: StreamOptions", '[b: Tensor]', "Returns `[b]` when `side` is `'right'`."],
    ]);
    expect(v.params).toBe("sortedSequence: ArrayLike, values: ArrayLike, side?: 'left' | 'right', options?: StreamOptions");
    expect(v.returnType).toBe('[a: Tensor, b: Tensor] | [b: Tensor]');
    expect(docsOpView(cased(false)).signature.split('\n')).toHaveLength(3);
  });

  it('narrows a keyword-only argument inside the options type', () => {
    expect(tsOpView(cased(true)).overloads.map((o) => o.params)).toEqual([
      "sortedSequence: ArrayLike, values: ArrayLike, options?: SearchsortedOptions & { side?: 'left' }",
      "sortedSequence: ArrayLike, values: ArrayLike, options: SearchsortedOptions & { side: 'right' }",
    ]);
  });
});
