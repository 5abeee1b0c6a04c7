// The op targets, read from the schema with the generator's own loader: each op's JS path, arguments
// and their types. Only names and TS types cross over (see types.ts for what the fuzzer makes of them).
import { fileURLToPath } from 'node:url';
import type { Arg, Op, TypeDef } from '../../codegen/src/model.js';
import { loadSchema } from '../../codegen/src/validate.js';
import type { ArgSpec, Target, TypeRef } from './targets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The name of the object a package is imported as, in printed calls and in the child process. */
export function packageObject(pkg: string): string {
  return pkg === '@mlxts/core' ? 'mx' : pkg.slice(pkg.indexOf('/') + 1);
}

export function schemaTargets(): Target[] {
  const { schema, problems } = loadSchema(root);
  if (!schema) throw new Error(`fuzz: the schema does not load (${problems.length} problems; run npm run codegen)`);
  return schema.ops.map(opTarget);
}

function opTarget(op: Op): Target {
  const strings = documentedStrings(op);
  const spec = (a: Arg): ArgSpec => ({
    name: a.name,
    types: a.types.map(typeRefOf),
    optional: a.optional || a.default !== undefined,
    strings: typeof a.default === 'string' ? [a.default, ...strings] : strings,
    dtypes: a.dtypes,
  });
  return {
    id: `${packageObject(op.family.package)}.${op.qualifiedName}`,
    positional: op.args.filter((a) => !a.kwonly).map(spec),
    options: op.args.filter((a) => a.kwonly).map(spec),
    stream: op.stream,
    method: op.method,
  };
}

function typeRefOf(t: TypeDef): TypeRef {
  return { name: t.name, ts: t.ts, values: t.enum?.values, wrong: t.wrong };
}

/** The string literals of an op's examples and error cases: the values its string arguments take. */
function documentedStrings(op: Op): string[] {
  const found = new Set<string>();
  for (const code of [...op.examples.map((e) => e.code), ...op.errors.map((e) => e.code)]) {
    for (const m of code.matchAll(/'([^'\\]{0,40})'/g)) found.add(m[1]);
  }
  return [...found];
}
