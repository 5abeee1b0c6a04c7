// The shape of schema files: which keys each object may have and what kind of value each holds.
// Unknown keys are errors (a typo must never be silently ignored).

export type Kind =
  | 'string'
  | 'boolean'
  | 'number'
  | 'scalar'
  | 'any'
  | { list: Kind }
  | { map: Kind }
  | { object: ObjectSpec };

export interface Field {
  readonly kind: Kind;
  readonly required?: boolean;
}

export type ObjectSpec = Readonly<Record<string, Field>>;

const string: Field = { kind: 'string' };
const requiredString: Field = { kind: 'string', required: true };
const stringList: Field = { kind: { list: 'string' } };

export const argSpec: ObjectSpec = {
  name: requiredString,
  type: requiredString,
  doc: requiredString,
  default: { kind: 'scalar' },
  optional: { kind: 'boolean' },
  kwonly: { kind: 'boolean' },
  /** The last positional argument only, of a list type: the caller passes its items as rest arguments (`...operands`). */
  rest: { kind: 'boolean' },
  /** dtype -> dtype: a tensor of the first is converted to the second before the call (`{float16: float32}`). */
  cast: { kind: { map: 'string' } },
  /** The dtypes (names or classes of dtypes.yaml) a tensor or Dtype argument may have; a generated check refuses others. */
  dtypes: stringList,
};

export const calleeSpec: ObjectSpec = {
  when: { kind: { map: 'string' } },
  /** The C++ function: a qualified name (`mlx::core::add`, `mlxts::support::pad`). */
  cpp: requiredString,
  /** Its arguments in order: an argument's name, a class parameter (`$kind`), or a named value (`{offset: 0}`). */
  call: { kind: { list: 'any' }, required: true },
};

/** A parameter of an op class: a value each op of the class gives in `with`, passed to callees as `$name`. */
export const paramSpec: ObjectSpec = { type: requiredString, doc: requiredString };

/** Where the number of tensors an op returns depends on an argument's value: the tuple for given values. */
export const returnCaseSpec: ObjectSpec = {
  /** One argument (a bool or an enum) and the value, or list of values, this tuple is returned for. */
  when: { kind: { map: 'any' }, required: true },
  tuple: { kind: { list: 'string' }, required: true },
};

export const returnSpec: ObjectSpec = {
  type: requiredString,
  doc: requiredString,
  /** A fixed number of tensors (type `Tensor[]`), by name: a TS tuple `[Q: Tensor, R: Tensor]`. */
  tuple: stringList,
  /** Other tuples for some values of one argument (`{when: {computeUv: false}, tuple: [S]}`); `tuple` is the rest. */
  cases: { kind: { list: { object: returnCaseSpec } } },
};

export const errorSpec: ObjectSpec = {
  code: requiredString,
  error: requiredString,
  message: requiredString,
  /** `eval` when the error can only surface at evaluation (kernel errors); `build` (default) otherwise. */
  phase: string,
};

export const exampleSpec: ObjectSpec = {
  title: requiredString,
  code: requiredString,
  expect: { kind: 'any', required: true },
};

export const testSpec: ObjectSpec = {
  kind: string,
  reference: string,
  dtypes: stringList,
  domain: { kind: { object: { min: { kind: 'number' }, max: { kind: 'number' }, integer: { kind: 'boolean' } } } },
  tolerance: { kind: { map: 'number' } },
  laws: stringList,
  /** Where an op without a property test is tested: 'examples' or '<test file>#<describe title>' (checked). */
  coveredBy: stringList,
  inputs: stringList,
  shapes: stringList,
  /** For the generated dtype and shape tests: a shape per tensor argument, or a JS value for another one. */
  sample: { kind: { map: 'any' } },
};

/** A differentiable tensor argument in the generated transform checks: its shape and the interval of its random values. */
export const gradInputSpec: ObjectSpec = {
  shape: { kind: { list: 'number' } },
  min: { kind: 'number' },
  max: { kind: 'number' },
  /** For a list-of-tensors argument: how many tensors of the shape it gets (default 2). */
  count: { kind: 'number' },
  /** A JS expression of `x`, the random input, that the argument gets instead (a positive definite matrix from x). */
  map: string,
};

/**
 * The hint behind an op's generated transform checks (gradients against finite differences, vmap,
 * compile), or the reason the op has no gradient check. Exactly one of `wrt` and `reason`.
 */
export const gradSpec: ObjectSpec = {
  /** The arguments differentiated, by name; the checks draw random values for them. */
  wrt: { kind: { map: { object: gradInputSpec } } },
  /** JS expressions for the op's other arguments (a required one without a sample, or one worth setting). */
  args: { kind: { map: 'string' } },
  /** Finite-difference step and tolerance where the default (1e-6, 1e-6) does not fit; say why in a comment. */
  step: { kind: 'number' },
  tolerance: { kind: 'number' },
  /** float32 for an op without a float64 kernel on the CPU (default float64). */
  dtype: string,
  /** Why a check (`vjp` (with grad), `jvp`, `vmap`, `compile`) is left out for this op: the MLX behaviour in the way. */
  skip: { kind: { map: 'string' } },
  /** Why the op is not gradient-checked: integer or bool results, a creation op, random draws... */
  reason: string,
};

/** Every key an op file may use. A class file (schema/classes) uses the same keys, none required. */
export const opSpec: ObjectSpec = {
  op: requiredString,
  family: requiredString,
  extends: string,
  seed: stringList,
  /** MLX functions the op binds that neither its callees nor its op id name (see mlx-api.ts). */
  mlx: stringList,
  summary: requiredString,
  doc: requiredString,
  /** `namespace` puts the function in a JS namespace object of its package (`mx.random.uniform`). */
  js: {
    kind: {
      object: {
        name: string,
        namespace: string,
        method: { kind: 'boolean' },
        dispatch: { kind: 'boolean' },
        /**
         * Shorter TS overloads, where the meaning changes with the number of arguments (`arange(stop)`):
         * each names the leading positional arguments it takes (the i-th name is the i-th argument, renamed).
         */
        overloads: { kind: { list: { object: { args: { kind: { list: 'string' }, required: true }, doc: requiredString } } } },
      },
    },
  },
  args: { kind: { list: { object: argSpec } }, required: true },
  /** Declared by an op class: the parameters its ops give values to in `with`. */
  params: { kind: { map: { object: paramSpec } } },
  with: { kind: { map: 'scalar' } },
  stream: { kind: 'boolean' },
  binding: { kind: { object: { native: requiredString, reason: requiredString } } },
  /** Why the op's signature differs from its MLX Python counterpart's (the fidelity check requires a reason). */
  python: { kind: { object: { deviation: requiredString } } },
  callee: { kind: { list: { object: calleeSpec } } },
  returns: { kind: { object: returnSpec }, required: true },
  dtype: string,
  shape: string,
  errors: { kind: { list: { object: errorSpec } } },
  examples: { kind: { list: { object: exampleSpec } } },
  test: { kind: { object: testSpec } },
  grad: { kind: { object: gradSpec }, required: true },
};

export const classSpec: ObjectSpec = Object.fromEntries(
  Object.entries(opSpec)
    .filter(([key]) => key !== 'op' && key !== 'family')
    .map(([key, field]) => [key, { kind: field.kind }]),
);

export const typeSpec: ObjectSpec = {
  ts: requiredString,
  doc: requiredString,
  /** A JS value of the type, and JS values of the wrong kind: the generated error-rule tests use them. */
  valid: requiredString,
  wrong: stringList,
  operand: { kind: 'boolean' },
  convert: {
    kind: { object: { required: string, default: string, optional: string } },
  },
  when: string,
};

export const familySpec: ObjectSpec = {
  package: requiredString,
  dir: requiredString,
  title: requiredString,
  summary: requiredString,
  /** Markdown for the family's index page. */
  doc: string,
  /** The stream an op runs on when the caller names none: `cpu` for families MLX runs only on the CPU. */
  default_stream: string,
};

/** An entry of schema/enums.yaml: a string argument that takes one of a fixed set of values. */
export const enumSpec: ObjectSpec = {
  doc: requiredString,
  values: { kind: { list: 'string' }, required: true },
  /** The MLX C++ enum (below mlx::core) the values map onto, by PascalCase name; otherwise the value is passed as a string. */
  mlx: string,
  /** `enum`: a C++ enum class of mlxts's own (packages/native/src/generated/enums.h), for hand-written helpers. */
  cpp: string,
};

/** An entry of schema/runtime.yaml: a hand-written runtime API covering an EMLX seed name. */
export const runtimeEntrySpec: ObjectSpec = { seed: requiredString, api: requiredString, page: requiredString };
