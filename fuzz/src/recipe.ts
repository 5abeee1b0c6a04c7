// An argument of a fuzzed call, described as data: the generator builds recipes, the shrinker makes them
// smaller, and `print` turns them into the JS source that the child process runs and a report shows.

/** One element of a tensor's data, as JS writes it. */
export type Element = number | bigint | boolean | { re: number; im: number };

/** How a tensor argument is laid out in memory: a fresh row-major tensor or a view of another one. */
export type View = 'none' | 'transpose' | 'reverse' | 'stride' | 'broadcast';

export type Recipe =
  /** A tensor of `shape` (the shape after the view); its elements cycle through `values`. */
  | { kind: 'tensor'; dtype: string; shape: number[]; values: Element[]; view: View; disposed: boolean }
  /** A JS primitive (NaN, -0, bigint and undefined included). */
  | { kind: 'value'; value: Element | string | null | undefined }
  | { kind: 'list'; items: Recipe[] }
  | { kind: 'object'; entries: Array<[string, Recipe]> }
  /** A fixed JS expression the generator has no structure for (functions, symbols, fake tensors). */
  | { kind: 'code'; code: string };

/** Tensors up to this many elements are written out element by element; larger ones are `mx.full`. */
const LITERAL_MAX = 32;

export function print(r: Recipe): string {
  switch (r.kind) {
    case 'tensor':
      return printTensor(r);
    case 'value':
      return printElement(r.value);
    case 'list':
      return `[${r.items.map(print).join(', ')}]`;
    case 'object':
      return r.entries.length === 0 ? '{}' : `{ ${r.entries.map(([k, v]) => `${printKey(k)}: ${print(v)}`).join(', ')} }`;
    case 'code':
      return r.code;
  }
}

/** The shape the tensor is built with before its view is applied. */
export function baseShape(shape: readonly number[], view: View): number[] {
  switch (view) {
    case 'transpose':
      return [...shape].reverse();
    case 'stride':
      return shape.length === 0 ? [] : [shape[0] * 2, ...shape.slice(1)];
    case 'broadcast':
      return shape.length === 0 ? [] : [1, ...shape.slice(1)];
    default:
      return [...shape];
  }
}

function printTensor(r: Extract<Recipe, { kind: 'tensor' }>): string {
  const base = baseShape(r.shape, r.view);
  const size = base.reduce((n, d) => n * d, 1);
  const dtype = `'${r.dtype}'`;
  let code: string;
  if (size <= LITERAL_MAX) {
    const data = Array.from({ length: size }, (_, i) => printElement(r.values[i % r.values.length] ?? 0));
    if (base.length === 0) code = `mx.array(${data[0]}, ${dtype})`;
    else if (base.length === 1) code = `mx.array([${data.join(', ')}], ${dtype})`;
    else code = `mx.array([${data.join(', ')}], ${dtype}).reshape(${JSON.stringify(base)})`;
  } else {
    code = `mx.full(${JSON.stringify(base)}, ${printElement(r.values[0] ?? 0)}, ${dtype})`;
  }
  code = applyView(code, r.view, r.shape);
  return r.disposed ? `disposed(${code})` : code;
}

function applyView(code: string, view: View, shape: readonly number[]): string {
  if (shape.length === 0) return code;
  switch (view) {
    case 'transpose':
      return `mx.transpose(${code})`;
    case 'reverse':
      return `${code}.at('::-1')`;
    case 'stride':
      return `${code}.at('::2')`;
    case 'broadcast':
      return `mx.broadcastTo(${code}, ${JSON.stringify(shape)})`;
    default:
      return code;
  }
}

export function printElement(v: Element | string | null | undefined): string {
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return '-0';
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    return String(v);
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'object') return `{ re: ${printElement(v.re)}, im: ${printElement(v.im)} }`;
  return String(v);
}

/** `code` as the receiver of a method or property: parenthesised unless it is a name or a call chain. */
export function receiver(code: string): string {
  return /^[A-Za-z_$][\w$.]*(\(.*\))?$/s.test(code) ? code : `(${code})`;
}

function printKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}
