// The MLX Python stub scanner and the signature-fidelity comparison (fixture schema, hand-written stubs).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { headerListText } from '../src/headers.js';
import { formatProblem } from '../src/load.js';
import { pythonFidelityView } from '../src/views/docs.js';
import { fidelityProblems, signatureDifferences } from '../src/fidelity.js';
import { formatParams, parseParams, pythonListText, scanStub, type PyParam } from '../src/python-stubs.js';
import type { Schema } from '../src/model.js';
import { loadSchema } from '../src/validate.js';

const fixture = loadSchema(join(dirname(fileURLToPath(import.meta.url)), 'fixtures'), 'schema').schema!;
// The fixture ops name no MLX function; here each binds the MLX function of its own name.
const schema: Schema = { ...fixture, ops: fixture.ops.map((op) => ({ ...op, mlx: [op.id] })) };

describe('scanStub', () => {
  const stub = `
from typing import Sequence
def sum(a: array, /, axis: None | int | Sequence[int] = None, keepdims: bool = False, *, stream: StreamOrDevice = None) -> array:
    """Sum. def not_a_function(x): inside a docstring, not at column 0."""

def einsum(subscripts: str, *operands, stream: StreamOrDevice = None) -> array: ...
def pad(a: array, pad_width: int | tuple[int, int] | list[tuple[int, int]], mode: Literal['constant', 'edge'] = 'constant',
        constant_values: array | scalar = 0, *, stream: StreamOrDevice = None) -> array: ...
def arange(start: int | float, stop: int | float, step: None | int | float, dtype: Dtype | None = None, *, stream: StreamOrDevice = None) -> array: ...
def arange(stop: int | float, step: None | int | float = None, dtype: Dtype | None = None, *, stream: StreamOrDevice = None) -> array: ...
def _private(x): ...
def kwargs_only(**kwargs) -> None: ...
`;
  const functions = scanStub(stub);

  it('reads every public def at column 0, overloads in order, and drops annotations', () => {
    expect([...functions.keys()]).toEqual(['sum', 'einsum', 'pad', 'arange', 'kwargs_only']);
    expect(functions.get('sum')).toEqual([
      [
        { name: 'a', kind: 'positional' },
        { name: 'axis', kind: 'positional', default: 'None' },
        { name: 'keepdims', kind: 'positional', default: 'False' },
        { name: 'stream', kind: 'keyword', default: 'None' },
      ],
    ]);
    expect(functions.get('arange')!.map(formatParams)).toEqual(['start, stop, step, dtype=None, *, stream=None', 'stop, step=None, dtype=None, *, stream=None']);
    expect(functions.get('kwargs_only')).toEqual([[]]);
  });

  it('keeps rest parameters, brackets and multi-line parameter lists apart', () => {
    expect(formatParams(functions.get('einsum')![0])).toBe('subscripts, *operands, stream=None');
    expect(formatParams(functions.get('pad')![0])).toBe("a, pad_width, mode='constant', constant_values=0, *, stream=None");
  });

  it('reads back what it writes', () => {
    for (const overloads of functions.values()) for (const params of overloads) expect(parseParams(formatParams(params))).toEqual(params);
  });

  it('lists the modules with their prefixes, functions sorted', () => {
    const text = pythonListText('0.32.4', new Map([['', new Map([['b', [[]]], ['a', [[{ name: 'x', kind: 'positional' } as PyParam]]]])], ['fft.', new Map([['rfft', [[]]]])]]));
    expect(text.split('\n').slice(3)).toEqual(['version: 0.32.4', 'functions:', '  a:', '    - "x"', '  b:', '    - ""', '  fft.rfft:', '    - ""', '']);
  });
});

describe('signatureDifferences', () => {
  const differencesFor = (stub: string) => signatureDifferences(schema.ops, scanStub(stub)).map((d) => `${d.op.id}: ${d.what.join('; ')}`);

  it('accepts a signature like MLX Python\'s, the stream taken as an option', () => {
    expect(differencesFor('def sum(a, /, axis = None, keepdims = False, *, stream = None): ...')).toEqual([]);
    expect(differencesFor('def sum(a, axis = None, keepdims = False, stream = None): ...')).toEqual([]);
  });

  it('reports positional arguments MLX Python has and mlxts does not, or takes as options', () => {
    expect(differencesFor('def sum(a, axis = None, keepdims = False, ddof = 0): ...')).toEqual([
      'sum: positional arguments (a, axis, keepdims), MLX Python\'s (a, axis, keepdims, ddof)',
    ]);
    expect(differencesFor('def sum(a, keepdims = False, axis = None): ...')).toEqual([
      'sum: positional arguments (a, axis, keepdims), MLX Python\'s (a, keepdims, axis)',
    ]);
  });

  it('reports an option that MLX Python takes by position', () => {
    const withOption: Schema = { ...schema, ops: schema.ops.map((op) => (op.id === 'sum' ? { ...op, args: op.args.map((a) => (a.name === 'keepdims' ? { ...a, kwonly: true } : a)) } : op)) };
    const found = signatureDifferences(withOption.ops, scanStub('def sum(a, axis = None, keepdims = False): ...')).map((d) => d.what);
    expect(found).toEqual([["positional arguments (a, axis), MLX Python's (a, axis, keepdims)", 'keepdims is an option here, positional in MLX Python']]);
  });

  it('reports different defaults, and a required argument MLX Python defaults', () => {
    expect(differencesFor('def sum(a, axis = None, keepdims = True): ...')).toEqual(['sum: keepdims defaults to false, MLX Python\'s to True']);
    expect(differencesFor('def add(a, b = 1): ...')).toEqual(['add: b is required, MLX Python defaults it to 1']);
  });

  it('reports keyword-only parameters mlxts lacks, rest parameters and names', () => {
    expect(differencesFor('def sum(a, axis = None, keepdims = False, *, dtype = None): ...')).toEqual(['sum: no option dtype (keyword-only in MLX Python)']);
    expect(differencesFor('def add(*arrays): ...')).toEqual(['add: positional arguments (a, b), MLX Python\'s (...arrays)']);
  });

  it('matches rest parameters with a rest argument', () => {
    const rest: Schema = { ...schema, ops: schema.ops.map((op) => (op.id === 'add' ? { ...op, args: op.args.map((a) => (a.name === 'b' ? { ...a, rest: true } : a)) } : op)) };
    const compare = (stub: string) => signatureDifferences(rest.ops, scanStub(stub)).filter((d) => d.op.id === 'add').map((d) => d.what);
    expect(compare('def add(a, *bs, stream = None): ...')).toEqual([]);
    expect(compare('def add(a, b): ...')).toEqual([["positional arguments (a, ...b), MLX Python's (a, b)"]]);
  });

  it('compares with the closest overload', () => {
    expect(differencesFor('def sum(a, b, c): ...\ndef sum(a, axis = None, keepdims = False): ...')).toEqual([]);
  });
});

describe('fidelityProblems', () => {
  const problems = (reasons: Record<string, string>) => {
    const ops = schema.ops.map((op) => ({ ...op, pythonDeviation: reasons[op.id] }));
    const differences = signatureDifferences(ops, scanStub('def sum(a, axis = None, keepdims = True): ...'));
    return fidelityProblems(ops, differences).map((p) => `${p.op.id}: ${p.message}`);
  };

  it('refuses a difference without a reason', () => {
    expect(problems({})).toEqual([
      "sum: differs from MLX Python's sum(a, axis=None, keepdims=True): keepdims defaults to false, MLX Python's to True. Match it, or say why not in `python: {deviation: ...}`",
    ]);
  });

  it('accepts a difference with a reason, and refuses a reason without a difference', () => {
    expect(problems({ sum: 'a reason', add: 'stale' })).toEqual(['add: python.deviation: the op matches its MLX Python counterpart (or has none); remove the deviation']);
  });
});

describe('the fidelity check in the schema loader', () => {
  const temps: string[] = [];
  afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'schema');
  const headers = headerListText('0.32.4', new Map([['mlx/ops.h', ['add', 'argmax', 'eye', 'sum']]]));
  const python = (sum: string) => `version: 0.32.4\nfunctions:\n  sum:\n    - "${sum}"\n`;

  function load(sumSignature: string, deviation?: string) {
    const root = mkdtempSync(join(tmpdir(), 'mlxts-fidelity-'));
    temps.push(root);
    cpSync(fixtureDir, join(root, 'schema'), { recursive: true });
    writeFileSync(join(root, 'schema', 'mlx-headers.yaml'), headers);
    writeFileSync(join(root, 'schema', 'unbound.yaml'), '{}\n');
    writeFileSync(join(root, 'schema', 'mlx-python.yaml'), python(sumSignature));
    if (deviation) {
      const sum = join(root, 'schema', 'core', 'sum.yaml');
      writeFileSync(sum, readFileSync(sum, 'utf8').replace('\ndtype:', `\npython: {deviation: ${deviation}}\ndtype:`));
    }
    const { schema: loaded, problems } = loadSchema(root);
    return { loaded, problems: problems.map(formatProblem) };
  }

  it('passes a matching op and counts it', () => {
    const { loaded, problems } = load('a, axis=None, keepdims=False, *, stream=None');
    expect(problems).toEqual([]);
    expect(loaded!.python).toMatchObject({ version: '0.32.4', compared: 1, deviations: [] });
  });

  it('refuses an unexplained difference at the op file, and lists an explained one with its reason', () => {
    expect(load('a, axis=None, keepdims=True').problems).toEqual([
      "schema/core/sum.yaml:1: differs from MLX Python's sum(a, axis=None, keepdims=True): keepdims defaults to false, MLX Python's to True. Match it, or say why not in `python: {deviation: ...}`",
    ]);
    const { loaded, problems } = load('a, axis=None, keepdims=True', 'A reason.');
    expect(problems).toEqual([]);
    const view = pythonFidelityView(loaded!)!;
    expect([view.compared, view.matching]).toEqual([1, 0]);
    expect(view.rows).toEqual([{ fn: '[`mx.sum`](./api/core/sum.md)', python: '`sum(a, axis=None, keepdims=True)`', what: "keepdims defaults to false, MLX Python's to True", reason: 'A reason.' }]);
  });

  it('refuses a reason where nothing differs, at its line', () => {
    expect(load('a, axis=None, keepdims=False', 'Stale.').problems).toEqual([
      'schema/core/sum.yaml:10: python.deviation: the op matches its MLX Python counterpart (or has none); remove the deviation',
    ]);
  });
});
