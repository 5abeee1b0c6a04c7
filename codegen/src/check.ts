// Structural checking of parsed YAML against an ObjectSpec, collecting every problem with its line.
import type { LoadedFile, Path, Problem } from './load.js';
import type { Kind, ObjectSpec } from './spec.js';

export function checkObject(src: LoadedFile, value: unknown, spec: ObjectSpec, path: Path, out: Problem[]): void {
  const at = (p: Path, message: string) => out.push({ file: src.file, line: src.lineOf(p), message });
  if (!isPlainObject(value)) {
    at(path, `${describePath(path)} must be a mapping`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (!(key in spec)) {
      at([...path, key], `unknown key '${key}'${describeIn(path)}; allowed: ${Object.keys(spec).join(', ')}`);
    }
  }
  for (const [key, field] of Object.entries(spec)) {
    const v = value[key];
    if (v === undefined || v === null) {
      if (field.required) at(path, `missing required key '${key}'${describeIn(path)}`);
      continue;
    }
    checkKind(src, v, field.kind, [...path, key], out);
  }
}

function checkKind(src: LoadedFile, value: unknown, kind: Kind, path: Path, out: Problem[]): void {
  const at = (message: string) => out.push({ file: src.file, line: src.lineOf(path), message });
  if (kind === 'any') return;
  if (kind === 'string' || kind === 'boolean' || kind === 'number') {
    if (typeof value !== kind) at(`${describePath(path)} must be a ${kind}, got ${typeName(value)}`);
    return;
  }
  if (kind === 'scalar') {
    if (!['string', 'boolean', 'number'].includes(typeof value)) {
      at(`${describePath(path)} must be a string, number or boolean, got ${typeName(value)}`);
    }
    return;
  }
  if ('list' in kind) {
    if (!Array.isArray(value)) {
      at(`${describePath(path)} must be a list, got ${typeName(value)}`);
      return;
    }
    value.forEach((item, i) => checkKind(src, item, kind.list, [...path, i], out));
    return;
  }
  if ('map' in kind) {
    if (!isPlainObject(value)) {
      at(`${describePath(path)} must be a mapping, got ${typeName(value)}`);
      return;
    }
    for (const [k, v] of Object.entries(value)) checkKind(src, v, kind.map, [...path, k], out);
    return;
  }
  checkObject(src, value, kind.object, path, out);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

function describePath(path: Path): string {
  return path.length === 0 ? 'the file' : `'${path.join('.')}'`;
}

function describeIn(path: Path): string {
  return path.length === 0 ? '' : ` in '${path.join('.')}'`;
}
