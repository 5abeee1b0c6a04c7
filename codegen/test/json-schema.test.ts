// The generated JSON Schemas agree with the loader: every op and class file of the repository validates,
// and a typo or a value of the wrong kind does not. .vscode/settings.json hands them to every family folder.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { documentSchema } from '../src/json-schema.js';
import { classSpec, opSpec } from '../src/spec.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const families = Object.keys(parse(readFileSync(join(repo, 'schema/families.yaml'), 'utf8')) as object);
const yamlIn = (dir: string) => readdirSync(join(repo, 'schema', dir)).filter((f) => f.endsWith('.yaml')).map((f) => `schema/${dir}/${f}`);
// strictRequired is off: the `if`/`else` of an extending file require keys declared at the top level.
const validator = (spec: typeof opSpec, inherited?: string[]) =>
  new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true }).compile(documentSchema(spec, 'test', 'test', inherited));

describe('JSON Schema of op files', () => {
  it('accepts every op file and every class file of the schema', () => {
    const op = validator(opSpec, ['op', 'family']);
    const cls = validator(classSpec);
    const rejected = [
      ...families.flatMap(yamlIn).filter((f) => !op(parse(readFileSync(join(repo, f), 'utf8')))),
      ...yamlIn('classes').filter((f) => !cls(parse(readFileSync(join(repo, f), 'utf8')))),
    ];
    expect(rejected).toEqual([]);
  });

  it('rejects an unknown key, a missing required key and a value of the wrong kind', () => {
    const op = validator(opSpec, ['op', 'family']);
    const base = { op: 'negative', family: 'core', summary: 'N.', doc: 'N.', args: [{ name: 'a', type: 'ArrayLike', doc: 'In.' }], returns: { type: 'Tensor', doc: 'Out.' }, grad: { reason: 'R.' } };
    expect(op(base)).toBe(true);
    expect(op({ ...base, sumary: 'typo' })).toBe(false);
    expect(op({ ...base, summary: undefined })).toBe(false);
    expect(op({ ...base, args: [{ name: 'a', type: 'ArrayLike', doc: 'In.', optional: 'yes' }] })).toBe(false);
    expect(op({ ...base, test: { coveredBy: 'examples' } })).toBe(false);
    // A file that extends an op class may leave the rest to the class, but not its op and family.
    expect(op({ op: 'sum', family: 'core', extends: 'reduction' })).toBe(true);
    expect(op({ op: 'sum', extends: 'reduction' })).toBe(false);
  });

  it('is given to the editor for every family folder and the classes', () => {
    const settings = JSON.parse(readFileSync(join(repo, '.vscode/settings.json'), 'utf8'))['yaml.schemas'];
    expect(settings['./schema/json/op.schema.json']).toEqual(families.map((f) => `schema/${f}/*.yaml`));
    expect(settings['./schema/json/class.schema.json']).toEqual(['schema/classes/*.yaml']);
  });
});
