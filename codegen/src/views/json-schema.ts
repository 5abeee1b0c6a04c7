// The JSON Schemas of op and op-class files (schema/json/), which .vscode/settings.json hands to the YAML
// language server.
import { documentSchema } from '../json-schema.js';
import { classSpec, opSpec } from '../spec.js';
import { markerText } from './common.js';

export interface JsonView {
  readonly path: string;
  readonly json: string;
}

export function jsonSchemaViews(): JsonView[] {
  const note = markerText('codegen/src/spec.ts');
  return [
    { path: 'schema/json/op.schema.json', json: JSON.stringify(documentSchema(opSpec, 'mlxts op file (schema/<family>/<op>.yaml)', note, ['op', 'family']), null, 2) },
    { path: 'schema/json/class.schema.json', json: JSON.stringify(documentSchema(classSpec, 'mlxts op class file (schema/classes/<class>.yaml)', note), null, 2) },
  ];
}
