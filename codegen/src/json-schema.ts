// A JSON Schema (draft 2020-12) for the op and op-class YAML files, derived from the same ObjectSpec the
// loader checks them against, so an editor with a YAML language server flags an unknown key or a value
// of the wrong kind while typing. The loader stays the authority: it also checks names, types and calls.
import type { Kind, ObjectSpec } from './spec.js';

export type JsonSchema = Record<string, unknown>;

/** The JSON Schema of one ObjectSpec: its keys, their kinds, the required ones, nothing else allowed. */
export function objectSchema(spec: ObjectSpec): JsonSchema {
  const required = Object.entries(spec)
    .filter(([, field]) => field.required)
    .map(([key]) => key);
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(spec).map(([key, field]) => [key, kindSchema(field.kind)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

function kindSchema(kind: Kind): JsonSchema {
  if (kind === 'any') return {};
  if (kind === 'scalar') return { type: ['string', 'number', 'boolean'] };
  if (typeof kind === 'string') return { type: kind };
  if ('list' in kind) return { type: 'array', items: kindSchema(kind.list) };
  if ('map' in kind) return { type: 'object', additionalProperties: kindSchema(kind.map) };
  return objectSchema(kind.object);
}

/**
 * A whole schema document: `objectSchema(spec)` with its title and a note that it is generated. With
 * `inherited`, a file that `extends` an op class may leave out the required keys the class can give:
 * only `inherited` stays required then (the loader checks the merged op).
 */
export function documentSchema(spec: ObjectSpec, title: string, note: string, inherited?: readonly string[]): JsonSchema {
  const { required, ...schema } = objectSchema(spec);
  const always = inherited ? { required: inherited } : {};
  const conditional = inherited && required ? { if: { required: ['extends'] }, else: { required } } : required ? { required } : {};
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title, $comment: note, ...schema, ...always, ...conditional };
}
