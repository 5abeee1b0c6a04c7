// What the fuzzer calls: every op of the schema and every hand-written export, described the same way.

/** An argument type: its schema name and TypeScript type, its enum values and the schema's wrong values. */
export interface TypeRef {
  readonly name: string;
  readonly ts: string;
  /** The strings an enum type allows. */
  readonly values?: readonly string[];
  /** JS expressions of values of the wrong kind for this type. */
  readonly wrong?: readonly string[];
}

export interface ArgSpec {
  readonly name: string;
  /** The members of a union type; one entry for a plain type. */
  readonly types: readonly TypeRef[];
  readonly optional: boolean;
  /** Strings the op documents (its examples, error cases and defaults): likely values of a string argument. */
  readonly strings: readonly string[];
  /** The dtypes the schema allows a tensor (or Dtype value) of this argument; mostly these are generated. */
  readonly dtypes?: readonly string[];
}

export interface Target {
  /** The JS path users call: `mx.sum`, `linalg.inv`, `mx.random.uniform`, `Tensor#toArray`. */
  readonly id: string;
  readonly positional: readonly ArgSpec[];
  /** Keys of the trailing options object (keyword-only arguments; `stream`/`device` when `stream`). */
  readonly options: readonly ArgSpec[];
  readonly stream: boolean;
  /** Also a Tensor method on its first argument. */
  readonly method: boolean;
  /** How the call is written, when not `id(args)`: a method, a property, a constructor, a call of a result. */
  readonly form?: (args: readonly string[]) => string;
  /** Changes process-wide settings the child restores after the call. */
  readonly stateful?: boolean;
}

export function typeRef(name: string, ts = name): TypeRef {
  return { name, ts };
}

export function arg(name: string, type: string, optional = false): ArgSpec {
  return { name, types: type.split('|').map((t) => typeRef(t)), optional, strings: [] };
}
