// The C++ view: what each generated N-API wrapper converts, which overload it picks, what it calls.
import type { Arg, Callee, Op, TypeDef } from '../model.js';
import { ABSENT, referencedArgs } from '../validate.js';
import { markerText, nativeArity } from './common.js';

export interface NapiBranch {
  readonly condition?: string;
  readonly conversions: readonly string[];
  readonly call: string;
}

export interface NapiOpView {
  readonly marker: string;
  readonly path: string;
  readonly fn: string;
  readonly jsName: string;
  readonly maxArgs: number;
  readonly prelude: readonly string[];
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
    // An operand with a default reads an absent value as that JS number (a weak scalar).
    const operandValue = (a: Arg) => (a.default === undefined ? value(a) : `conv::value_or_number(${value(a)}, ${a.default})`);
    const list = operands.map((a) => `{${operandValue(a)}, "${a.name}"}`).join(', ');
    prelude.push(`auto operands = conv::array_likes({${list}});`);
    operands.forEach((a, i) => prelude.push(`const mx::array& ${a.name} = operands[${i}];`));
  }
  const narrowed = new Set(op.callees.flatMap((c) => Object.entries(c.when).filter(([, p]) => p !== ABSENT).map(([n]) => n)));
  for (const arg of op.args) {
    if (arg.types[0]?.operand || narrowed.has(arg.name)) continue;
    prelude.push(`auto ${arg.name} = ${convertExpr(arg, arg.types[0], value(arg))};`);
  }
  if (op.stream) {
    const fallback = op.family.defaultStream === 'cpu' ? ', cpu_stream()' : '';
    prelude.push(`auto stream = conv::stream(info[${op.args.length}]${fallback});`);
  }

  const branches = op.callees.map((callee) => branchView(op, callee, narrowed, value));
  const last = op.callees[op.callees.length - 1];
  const noMatch = last && Object.keys(last.when).length > 0 ? noMatchMessage(op, op.callees) : undefined;
  return {
    marker: markerText(op.file),
    path: `packages/native/src/generated/${op.family.id}_${op.id}.cc`,
    fn: napiFunctionName(op),
    jsName: op.qualifiedName,
    maxArgs: nativeArity(op),
    prelude,
    branches,
    noMatch,
  };
}

/** Arguments narrowed to a type by some overload are converted inside each branch, as that branch reads them. */
function branchView(op: Op, callee: Callee, narrowed: Set<string>, value: (arg: Arg) => string): NapiBranch {
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
  for (const name of callee.call.flatMap(referencedArgs)) {
    const arg = op.args.find((a) => a.name === name)!;
    if (narrowed.has(name) && callee.when[name] === undefined) {
      conversions.push(`auto ${arg.name} = ${convertExpr(arg, arg.types[0], value(arg))};`);
    }
  }
  const args = callee.call.map((item) => item.replaceAll('$', ''));
  if (op.stream) args.push('stream');
  return {
    condition: conditions.length > 0 ? conditions.join(' && ') : undefined,
    conversions,
    call: `${callee.cpp}(${args.join(', ')})`,
  };
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
  const names = [...new Set(callees.flatMap((c) => Object.keys(c.when)))];
  const parts = names.map((name) => {
    const arg = op.args.find((a) => a.name === name)!;
    const accepted = arg.types.map((t) => t.ts);
    if (arg.optional) accepted.push('undefined');
    return `${name} must be ${accepted.join(' or ')}`;
  });
  return parts.join('; ');
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
