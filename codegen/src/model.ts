// The typed, frozen model of the schema that every view reads.
import type { Coverage } from './coverage.js';
import type { DtypeRule, ShapeRule } from './rules.js';

export interface TypeDef {
  readonly name: string;
  readonly ts: string;
  readonly doc: string;
  /** Converted together with the op's other operands (weak JS scalars). */
  readonly operand: boolean;
  readonly convert: { readonly required?: string; readonly default?: string; readonly optional?: string };
  /** C++ test on `$value` that picks an overload taking this type. */
  readonly when?: string;
  /** A JS expression of a value of the type (for generated tests). */
  readonly valid: string;
  /** JS expressions of values of the wrong kind, beyond `{}` (wrong for every type). */
  readonly wrong: readonly string[];
  /** Set for an enum (schema/enums.yaml): the values a string of this type may take. */
  readonly enum?: EnumDef;
}

/** A string argument type with a fixed set of values: a TS literal union, one generated check (a TypeError). */
export interface EnumDef {
  readonly values: readonly string[];
  /** The MLX C++ enum (qualified below mlx::core) the values map onto by PascalCase name. */
  readonly mlx?: string;
  /** A C++ enum class of mlxts's own, generated for hand-written helpers. Neither this nor `mlx`: a std::string. */
  readonly generated: boolean;
}

export interface Family {
  readonly id: string;
  readonly package: string;
  readonly dir: string;
  readonly title: string;
  readonly summary: string;
  readonly doc: string;
  readonly defaultStream?: 'cpu';
}

export interface Arg {
  readonly name: string;
  /** As written in the schema, e.g. `int|int[]`. */
  readonly typeName: string;
  /** The members of a union type; one entry for a plain type. */
  readonly types: readonly TypeDef[];
  readonly doc: string;
  readonly default?: string | number | boolean;
  readonly optional: boolean;
  readonly kwonly: boolean;
  /** The last positional argument, a list the caller passes as rest arguments (`...operands`). */
  readonly rest: boolean;
  /** dtype -> dtype conversions applied to the tensor before the call. */
  readonly cast: Readonly<Record<string, string>>;
  /** The dtypes a tensor (or a Dtype value) may have; others are refused by a generated check (an MlxError). */
  readonly dtypes?: readonly string[];
}

/** One MLX overload, picked when every `when` predicate (arg -> type name or `absent`) holds. */
export interface Callee {
  readonly when: Readonly<Record<string, string>>;
  /** The qualified C++ function. */
  readonly cpp: string;
  readonly call: readonly CallItem[];
}

/**
 * What a callee is passed: an argument, or a value fixed by the schema and named after the callee's
 * parameter (a class parameter's value, typed by the class; or a literal: null for none, a number, a boolean).
 */
export type CallItem =
  | { readonly kind: 'arg'; readonly name: string }
  | { readonly kind: 'value'; readonly name: string; readonly value: null | number | boolean | string; readonly type?: TypeDef };

export interface Example {
  readonly title: string;
  readonly code: string;
  readonly expect: unknown;
}

export interface ErrorCase {
  readonly code: string;
  readonly error: 'TypeError' | 'RangeError' | 'MlxError';
  readonly message: string;
  readonly phase: 'build' | 'eval';
}

export interface TestHints {
  readonly kind: 'unary' | 'binary' | 'reduction' | 'identity' | 'check' | 'none';
  readonly reference?: string;
  readonly dtypes: readonly string[];
  readonly domain: { readonly min: number; readonly max: number; readonly integer: boolean };
  readonly tolerance: Readonly<Record<string, number>>;
  readonly laws: readonly string[];
  /** Where an op without a property test (kind none) is tested instead. */
  readonly coveredBy: readonly Coverage[];
  /** identity tests: the kind of matrix each tensor input is, and the matrix shapes to try. */
  readonly inputs: readonly string[];
  readonly shapes: readonly string[];
  /** dtype and shape tests: the shape of a tensor argument, or a JS expression for another argument. */
  readonly sample: Readonly<Record<string, readonly number[] | string>>;
}

/** A differentiable argument of the transform checks: its shape and the interval its values are drawn from. */
export interface GradInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly min: number;
  readonly max: number;
  /** Set for a list-of-tensors argument: how many tensors it gets. */
  readonly count?: number;
  /** A JS expression of `x` (the random input) that the argument gets instead of x itself. */
  readonly map?: string;
}

/** The checks a `grad` hint may leave out, each with the MLX behaviour that is in the way. */
export const GRAD_SKIPS = ['vjp', 'jvp', 'vmap', 'compile'] as const;
export type GradSkip = (typeof GRAD_SKIPS)[number];

/**
 * How the generated transform checks call an op: the arguments differentiated (with random values), JS
 * expressions for the others, the finite-difference step and tolerance, and the dtype of the inputs.
 */
export interface GradHints {
  readonly wrt: readonly GradInput[];
  readonly args: Readonly<Record<string, string>>;
  readonly step?: number;
  readonly tolerance?: number;
  readonly dtype: 'float64' | 'float32';
  readonly skip: Readonly<Partial<Record<GradSkip, string>>>;
}

/** An op's gradient: checked with these hints, or not, for the stated reason. */
export type Gradient = { readonly checked: GradHints } | { readonly reason: string };

export interface Op {
  readonly id: string;
  readonly family: Family;
  /** Schema file, relative to the repository root. */
  readonly file: string;
  /** The function's own name, e.g. `uniform`. */
  readonly jsName: string;
  /** The JS namespace object holding the function (`random` for `mx.random.uniform`), if any. */
  readonly namespace?: string;
  /** The name users write after the package's object: `uniform` or `random.uniform`. Names files and messages. */
  readonly qualifiedName: string;
  readonly method: boolean;
  /** Arguments may be operand objects of other packages (e.g. a QuantizedTensor) that handle the call. */
  readonly dispatch: boolean;
  readonly seed: readonly string[];
  /** The public MLX header functions the op binds, qualified below mlx::core (`add`, `fft::rfft`). */
  readonly mlx: readonly string[];
  readonly summary: string;
  readonly doc: string;
  readonly args: readonly Arg[];
  readonly stream: boolean;
  readonly binding?: { readonly native: string; readonly reason: string };
  /** Shorter TS overloads: each takes the leading positional arguments under the names given (`arange(stop)`). */
  readonly overloads: readonly { readonly names: readonly string[]; readonly doc: string }[];
  /** Why the signature differs from MLX Python's (schema `python.deviation`). */
  readonly pythonDeviation?: string;
  readonly callees: readonly Callee[];
  readonly returns: Returns;
  readonly dtypeRule?: DtypeRule;
  readonly shapeRule?: ShapeRule;
  /** The shape rule as written in the schema. */
  readonly shapeText?: string;
  readonly errors: readonly ErrorCase[];
  readonly examples: readonly Example[];
  readonly test: TestHints;
  readonly gradient: Gradient;
}

/** What an op returns: one tensor, a list of tensors, or nothing. */
export interface Returns {
  readonly type: 'Tensor' | 'Tensor[]' | 'void';
  readonly doc: string;
  /** A list of a fixed number of tensors, by name (a TS tuple); absent where the length varies. */
  readonly tuple?: readonly string[];
  /** Other tuples, each returned for some values of one argument; `tuple` is returned for the rest. */
  readonly cases: readonly ReturnCase[];
}

/** The tuple an op returns when argument `arg` has one of `values` (a bool or enum argument with a default). */
export interface ReturnCase {
  readonly arg: string;
  readonly values: readonly (string | boolean)[];
  readonly tuple: readonly string[];
}

/** A hand-written runtime API that covers an EMLX seed name (schema/runtime.yaml). */
export interface RuntimeEntry {
  readonly seed: string;
  readonly api: string;
  readonly page: string;
}

/** A public function of a scanned MLX header, with the ops binding it or the reason none does. */
export interface MlxFunction {
  readonly header: string;
  /** Qualified below mlx::core: `add`, `fft::rfft`, `random::uniform`. */
  readonly name: string;
  readonly ops: readonly string[];
  readonly reason?: string;
  /** Bound by hand-written code rather than an op (unbound.yaml's `{api, page, reason}` form). */
  readonly handwritten?: { readonly api: string; readonly page: string };
}

/** The public API of the pinned MLX's headers (schema/mlx-headers.yaml) and how mlxts covers it. */
export interface MlxApi {
  readonly version: string;
  readonly functions: readonly MlxFunction[];
}

export interface Schema {
  readonly families: readonly Family[];
  readonly runtime: readonly RuntimeEntry[];
  readonly types: ReadonlyMap<string, TypeDef>;
  readonly dtypeClasses: Readonly<Record<string, readonly string[]>>;
  readonly ops: readonly Op[];
  /** Absent when the schema has no schema/mlx-headers.yaml. */
  readonly mlxApi?: MlxApi;
  /** Absent when the schema has no schema/mlx-python.yaml. */
  readonly python?: PythonFidelity;
}

/** How the ops compare with MLX Python's signatures (schema/mlx-python.yaml), for the deviations page. */
export interface PythonFidelity {
  readonly version: string;
  /** Ops with an MLX Python counterpart. */
  readonly compared: number;
  readonly deviations: readonly {
    readonly op: Op;
    /** The MLX Python function and its signature (`fft.rfft`, `a, n=None, axis=-1, ...`). */
    readonly python: string;
    readonly signature: string;
    readonly what: readonly string[];
    readonly reason: string;
  }[];
}

/** Deep-freezes a value built by the validator so no stage can mutate the model. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
