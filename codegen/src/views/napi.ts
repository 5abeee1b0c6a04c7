// The C++ view: what each generated N-API wrapper converts, which overload it picks, what it calls.
import type { Arg, CallItem, Callee, Op, TypeDef } from '../model.js';
import { ABSENT, enumCppType, pascal } from '../validate.js';
import { markerText, nativeArity } from './common.js';

export interface NapiBranch {
  readonly condition?: string;
  readonly conversions: readonly string[];
  readonly call: string;
}

export interface NapiOpView {
  readonly marker: string;
  readonly path: string;
  /** The headers the wrapper includes: the common one, and its family's helpers where a callee is one. */
  readonly includes: readonly string[];
  readonly fn: string;
  readonly jsName: string;
  readonly maxArgs: number;
  readonly prelude: readonly string[];
  /** Arguments that overloads narrow, each checked to be one of its types before any overload is tried. */
  readonly typeChecks: readonly { condition: string; message: string }[];
  readonly branches: readonly NapiBranch[];
  /** Thrown when no overload matched (absent when the last overload is an unconditional fallback). */
  readonly noMatch?: string;
}

export function napiFunctionName(op: Op): string {
  return `op_${op.family.id}_${op.id}`;
}

export function napiOpView(op: Op): NapiOpView {
  const index = new Map(op.args.map((a, i) => [a.name, i]));
  const value = (arg: Arg) => `info[${index.get(arg.name)}]`;
  const prelude: string[] = [];
  const operands = op.args.filter((a) => a.types.length === 1 && a.types[0].operand);
  if (operands.length > 0) {
    // An operand with a default reads an absent value as that JS number (a weak scalar); an optional one
    // without a default is std::nullopt when absent.
    const optional = operands.some((a) => a.optional && a.default === undefined);
    const operandValue = (a: Arg) => (a.default === undefined ? value(a) : `conv::value_or_number(${value(a)}, ${a.default})`);
    const list = operands.map((a) => `{${operandValue(a)}, "${a.name}"${optional && a.optional && a.default === undefined ? ', true' : ''}}`).join(', ');
    prelude.push(`auto operands = conv::${optional ? 'optional_array_likes' : 'array_likes'}({${list}});`);
    operands.forEach((a, i) => {
      const own = optional && !(a.optional && a.default === undefined) ? `*operands[${i}]` : `operands[${i}]`;
      if (Object.keys(a.cast).length > 0) prelude.push(`const mx::array ${a.name} = ${castExpr(a, own)};`);
      else if (optional && a.optional && a.default === undefined) prelude.push(`const std::optional<mx::array>& ${a.name} = ${own};`);
      else prelude.push(`const mx::array& ${a.name} = ${own};`);
      prelude.push(...dtypeCheck(a));
    });
  }
  const narrowed = narrowedArgs(op);
  for (const arg of op.args) {
    if (arg.types[0]?.operand || narrowed.has(arg.name)) continue;
    const converted = convertExpr(arg, arg.types[0], value(arg));
    prelude.push(`auto ${arg.name} = ${Object.keys(arg.cast).length > 0 ? castExpr(arg, converted) : converted};`);
    prelude.push(...dtypeCheck(arg));
  }
  if (op.stream) {
    const fallback = op.family.defaultStream === 'cpu' ? ', cpu_stream()' : '';
    prelude.push(`auto stream = conv::stream(info[${op.args.length}]${fallback});`);
  }

  const branches = op.callees.map((callee, i) => branchView(op, callee, presentArgs(op, i), narrowed, value));
  const last = op.callees[op.callees.length - 1];
  const noMatch = last && Object.keys(last.when).length > 0 ? noMatchMessage(op, op.callees) : undefined;
  return {
    typeChecks: noMatch ? typeChecks(op, value) : [],
    marker: markerText(op.file),
    path: `packages/native/src/generated/${op.family.id}_${op.id}.cc`,
    includes: napiIncludes(op),
    fn: napiFunctionName(op),
    jsName: op.qualifiedName,
    maxArgs: nativeArity(op),
    prelude,
    branches,
    noMatch,
  };
}

/**
 * What a wrapper includes: wrapper.h (converters, error mapping, to_js), and the family's header of
 * hand-written helpers (packages/native/src/support/<family>.h) when a callee is one of them.
 */
export function napiIncludes(op: Op): string[] {
  const helper = op.callees.some((c) => c.cpp.startsWith('mlxts::support::'));
  return ['wrapper.h', ...(helper ? [`support/${op.family.id}.h`] : [])];
}

/**
 * The optional arguments known to be present in callee `i`: the fallback callee (no `when`) comes after
 * the callees that test an argument `absent`, so there the argument is passed as its plain type.
 */
function presentArgs(op: Op, i: number): Set<string> {
  if (Object.keys(op.callees[i].when).length > 0) return new Set();
  return new Set(op.callees.slice(0, i).flatMap((c) => Object.entries(c.when).filter(([, p]) => p === ABSENT).map(([n]) => n)));
}

/** Arguments converted inside a branch (narrowed to one of their types, or present by elimination), not up front. */
function narrowedArgs(op: Op): Set<string> {
  const out = new Set(op.callees.flatMap((c) => Object.entries(c.when).filter(([, p]) => p !== ABSENT).map(([n]) => n)));
  op.callees.forEach((callee, i) => {
    const present = presentArgs(op, i);
    for (const item of callee.call) if (item.kind === 'arg' && present.has(item.name)) out.add(item.name);
  });
  return out;
}

/** Arguments narrowed to a type by some overload are converted inside each branch, as that branch reads them. */
function branchView(op: Op, callee: Callee, present: Set<string>, narrowed: Set<string>, value: (arg: Arg) => string): NapiBranch {
  const conditions: string[] = [];
  const conversions: string[] = [];
  for (const [name, predicate] of Object.entries(callee.when)) {
    const arg = op.args.find((a) => a.name === name)!;
    if (predicate === ABSENT) {
      conditions.push(`conv::is_absent(${value(arg)})`);
      continue;
    }
    const type = arg.types.find((t) => t.name === predicate)!;
    conditions.push(type.when!.replaceAll('$value', value(arg)));
    conversions.push(`auto ${arg.name} = ${fill(type.convert.required!, arg, value(arg))};`);
  }
  for (const item of callee.call) {
    if (item.kind !== 'arg' || !narrowed.has(item.name) || callee.when[item.name] !== undefined) continue;
    const arg = op.args.find((a) => a.name === item.name)!;
    const converted = present.has(arg.name) ? fill(arg.types[0].convert.required!, arg, value(arg)) : convertExpr(arg, arg.types[0], value(arg));
    conversions.push(`auto ${arg.name} = ${converted};`, ...dtypeCheck(arg));
  }
  const args = callee.call.map(cppArgument);
  if (op.stream) args.push('stream');
  return {
    condition: conditions.length > 0 ? conditions.join(' && ') : undefined,
    conversions,
    call: `${callee.cpp}(${args.join(', ')})`,
  };
}

/** How a call item is written in C++: the converted argument, or the value as a C++ literal. */
function cppArgument(item: CallItem): string {
  if (item.kind === 'arg') return item.name;
  const { value, type } = item;
  if (value === null) return 'std::nullopt';
  if (type?.enum) {
    const cpp = enumCppType(type.name, type.enum);
    return cpp ? `${cpp}::${pascal(String(value))}` : JSON.stringify(value);
  }
  return String(value);
}

/** The generated check of an argument's `dtypes` (an MlxError naming the argument and the dtypes). */
function dtypeCheck(arg: Arg): string[] {
  if (!arg.dtypes) return [];
  return [`conv::check_dtype(${arg.name}, "${arg.name}", {${arg.dtypes.map(cppDtype).join(', ')}});`];
}

/** A tensor converted to other dtypes before the call (an argument's `cast`). */
function castExpr(arg: Arg, tensor: string): string {
  const pairs = Object.entries(arg.cast).map(([from, to]) => `{${cppDtype(from)}, ${cppDtype(to)}}`);
  return `conv::cast(${tensor}, {${pairs.join(', ')}})`;
}

/** MLX's C++ constant for a dtype name (`bool` is `mx::bool_`). */
export function cppDtype(name: string): string {
  return name === 'bool' ? 'mx::bool_' : `mx::${name}`;
}

function convertExpr(arg: Arg, type: TypeDef, value: string): string {
  if (arg.default !== undefined) return fill(type.convert.default!, arg, value);
  if (arg.optional) return fill(type.convert.optional!, arg, value);
  return fill(type.convert.required!, arg, value);
}

function fill(template: string, arg: Arg, value: string): string {
  return template
    .replaceAll('$value', value)
    .replaceAll('$name', arg.name)
    .replaceAll('$default', arg.default === undefined ? '' : String(arg.default));
}

function noMatchMessage(op: Op, callees: readonly Callee[]): string {
  return overloadArgs(op, callees).map(acceptedMessage).join('; ');
}

/** The arguments some overload's `when` tests. */
function overloadArgs(op: Op, callees: readonly Callee[]): Arg[] {
  const names = [...new Set(callees.flatMap((c) => Object.keys(c.when)))];
  return names.map((name) => op.args.find((a) => a.name === name)!);
}

function acceptedMessage(arg: Arg): string {
  const accepted = arg.types.map((t) => t.ts);
  if (arg.optional) accepted.push('undefined');
  return `${arg.name} must be ${accepted.join(' or ')}`;
}

/** A value that is none of its argument's types is a TypeError naming that argument (not a later one's). */
function typeChecks(op: Op, value: (arg: Arg) => string): { condition: string; message: string }[] {
  return overloadArgs(op, op.callees)
    .filter((arg) => arg.types.every((t) => t.when))
    .map((arg) => {
      const tests = arg.types.map((t) => t.when!.replaceAll('$value', value(arg)));
      if (arg.optional) tests.push(`conv::is_absent(${value(arg)})`);
      return { condition: `!(${tests.join(' || ')})`, message: acceptedMessage(arg) };
    });
}

export interface NapiRegistryView {
  readonly marker: string;
  readonly ops: readonly { fn: string; key: string }[];
}

export function napiRegistryView(ops: readonly Op[]): NapiRegistryView {
  return {
    marker: markerText('schema/'),
    ops: ops.filter((op) => !op.binding).map((op) => ({ fn: napiFunctionName(op), key: `${op.family.id}_${op.id}` })),
  };
}

export interface NapiEnumsView {
  readonly marker: string;
  readonly path: string;
  readonly enums: readonly { name: string; doc: string; enumerators: string }[];
}

/** The C++ enum classes generated for helpers (enums marked `cpp: enum`). */
export function napiEnumsView(types: ReadonlyMap<string, TypeDef>): NapiEnumsView {
  const generated = [...types.values()].filter((t) => t.enum?.generated);
  return {
    marker: markerText('schema/enums.yaml'),
    path: 'packages/native/src/generated/enums.h',
    enums: generated.map((t) => ({ name: t.name, doc: t.doc.replaceAll('\n', ' '), enumerators: t.enum!.values.map(pascal).join(', ') })),
  };
}
