// The dtype and shape rules of an op (`dtype:` and `shape:` in the schema): a small expression language,
// parsed into a tree that the docs print and the generated tests check.
//
//   dtype: expr (';' dtype (',' dtype)* '->' dtype)*
//     expr: a dtype name | an argument | same(arg) | promote(expr, ...) | at_least_float(expr)
//     e.g. "promote(a, b)", "at_least_float(a)", "bool", "same(a); bool, int8, int16 -> int32"
//   shape: same(arg) | broadcast(arg, ...) | reduce(arg, axis, keepdims) | []

export type DtypeExpr =
  | { readonly kind: 'dtype'; readonly name: string }
  | { readonly kind: 'arg'; readonly name: string }
  | { readonly kind: 'promote'; readonly items: readonly DtypeExpr[] }
  | { readonly kind: 'atLeastFloat'; readonly expr: DtypeExpr };

export interface DtypeRule {
  /** As written in the schema (shown in the docs). */
  readonly text: string;
  readonly expr: DtypeExpr;
  /** Result dtypes replaced after the expression (`bool -> int32`). */
  readonly map: Readonly<Record<string, string>>;
}

export type ShapeRule =
  | { readonly kind: 'same'; readonly arg: string }
  | { readonly kind: 'broadcast'; readonly args: readonly string[] }
  | { readonly kind: 'reduce'; readonly arg: string; readonly axis: string; readonly keepdims: string }
  | { readonly kind: 'scalar' };

const CALL = /^([a-z_]+)\((.*)\)$/;

/** Splits `a, f(b, c), d` at its top-level commas. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** Parses a dtype rule; `isArg` and `isDtype` name what identifiers may be. Throws a message on error. */
export function parseDtypeRule(text: string, isArg: (name: string) => boolean, isDtype: (name: string) => boolean): DtypeRule {
  const [head, ...maps] = text.split(';').map((s) => s.trim());
  const map: Record<string, string> = {};
  for (const m of maps) {
    const [from, to] = m.split('->').map((s) => s.trim());
    if (to === undefined || !isDtype(to)) throw new Error(`'${m}' is not a mapping 'dtype, ... -> dtype'`);
    for (const d of from.split(',').map((s) => s.trim())) {
      if (!isDtype(d)) throw new Error(`unknown dtype '${d}' in '${m}'`);
      map[d] = to;
    }
  }
  const expr = (s: string): DtypeExpr => {
    const call = CALL.exec(s);
    if (!call) {
      if (isArg(s)) return { kind: 'arg', name: s };
      if (isDtype(s)) return { kind: 'dtype', name: s };
      throw new Error(`'${s}' is neither an argument nor a dtype`);
    }
    const items = splitTop(call[2]).map(expr);
    if (call[1] === 'same' && items.length === 1 && items[0].kind === 'arg') return items[0];
    if (call[1] === 'promote' && items.length >= 2) return { kind: 'promote', items };
    if (call[1] === 'at_least_float' && items.length === 1) return { kind: 'atLeastFloat', expr: items[0] };
    throw new Error(`'${s}': the functions are same(arg), promote(x, y, ...) and at_least_float(x)`);
  };
  return { text, expr: expr(head), map };
}

/** Parses a shape rule; throws a message on error. */
export function parseShapeRule(text: string, isArg: (name: string) => boolean): ShapeRule {
  if (text.trim() === '[]') return { kind: 'scalar' };
  const call = CALL.exec(text.trim());
  const args = call ? splitTop(call[2]) : [];
  const unknown = args.find((a) => !isArg(a));
  if (!call || unknown !== undefined) {
    throw new Error(unknown ? `'${unknown}' is not an argument` : `'${text}': the rules are same(x), broadcast(x, y, ...), reduce(a, axis, keepdims) and []`);
  }
  if (call[1] === 'same' && args.length === 1) return { kind: 'same', arg: args[0] };
  if (call[1] === 'broadcast' && args.length >= 2) return { kind: 'broadcast', args };
  if (call[1] === 'reduce' && args.length === 3) return { kind: 'reduce', arg: args[0], axis: args[1], keepdims: args[2] };
  throw new Error(`'${text}': the rules are same(x), broadcast(x, y, ...), reduce(a, axis, keepdims) and []`);
}

/** The arguments a dtype expression reads. */
export function dtypeArgs(expr: DtypeExpr): string[] {
  if (expr.kind === 'arg') return [expr.name];
  if (expr.kind === 'promote') return [...new Set(expr.items.flatMap(dtypeArgs))];
  if (expr.kind === 'atLeastFloat') return dtypeArgs(expr.expr);
  return [];
}
