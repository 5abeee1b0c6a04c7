// Invalid schema files and the exact file:line messages the validator gives for them.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { formatProblem } from '../src/load.js';
import { loadSchema } from '../src/validate.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'schema');
const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The fixture schema plus one more op file; returns every problem as `file:line: message`. */
function problemsWith(name: string, yaml: string): string[] {
  const root = mkdtempSync(join(tmpdir(), 'mlxts-schema-'));
  temps.push(root);
  cpSync(fixture, join(root, 'schema'), { recursive: true });
  writeFileSync(join(root, 'schema', 'core', name), yaml);
  return loadSchema(root).problems.map(formatProblem);
}

const valid = `op: negative
family: core
summary: Negates.
doc: Negates each element.
args:
  - {name: a, type: ArrayLike, doc: Input.}
callee:
  - {cpp: "mlx::core::negative", call: [a]}
returns: {type: Tensor, doc: The negation.}
grad: {wrt: {a: {shape: [2, 3]}}}
test:
  coveredBy: [examples]
examples: [{title: T, code: "1", expect: 1}]
`;

describe('schema validation', () => {
  it('accepts the fixture schema plus a valid op', () => {
    expect(problemsWith('negative.yaml', valid)).toEqual([]);
  });

  it('reports unknown keys with their line', () => {
    const yaml = valid.replace('summary: Negates.', 'summary: Negates.\nsumary: typo');
    expect(problemsWith('negative.yaml', yaml)).toEqual([
      'schema/core/negative.yaml:4: unknown key \'sumary\'; allowed: ' +
        'op, family, extends, seed, mlx, summary, doc, js, args, params, with, stream, binding, python, callee, returns, dtype, shape, errors, examples, test, grad',
    ]);
  });

  it('reports wrong value types and missing required keys', () => {
    const yaml = valid.replace('summary: Negates.\n', '').replace('{name: a, type: ArrayLike, doc: Input.}', '{name: a, type: ArrayLike, doc: Input., optional: yes}');
    expect(problemsWith('negative.yaml', yaml)).toEqual([
      "schema/core/negative.yaml:1: missing required key 'summary'",
      "schema/core/negative.yaml:5: 'args.0.optional' must be a boolean, got a string",
    ]);
  });

  it('reports undeclared and unused arguments, all in one run', () => {
    const yaml = valid
      .replace('  - {name: a, type: ArrayLike, doc: Input.}', '  - {name: a, type: ArrayLike, doc: Input.}\n  - {name: extra, type: int, default: 1, doc: Unused.}')
      .replace('call: [a]', 'call: [a, b]');
    expect(problemsWith('negative.yaml', yaml)).toEqual([
      "schema/core/negative.yaml:9: call refers to undeclared argument 'b'",
      "schema/core/negative.yaml:7: argument 'extra' is never used by any callee",
    ]);
  });

  it('reports unknown types, bad overload predicates and un-narrowed unions', () => {
    const yaml = `op: negative
family: core
summary: Negates.
doc: Negates.
args:
  - {name: a, type: Tensr, doc: Input.}
  - {name: axis, type: "int|int[]", optional: true, doc: Axes.}
callee:
  - {when: {axis: float}, cpp: "mlx::core::negative", call: [a, axis]}
  - {cpp: "mlx::core::negative", call: [a, axis]}
returns: {type: Tensor, doc: Out.}
grad: {reason: R.}
test: {coveredBy: [examples]}
examples: [{title: T, code: "1", expect: 1}]
`;
    const problems = problemsWith('negative.yaml', yaml);
    expect(problems[0]).toMatch(/^schema\/core\/negative\.yaml:6: unknown type 'Tensr'; known: Tensor, .*ArrayLike/);
    expect(problems.slice(1)).toEqual([
      "schema/core/negative.yaml:9: 'float' is not a type of 'axis'; use one of: int, int[], absent",
      "schema/core/negative.yaml:10: 'axis' has the union type 'int|int[]': narrow it with when: {axis: <type>}",
    ]);
  });

  it('reports an op in the wrong file or family and an unknown class', () => {
    const yaml = valid.replace('op: negative', 'op: negate').replace('family: core', 'family: core\nextends: nonesuch');
    expect(problemsWith('negative.yaml', yaml)).toEqual([
      "schema/core/negative.yaml:3: unknown op class 'nonesuch'; known: binary_elementwise, reduction, window",
    ]);
    expect(problemsWith('negative.yaml', valid.replace('op: negative', 'op: negate'))).toEqual([
      'schema/core/negative.yaml:1: op \'negate\' must live in a file named negate.yaml',
    ]);
  });

  it('requires a reason for ops without property tests', () => {
    expect(problemsWith('negative.yaml', valid.replace('test:\n  coveredBy: [examples]\n', ''))).toEqual([
      "schema/core/negative.yaml:1: an op without a property test (test.kind none) must say where it is tested in 'test.coveredBy'",
    ]);
  });

  it('catches an unquoted comma in a flow mapping (a common YAML slip)', () => {
    const problems = problemsWith('negative.yaml', valid.replace('returns: {type: Tensor, doc: The negation.}', 'returns: {type: Tensor, doc: The negation, really.}'));
    expect(problems).toEqual([
      "schema/core/negative.yaml:9: unknown key 'really.' in 'returns'; allowed: type, doc, tuple, cases",
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsWith('negative.yaml', valid.replace('call: [a]', 'call: [a'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^schema\/core\/negative\.yaml:\d+: /);
  });

  it('rejects duplicate JS names across files', () => {
    const yaml = valid.replace('summary: Negates.', 'summary: Negates.\njs: {name: add}');
    expect(problemsWith('negative.yaml', yaml)).toEqual([
      "schema/core/negative.yaml:1: JS name 'add' is also used by schema/core/add.yaml",
    ]);
  });

  it('checks namespaced functions: op id prefix, no method, no clash with a function name, unique qualified name', () => {
    const ns = (extra: string) => valid.replace('summary: Negates.', `summary: Negates.\n${extra}`);
    expect(problemsWith('negative.yaml', ns('js: {namespace: random, method: true}'))).toEqual([
      "schema/core/negative.yaml:1: op 'negative' of namespace 'random' must be named random_<MLX name>",
      'schema/core/negative.yaml:4: a namespaced function cannot also be a Tensor method',
    ]);
    expect(problemsWith('random_negative.yaml', ns('js: {namespace: random, name: uniform}').replace('op: negative', 'op: random_negative'))).toEqual([
      "schema/core/random_uniform.yaml:1: JS name 'random.uniform' is also used by schema/core/random_negative.yaml",
    ]);
    expect(problemsWith('random.yaml', valid.replace('op: negative', 'op: random'))).toEqual([
      "schema/core/random_seed.yaml:1: namespace 'random' is also the JS name of schema/core/random.yaml",
      "schema/core/random_uniform.yaml:1: namespace 'random' is also the JS name of schema/core/random.yaml",
    ]);
  });

  it('accepts a number default for an operand only', () => {
    const yaml = valid.replace('{name: a, type: ArrayLike, doc: Input.}', "{name: a, type: ArrayLike, default: 'x', doc: Input.}");
    expect(problemsWith('negative.yaml', yaml)).toEqual([
      "schema/core/negative.yaml:6: type 'ArrayLike' cannot take a default other than a number",
    ]);
  });

  it('checks enum values and defaults', () => {
    const yaml = valid.replace('{name: a, type: ArrayLike, doc: Input.}', '{name: a, type: ArrayLike, doc: Input.}\n  - {name: side, type: SearchSide, default: middle, doc: Side.}').replace('call: [a]', 'call: [a, side]');
    expect(problemsWith('negative.yaml', yaml)).toEqual([
      "schema/core/negative.yaml:7: default 'middle' is not a value of SearchSide: left, right",
    ]);
  });

  it('rejects C++ expressions in a call and checks class parameters', () => {
    const cpp = valid.replace('call: [a]', 'call: [a, "std::nullopt", "(2)", {axis: null}, {kind: x}]');
    expect(problemsWith('negative.yaml', cpp)).toEqual([
      'schema/core/negative.yaml:8: call item "std::nullopt" is not an argument, a $parameter of the op\'s class or a named value ({name: value}); C++ expressions do not belong in the schema',
      'schema/core/negative.yaml:8: call item "(2)" is not an argument, a $parameter of the op\'s class or a named value ({name: value}); C++ expressions do not belong in the schema',
      "schema/core/negative.yaml:8: named value 'kind' must be null, a number or a boolean",
    ]);
    const window = (extra: string) => `op: hamming
family: core
extends: window
${extra}
summary: The Hamming window.
doc: A window.
grad: {reason: R.}
test: {coveredBy: [examples]}
examples: [{title: T, code: "1", expect: 1}]
`;
    expect(problemsWith('hamming.yaml', window('with: {kind: hamming}'))).toEqual([]);
    expect(problemsWith('hamming.yaml', window('with: {kind: blackman, size: 2}'))).toEqual([
      "schema/core/hamming.yaml:4: 'blackman' is not a value of WindowKind (hanning, hamming)",
      "schema/core/hamming.yaml:4: 'size' is not a parameter of the op's class",
    ]);
    expect(problemsWith('hamming.yaml', window(''))).toEqual([
      "schema/core/hamming.yaml:1: missing a value for the class parameter 'kind' (Which window.)",
    ]);
  });

  it('needs a grad hint or a reason on every op, and checks the hint against the arguments', () => {
    expect(problemsWith('negative.yaml', valid.replace('grad: {wrt: {a: {shape: [2, 3]}}}\n', ''))).toEqual(["schema/core/negative.yaml:1: missing required key 'grad'"]);
    const grad = (hint: string) => problemsWith('negative.yaml', valid.replace('grad: {wrt: {a: {shape: [2, 3]}}}', `grad: ${hint}`));
    expect(grad('{reason: Bool results.}')).toEqual([]);
    expect(grad('{wrt: {a: {min: 0.5, max: 2, map: "mx.exp(x)"}}, args: {}, step: 0.01, tolerance: 0.001, dtype: float32, skip: {jvp: No rule.}}')).toEqual([]);
    expect(grad('{}')).toEqual([
      "schema/core/negative.yaml:10: grad needs either 'wrt' (the arguments the generated checks differentiate) or 'reason' (why the op has no gradient check)",
    ]);
    expect(grad('{reason: R., step: 0.1}')).toEqual(["schema/core/negative.yaml:10: grad: 'step' means nothing for an op that is not gradient-checked"]);
    expect(grad('{wrt: {b: {}, a: {min: 2, max: 1, shape: [0], count: 2, map: "mx.exp(y)"}}, args: {a: "1", c: "2"}, dtype: float16, skip: {hessian: x}}')).toEqual([
      "schema/core/negative.yaml:10: grad.wrt: 'b' is not a tensor argument",
      "schema/core/negative.yaml:10: grad.wrt: count is a positive number of tensors, for a list-of-tensors argument",
      "schema/core/negative.yaml:10: grad.wrt: 'map' is a JS expression of x, the random input",
      "schema/core/negative.yaml:10: grad.wrt: the interval of 'a' is empty",
      'schema/core/negative.yaml:10: grad.wrt: a shape is a list of positive sizes',
      "schema/core/negative.yaml:10: grad.args: 'a' is differentiated (in wrt)",
      "schema/core/negative.yaml:10: grad.args: 'c' is not an argument",
      "schema/core/negative.yaml:10: grad.skip: 'hessian' is not a check; the checks are vjp, jvp, vmap, compile",
      'schema/core/negative.yaml:10: grad.dtype must be one of float64, float32',
    ]);
  });

  it('allows only the error classes of the error rule', () => {
    const yaml = valid.replace('returns:', 'errors:\n  - {code: "mx.negative()", error: Error, message: x}\nreturns:');
    expect(problemsWith('negative.yaml', yaml)).toEqual(['schema/core/negative.yaml:10: error must be one of TypeError, RangeError, MlxError']);
  });

  it("takes dtype classes as 'cast' keys and rejects unknown dtypes", () => {
    const withCast = (cast: string) => valid.replace('{name: a, type: ArrayLike, doc: Input.}', `{name: a, type: ArrayLike, cast: ${cast}, doc: Input.}`);
    expect(problemsWith('negative.yaml', withCast('{integer: float32, bool: float32}'))).toEqual([]);
    expect(problemsWith('negative.yaml', withCast('{integral: float32, bool: float33}'))).toEqual([
      "schema/core/negative.yaml:6: unknown dtype or dtype class 'integral' in 'cast'",
      "schema/core/negative.yaml:6: unknown dtype 'float33' in 'cast'",
    ]);
  });

  it('checks rest arguments and overloads', () => {
    const rest = valid.replace('  - {name: a, type: ArrayLike, doc: Input.}', '  - {name: a, type: ArrayLike, rest: true, doc: Input.}\n  - {name: b, type: ArrayLike, doc: More.}');
    expect(problemsWith('negative.yaml', rest.replace('call: [a]', 'call: [a, b]'))).toEqual([
      "schema/core/negative.yaml:6: rest argument 'a' must be positional, required and of one list type",
      "schema/core/negative.yaml:6: rest argument 'a' must be the last positional argument",
    ]);
    const overload = valid.replace('args:', 'js: {overloads: [{args: [x], doc: All of them.}]}\nargs:');
    expect(problemsWith('negative.yaml', overload)).toEqual([
      'schema/core/negative.yaml:5: an overload takes some but not all of the positional arguments (and none of a rest argument)',
    ]);
  });

  it('checks tuple results and the cases whose tuple depends on an argument', () => {
    const withReturns = (returns: string, full = '{name: full, type: bool, default: true, kwonly: true, doc: F.}') =>
      valid
        .replace('  - {name: a, type: ArrayLike, doc: Input.}', `  - {name: a, type: ArrayLike, doc: Input.}\n  - ${full}\n  - {name: side, type: SearchSide, default: left, kwonly: true, doc: S.}`)
        .replace('call: [a]', 'call: [a, full, side]')
        .replace('returns: {type: Tensor, doc: The negation.}', `returns: ${returns}`);
    expect(problemsWith('negative.yaml', withReturns('{type: "Tensor[]", tuple: [x, y], cases: [{when: {full: false}, tuple: [x]}], doc: D.}'))).toEqual([]);
    expect(problemsWith('negative.yaml', withReturns('{type: "Tensor[]", tuple: [x], cases: [{when: {side: [right]}, tuple: [x, y]}], doc: D.}'))).toEqual([]);
    expect(problemsWith('negative.yaml', withReturns('{type: Tensor, tuple: [x, x, 1y], doc: D.}'))).toEqual([
      'schema/core/negative.yaml:11: returns.tuple names the tensors of a list: it needs type Tensor[]',
      "schema/core/negative.yaml:11: tuple names must be identifiers, got '1y'",
      'schema/core/negative.yaml:11: tuple names must be distinct',
    ]);
    const cases = (list: string) => withReturns(`{type: "Tensor[]", tuple: [x, y], cases: ${list}, doc: D.}`);
    expect(problemsWith('negative.yaml', cases('[{when: {full: true}, tuple: [x]}, {when: {nope: 1}, tuple: [y]}, {when: {side: [right, up]}, tuple: [y]}]'))).toEqual([
      "schema/core/negative.yaml:11: a case cannot include the default of 'full': returns.tuple is what the op returns with it",
      "schema/core/negative.yaml:11: unknown argument 'nope'",
      "schema/core/negative.yaml:11: every case tests the same argument ('full')",
      'schema/core/negative.yaml:11: \'side\' cannot be "up"; its values: "left", "right"',
    ]);
    expect(problemsWith('negative.yaml', cases('[{when: {a: 1, full: false}, tuple: [y]}]'))).toEqual([
      'schema/core/negative.yaml:11: a case tests exactly one argument',
    ]);
    // An overload that requires `side` (in the options object) cannot follow an optional positional `full`.
    const positionalFull = withReturns('{type: "Tensor[]", tuple: [x], cases: [{when: {side: right}, tuple: [x, y]}], doc: D.}', '{name: full, type: bool, default: true, doc: F.}');
    expect(problemsWith('negative.yaml', positionalFull)).toEqual([
      "schema/core/negative.yaml:11: 'side' follows an optional positional argument: an overload cannot require it",
    ]);
  });
});
