// The typed, frozen model of the schema that every view reads.

export interface TypeDef {
  readonly name: string;
  readonly ts: string;
  readonly doc: string;
  /** Converted together with the op's other operands (weak JS scalars). */
  readonly operand: boolean;
  readonly convert: { readonly required?: string; readonly default?: string; readonly optional?: string };
  /** C++ test on `$value` that picks an overload taking this type. */
  readonly when?: string;
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
}

/** One MLX overload, picked when every `when` predicate (arg -> type name or `absent`) holds. */
export interface Callee {
  readonly when: Readonly<Record<string, string>>;
  readonly cpp: string;
  /** Argument names, or C++ expressions referring to arguments as `$name`. */
  readonly call: readonly string[];
}

export interface Example {
  readonly title: string;
  readonly code: string;
  readonly expect: unknown;
}

export interface ErrorCase {
  readonly code: string;
  readonly error: 'TypeError' | 'RangeError' | 'MlxError' | 'Error';
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
  readonly skip?: string;
  /** identity tests: the kind of matrix each tensor input is, and the matrix shapes to try. */
  readonly inputs: readonly string[];
  readonly shapes: readonly string[];
}

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
  readonly callees: readonly Callee[];
  readonly returns: { readonly type: 'Tensor' | 'Tensor[]' | 'void'; readonly doc: string };
  readonly dtypeRule?: string;
  readonly shapeRule?: string;
  readonly errors: readonly ErrorCase[];
  readonly examples: readonly Example[];
  readonly test: TestHints;
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
}

/** Deep-freezes a value built by the validator so no stage can mutate the model. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
