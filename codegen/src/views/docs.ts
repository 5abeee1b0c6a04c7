// The docs view: one Markdown page per op, an index per family, and the seed coverage table.
import type { MlxFunction, Op, Schema } from '../model.js';
import { defaultText, fnRef, hasOptions, jsLiteral, kwonlyArgs, markerText, positionalArgs, tsTypeOf } from './common.js';
import { overloadsOf, tsOpView } from './ts.js';

export interface DocsOpView {
  readonly marker: string;
  readonly path: string;
  readonly title: string;
  readonly name: string;
  /** What the page's import line names: the function, or its namespace object (`random`). */
  readonly importName: string;
  readonly packageName: string;
  readonly signature: string;
  readonly methodSignature?: string;
  readonly summary: string;
  readonly doc: string;
  readonly args: readonly { name: string; type: string; default: string; doc: string }[];
  readonly options: readonly { name: string; type: string; default: string; doc: string }[];
  readonly returns: string;
  readonly rules: readonly { name: string; rule: string }[];
  readonly errors: readonly { code: string; error: string; message: string }[];
  readonly examples: readonly { title: string; code: string; expect: string }[];
  readonly seed: string;
  readonly source: string;
  /** What the generated transform checks establish about the op's gradient, in a sentence or two. */
  readonly gradient: string;
}

const code = (s: string) => '`' + s.replaceAll('|', '\\|') + '`';

export function docsOpView(op: Op): DocsOpView {
  const ts = tsOpView(op);
  const row = (a: Op['args'][number]) => ({
    name: code(a.name),
    type: code(tsTypeOf(op, a.name)),
    default: a.default !== undefined ? code(defaultText(a.default)!) : a.optional ? 'optional' : 'required',
    doc: [a.doc, ...a.types.filter((t) => t.enum).map((t) => t.doc)].join(' ').replaceAll('\n', ' '),
  });
  const options = kwonlyArgs(op).map(row);
  if (hasOptions(op) && op.stream) {
    const fallback = op.family.defaultStream === 'cpu' ? 'the CPU stream' : "the default device's stream";
    options.push({ name: code('stream'), type: code("'cpu' | 'gpu' | Stream"), default: fallback, doc: 'Where the op runs (`device` is an alias taking a device name).' });
  }
  const rules = [
    ...(op.dtypeRule ? [{ name: 'dtype', rule: code(op.dtypeRule.text) }] : []),
    ...(op.shapeText ? [{ name: 'shape', rule: code(op.shapeText) }] : []),
    ...op.args.filter((a) => a.dtypes).map((a) => ({ name: `dtype of \`${a.name}\``, rule: a.dtypes!.map((d) => code(d)).join(', ') })),
  ];
  return {
    marker: markerText(op.file),
    path: `docs/api/${op.family.id}/${op.qualifiedName}.md`,
    title: fnRef(op),
    name: op.qualifiedName,
    importName: op.namespace ?? op.jsName,
    packageName: op.family.package,
    // A namespaced function is shown as it is called (`random.uniform(...)`), like the method signature.
    signature: [...overloadsOf(op), { params: ts.displayParams, returnType: ts.returnType }]
      .map((o) => `${op.namespace ? '' : 'function '}${op.qualifiedName}(${o.params}): ${o.returnType}`)
      .join('\n'),
    methodSignature: ts.method ? `tensor.${ts.method.name}(${ts.method.params}): ${ts.returnType}` : undefined,
    summary: op.summary,
    doc: op.doc,
    args: positionalArgs(op).map(row),
    options: hasOptions(op) ? options : [],
    returns: `${code(ts.returnType)}: ${op.returns.doc}`,
    rules,
    errors: op.errors.map((e) => ({ code: code(e.code), error: code(e.error), message: code(e.message) })),
    examples: op.examples.map((e) => ({ title: e.title, code: e.code, expect: jsLiteral(e.expect) })),
    seed: op.seed.length > 0 ? op.seed.map(code).join(', ') : 'none (beyond the EMLX API)',
    source: op.file,
    gradient: gradientText(op),
  };
}

/** The op's gradient as its page states it: what the generated tests check, and what they leave out and why. */
function gradientText(op: Op): string {
  if ('reason' in op.gradient) return `Not gradient-checked: ${op.gradient.reason}.`;
  const hints = op.gradient.checked;
  const names = hints.wrt.map((w) => code(w.name)).join(', ');
  const checked = [...(hints.skip.vjp ? [] : ['`grad` and `vjp`']), ...(hints.skip.jvp ? [] : ['`jvp`'])];
  const sentences = [
    checked.length > 0
      ? `${checked.join(' and ')} with respect to ${names} are checked against central finite differences in ${hints.dtype} by the generated tests.`
      : `The gradient with respect to ${names} is not checked.`,
    ...(['vjp', 'jvp', 'vmap', 'compile'] as const).flatMap((key) => (hints.skip[key] ? [`${code(key)}: ${hints.skip[key]}.`] : [])),
  ];
  return sentences.join(' ');
}

/** The coverage table's short form of an op's gradient check (the op's page says more). */
export function gradientLabel(op: Op): string {
  if ('reason' in op.gradient) return 'no';
  const { vjp, jvp } = op.gradient.checked.skip;
  if (vjp && jvp) return 'no (MLX has no rule)';
  return vjp ? 'jvp only' : jvp ? 'vjp only' : 'yes';
}

export interface DocsIndexView {
  readonly marker: string;
  readonly path: string;
  readonly title: string;
  readonly packageName: string;
  readonly summary: string;
  readonly doc: string;
  readonly ops: readonly { name: string; link: string; summary: string }[];
}

export function docsIndexViews(schema: Schema): DocsIndexView[] {
  return schema.families.map((family) => ({
    marker: markerText('schema/families.yaml'),
    path: `docs/api/${family.id}/index.md`,
    title: family.title,
    packageName: family.package,
    summary: family.summary,
    doc: family.doc,
    ops: schema.ops
      .filter((op) => op.family.id === family.id)
      .map((op) => ({ name: op.qualifiedName, link: `./${op.qualifiedName}.md`, summary: op.summary })),
  }));
}

export interface CoverageView {
  readonly marker: string;
  readonly path: string;
  readonly bound: number;
  readonly total: number;
  readonly rows: readonly { seed: string; family: string; fn: string; packageName: string; gradient: string }[];
}

/** `seeds` are the EMLX API's public names with the family expected to cover each. */
export function coverageView(schema: Schema, seeds: readonly { name: string; family: string }[]): CoverageView {
  const rows = seeds.map((s) => {
    const op = schema.ops.find((o) => o.seed.includes(s.name));
    const runtime = schema.runtime.find((r) => r.seed === s.name);
    if (!op && runtime) {
      return { seed: code(s.name), family: s.family, fn: `[${code(runtime.api)}](./${runtime.page})`, packageName: code('@mlxts/core'), gradient: '' };
    }
    return {
      seed: code(s.name),
      family: s.family,
      fn: op ? `[${code(fnRef(op))}](./api/${op.family.id}/${op.qualifiedName}.md)` : 'not yet bound',
      packageName: op ? code(op.family.package) : '',
      gradient: op ? gradientLabel(op) : '',
    };
  });
  return {
    marker: markerText('schema/seed-ops.tsv'),
    path: 'docs/coverage.md',
    bound: rows.filter((r) => r.packageName !== '').length,
    total: rows.length,
    rows,
  };
}

export interface MlxCoverageView {
  readonly marker: string;
  readonly path: string;
  readonly version: string;
  readonly bound: number;
  readonly total: number;
  readonly headers: readonly {
    readonly header: string;
    readonly bound: number;
    readonly total: number;
    readonly rows: readonly { name: string; fn: string; note: string }[];
  }[];
  readonly unbound: readonly { name: string; header: string; reason: string }[];
}

/** Every public function of the scanned MLX headers: the mlxts functions binding it, or why none does. */
export function mlxCoverageView(schema: Schema): MlxCoverageView | undefined {
  const api = schema.mlxApi;
  if (!api) return undefined;
  const qualified = (name: string) => code(`mlx::core::${name}`);
  const link = (id: string) => {
    const page = docsOpView(schema.ops.find((op) => op.id === id)!);
    return `[${code(page.title)}](./${page.path.replace(/^docs\//, '')})`;
  };
  const bound = (f: MlxFunction) => f.ops.length > 0 || f.handwritten !== undefined;
  const headers = [...new Set(api.functions.map((f) => f.header))].map((header) => {
    const functions = api.functions.filter((f) => f.header === header);
    return {
      header,
      bound: functions.filter(bound).length,
      total: functions.length,
      rows: functions.map((f) => ({
        name: qualified(f.name),
        fn: f.handwritten ? `[${code(f.handwritten.api)}](./${f.handwritten.page})` : f.ops.map(link).join(', '),
        note: f.handwritten ? `hand-written: ${f.reason}` : f.ops.length > 0 ? '' : `not bound: ${f.reason}`,
      })),
    };
  });
  const unbound = api.functions.filter((f) => !bound(f));
  return {
    marker: markerText('schema/mlx-headers.yaml and schema/unbound.yaml'),
    path: 'docs/mlx-coverage.md',
    version: api.version,
    bound: api.functions.length - unbound.length,
    total: api.functions.length,
    headers,
    unbound: unbound.map((f) => ({ name: qualified(f.name), header: code(f.header), reason: f.reason ?? '' })),
  };
}

interface SidebarItem {
  readonly text: string;
  readonly link?: string;
  /** A nested group: the functions of one JS namespace (`random`). */
  readonly items?: readonly SidebarItem[];
}

export interface DocsSidebarView {
  readonly marker: string;
  readonly path: string;
  readonly packages: readonly { text: string; link: string; items: readonly SidebarItem[] }[];
}

/** The API part of the docs site's sidebar: one collapsible group per package, one entry per op; the
 * functions of a JS namespace form a nested group where its first op sorts (op ids carry the prefix). */
export function docsSidebarView(schema: Schema): DocsSidebarView {
  const entry = (op: Op): SidebarItem => ({ text: op.qualifiedName, link: `/api/${op.family.id}/${op.qualifiedName}`, items: undefined });
  return {
    marker: markerText('schema/'),
    path: 'docs/.vitepress/sidebar.generated.mts',
    packages: schema.families.map((family) => {
      const ops = schema.ops.filter((op) => op.family.id === family.id);
      const items: SidebarItem[] = [];
      for (const op of ops) {
        if (!op.namespace) items.push(entry(op));
        else if (!items.some((item) => item.text === op.namespace && item.items)) {
          items.push({ text: op.namespace, link: undefined, items: ops.filter((o) => o.namespace === op.namespace).map(entry) });
        }
      }
      return { text: `${family.title} (${family.package})`, link: `/api/${family.id}/`, items };
    }),
  };
}

export interface PythonFidelityView {
  readonly marker: string;
  readonly path: string;
  readonly version: string;
  readonly compared: number;
  readonly matching: number;
  readonly rows: readonly { readonly fn: string; readonly python: string; readonly what: string; readonly reason: string }[];
}

/** The page listing every op whose call differs from MLX Python's, how, and why. */
export function pythonFidelityView(schema: Schema): PythonFidelityView | undefined {
  const python = schema.python;
  if (!python) return undefined;
  const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return {
    marker: markerText('schema/mlx-python.yaml and the ops\' `python.deviation`'),
    path: 'docs/python-fidelity.md',
    version: python.version,
    compared: python.compared,
    matching: python.compared - python.deviations.length,
    rows: python.deviations.map((d) => ({
      fn: `[${code(fnRef(d.op))}](./api/${d.op.family.id}/${d.op.qualifiedName}.md)`,
      python: code(`${d.python}(${d.signature})`),
      what: cell(d.what.join('; ')),
      reason: cell(d.reason),
    })),
  };
}
