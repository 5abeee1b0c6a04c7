// Stage 4: render every view through its Handlebars template. Returns path -> content; writes nothing.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Schema } from './model.js';
import { coverageView, docsIndexViews, docsOpView, docsSidebarView, mlxCoverageView, pythonFidelityView } from './views/docs.js';
import { napiEnumsView, napiOpView, napiRegistryView } from './views/napi.js';
import { testOpView } from './views/tests.js';
import { jsonSchemaViews } from './views/json-schema.js';
import { nativeOpsView, tsIndexView, tsMethodsView, tsNamespaceViews, tsOpView } from './views/ts.js';

const templateDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'templates');
const compiled = new Map<string, Handlebars.TemplateDelegate>();

function render(name: string, view: object): string {
  let template = compiled.get(name);
  if (!template) {
    // noEscape: C++ and TS must not be HTML-escaped; strict: a field missing from a view is a bug.
    template = Handlebars.compile(readFileSync(join(templateDir, `${name}.hbs`), 'utf8'), { noEscape: true, strict: true });
    compiled.set(name, template);
  }
  const text = template(withNulls(view));
  return text.split('\n').map((line) => line.trimEnd()).join('\n').replace(/\n{3,}/g, '\n\n');
}

/** Strict templates reject missing keys; optional view fields are present as null instead. */
function withNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withNulls);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === undefined ? null : withNulls(v)]));
  }
  return value;
}

export interface Seed {
  readonly name: string;
  readonly family: string;
}

export function emitAll(schema: Schema, seeds: readonly Seed[]): Map<string, string> {
  const out = new Map<string, string>();
  const put = (view: { path: string }, template: string) => out.set(view.path, render(template, view));
  for (const op of schema.ops) {
    if (!op.binding) put(napiOpView(op), 'napi-op.cc');
    put(tsOpView(op), 'ts-op.ts');
    put(docsOpView(op), 'docs-op.md');
    put(testOpView(op), 'test-op.test.ts');
  }
  put({ ...napiRegistryView(schema.ops), path: 'packages/native/src/generated/registry.cc' }, 'napi-registry.cc');
  put(napiEnumsView(schema.types), 'napi-enums.h');
  put(nativeOpsView(schema.ops), 'native-ops.ts');
  for (const family of schema.families) {
    const ops = schema.ops.filter((op) => op.family.id === family.id);
    put(tsIndexView(family.dir, ops), 'ts-index.ts');
    for (const view of tsNamespaceViews(family.dir, ops)) put(view, 'ts-namespace.ts');
    if (ops.some((op) => op.method)) put(tsMethodsView(family.dir, ops), 'ts-methods.ts');
  }
  for (const view of docsIndexViews(schema)) put(view, 'docs-index.md');
  put(coverageView(schema, seeds), 'coverage.md');
  const mlxCoverage = mlxCoverageView(schema);
  if (mlxCoverage) put(mlxCoverage, 'mlx-coverage.md');
  const fidelity = pythonFidelityView(schema);
  if (fidelity) put(fidelity, 'python-fidelity.md');
  put(docsSidebarView(schema), 'docs-sidebar.mts');
  for (const view of jsonSchemaViews()) put(view, 'json');
  return out;
}
