// Stage 2: validate the loaded files strictly and build the model. Every problem is reported, with its
// file:line, in one run; a model is returned only when there are none.
import { checkObject, isPlainObject } from './check.js';
import { loadTree, type LoadedFile, type Path, type Problem } from './load.js';
import { deepFreeze, GRAD_SKIPS, type Arg, type Gradient, type Returns, type ReturnCase, type GradInput, type CallItem, type EnumDef, type Callee, type Family, type Op, type PythonFidelity, type RuntimeEntry, type Schema, type TestHints, type TypeDef } from './model.js';
import { fidelityProblems, hasCounterpart, signatureDifferences } from './fidelity.js';
import { readHeaderList, resolveMlxApi } from './mlx-api.js';
import { readPythonList } from './python-stubs.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coverageProblem, parseCoverage, type Coverage } from './coverage.js';
import { parseDtypeRule, parseShapeRule, type DtypeRule, type ShapeRule } from './rules.js';
import { classSpec, enumSpec, familySpec, opSpec, runtimeEntrySpec, typeSpec } from './spec.js';

export const ABSENT = 'absent';
const TEST_KINDS = ['unary', 'binary', 'reduction', 'identity', 'check', 'none'];
const IDENTITY_INPUTS = ['general', 'invertible', 'spd', 'lower', 'upper', 'rhs', 'vector3'];
const IDENTITY_SHAPES = ['square', 'tall', 'wide', 'batched'];
const ERROR_PHASES = ['build', 'eval'];
const STREAMS = ['cpu'];
/** The error rule (docs/concepts/adding-an-op.md): every mistake is one of these; never a plain Error. */
const ERROR_CLASSES = ['TypeError', 'RangeError', 'MlxError'];
const RETURN_TYPES = ['Tensor', 'Tensor[]', 'void'];
const LAWS = ['commutative'];
const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

export function loadSchema(root: string, dir = 'schema'): { schema?: Schema; problems: Problem[] } {
  const { files, problems } = loadTree(root, dir);
  if (problems.length > 0) return { problems };
  return validateFiles(files, dir, (path) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined));
}

/** Reads a file of the repository (a test file named by `coveredBy`), or undefined when there is none. */
export type ReadFile = (path: string) => string | undefined;

/** Validates already-loaded files; `dir` is the schema folder as the files' paths spell it. */
export function validateFiles(files: readonly LoadedFile[], dir: string, read: ReadFile): { schema?: Schema; problems: Problem[] } {
  const problems: Problem[] = [];
  const byName = (name: string) => files.find((f) => f.file === `${dir}/${name}`);
  const vocab = (name: string) => {
    const file = byName(name);
    if (!file) problems.push({ file: `${dir}/${name}`, line: 1, message: 'vocabulary file is missing' });
    return file;
  };
  const familiesFile = vocab('families.yaml');
  const typesFile = vocab('types.yaml');
  const dtypesFile = vocab('dtypes.yaml');
  if (!familiesFile || !typesFile || !dtypesFile) return { problems };

  const families = readFamilies(familiesFile, problems);
  const types = readTypes(typesFile, problems);
  const enumsFile = byName('enums.yaml');
  if (enumsFile) readEnums(enumsFile, types, problems);
  const dtypeClasses = readDtypes(dtypesFile, problems);
  const runtimeFile = byName('runtime.yaml');
  const runtime = runtimeFile ? readRuntime(runtimeFile, problems) : [];
  const classes = new Map<string, { src: LoadedFile; data: Record<string, unknown> }>();
  for (const src of files.filter((f) => f.file.startsWith(`${dir}/classes/`))) {
    checkObject(src, src.data, classSpec, [], problems);
    if (isPlainObject(src.data)) classes.set(baseName(src.file), { src, data: src.data });
  }
  const ops: Op[] = [];
  for (const src of files) {
    const family = src.file.slice(dir.length + 1).split('/')[0];
    if (src === runtimeFile) continue;
    if (!src.file.slice(dir.length + 1).includes('/') || family === 'classes') continue;
    const op = readOp(src, { families, types, dtypeClasses, classes, read }, problems);
    if (op) ops.push(op);
  }
  checkUnique(ops, (op) => op.qualifiedName, 'JS name', problems);
  for (const op of ops) {
    const clash = ops.find((o) => o.family === op.family && o.namespace === undefined && o.jsName === op.namespace);
    if (clash) problems.push({ file: op.file, line: 1, message: `namespace '${op.namespace}' is also the JS name of ${clash.file}` });
  }
  checkUnique(ops, (op) => op.id, 'op id', problems);
  ops.sort((a, b) => (a.family.id + '/' + a.id).localeCompare(b.family.id + '/' + b.id));
  if (problems.length > 0) return { problems };
  const headersFile = byName('mlx-headers.yaml');
  if (!headersFile) return { schema: deepFreeze({ families, runtime, types, dtypeClasses, ops }), problems };
  const unboundFile = vocab('unbound.yaml');
  if (!unboundFile) return { problems };
  const mlx = resolveMlxApi(readHeaderList(headersFile, problems), headersFile, unboundFile, ops, problems);
  if (problems.length > 0) return { problems };
  const pythonFile = byName('mlx-python.yaml');
  const python = pythonFile ? checkPythonFidelity(pythonFile, mlx.ops, files, problems) : undefined;
  if (problems.length > 0) return { problems };
  return { schema: deepFreeze({ families, runtime, types, dtypeClasses, ops: mlx.ops, mlxApi: mlx.api, python }), problems };
}

/** Compares every op with its MLX Python counterpart; a difference without a stated reason is a problem. */
function checkPythonFidelity(src: LoadedFile, ops: readonly Op[], files: readonly LoadedFile[], problems: Problem[]): PythonFidelity | undefined {
  const list = readPythonList(src, problems);
  if (!list) return undefined;
  const differences = signatureDifferences(ops, list.functions);
  for (const { op, message } of fidelityProblems(ops, differences)) {
    const file = files.find((f) => f.file === op.file);
    problems.push({ file: op.file, line: file?.lineOf(op.pythonDeviation === undefined ? [] : ['python', 'deviation']) ?? 1, message });
  }
  return {
    version: list.version,
    compared: ops.filter((op) => hasCounterpart(op, list.functions)).length,
    deviations: differences.map((d) => ({ ...d, reason: d.op.pythonDeviation ?? '' })),
  };
}

interface Vocab {
  families: Family[];
  types: Map<string, TypeDef>;
  dtypeClasses: Record<string, string[]>;
  classes: Map<string, { src: LoadedFile; data: Record<string, unknown> }>;
  read: ReadFile;
}

function readFamilies(src: LoadedFile, problems: Problem[]): Family[] {
  if (!isPlainObject(src.data)) return [];
  return Object.entries(src.data).map(([id, value]) => {
    checkObject(src, value, familySpec, [id], problems);
    const v = value as Record<string, string>;
    if (v.default_stream !== undefined && !STREAMS.includes(v.default_stream)) {
      problems.push({ file: src.file, line: src.lineOf([id, 'default_stream']), message: `default_stream must be one of ${STREAMS.join(', ')}` });
    }
    return { id, package: v.package, dir: v.dir, title: v.title, summary: v.summary, doc: (v.doc ?? '').trim(), defaultStream: v.default_stream as 'cpu' | undefined };
  });
}

function readTypes(src: LoadedFile, problems: Problem[]): Map<string, TypeDef> {
  const types = new Map<string, TypeDef>();
  if (!isPlainObject(src.data)) return types;
  for (const [name, value] of Object.entries(src.data)) {
    checkObject(src, value, typeSpec, [name], problems);
    const v = value as Record<string, any>;
    const def: TypeDef = { name, ts: v.ts, doc: v.doc, valid: v.valid, wrong: v.wrong ?? [], operand: v.operand === true, convert: v.convert ?? {}, when: v.when };
    if (!def.operand && !def.convert.required && !def.convert.default && !def.convert.optional) {
      problems.push({ file: src.file, line: src.lineOf([name]), message: `type '${name}' needs 'convert' or 'operand: true'` });
    }
    types.set(name, def);
  }
  return types;
}

/** Enums become argument types: a TS literal union, converted by one checked C++ conversion (conv::choice). */
function readEnums(src: LoadedFile, types: Map<string, TypeDef>, problems: Problem[]): void {
  if (!isPlainObject(src.data)) return;
  for (const [name, value] of Object.entries(src.data)) {
    const before = problems.length;
    checkObject(src, value, enumSpec, [name], problems);
    if (problems.length > before) continue;
    const v = value as { doc: string; values: string[]; mlx?: string; cpp?: string };
    const at = (message: string, ...path: (string | number)[]) => problems.push({ file: src.file, line: src.lineOf([name, ...path]), message });
    if (types.has(name)) at(`enum '${name}' is also a type of types.yaml`);
    if (v.values.length === 0) at(`enum '${name}' needs at least one value`, 'values');
    v.values.forEach((value, i) => {
      if (!IDENT.test(value)) at(`enum value '${value}' must be an identifier`, 'values', i);
      if (v.values.indexOf(value) !== i) at(`enum value '${value}' is listed twice`, 'values', i);
    });
    if (v.mlx !== undefined && !CPP_NAME.test(v.mlx)) at(`'mlx' must name an MLX C++ enum below mlx::core, such as fft::FFTNorm`, 'mlx');
    if (v.cpp !== undefined && v.cpp !== 'enum') at(`'cpp' can only be 'enum' (a C++ enum class generated for helpers)`, 'cpp');
    if (v.cpp !== undefined && v.mlx !== undefined) at(`an enum maps onto MLX's enum ('mlx') or a generated one ('cpp: enum'), not both`, 'cpp');
    types.set(name, enumType(name, v.doc.trim(), { values: v.values, mlx: v.mlx, generated: v.cpp === 'enum' }));
  }
}

const CPP_NAME = /^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The type of an enum: its converters check the value against the list (the only check there is). */
export function enumType(name: string, doc: string, def: EnumDef): TypeDef {
  const names = `{${def.values.map((v) => JSON.stringify(v)).join(', ')}}`;
  const cpp = enumCppType(name, def);
  const table = cpp ? `{${def.values.map((v) => `{${JSON.stringify(v)}, ${cpp}::${pascal(v)}}`).join(', ')}}` : names;
  const fn = cpp ? `conv::mapped_choice<${cpp}>` : 'conv::choice';
  const optional = cpp ? `conv::optional_mapped_choice<${cpp}>` : 'conv::optional_choice';
  return {
    name,
    ts: def.values.map((v) => `'${v}'`).join(' | '),
    doc,
    valid: `'${def.values[0]}'`,
    wrong: ["'nope'"],
    operand: false,
    convert: {
      required: `${fn}($value, "$name", ${table})`,
      default: `${fn}($value, "$name", ${table}, "$default")`,
      optional: `${optional}($value, "$name", ${table})`,
    },
    when: 'conv::is_string($value)',
    enum: def,
  };
}

/** The C++ enum an enum's values convert to; undefined for a std::string. */
export function enumCppType(name: string, def: EnumDef): string | undefined {
  if (def.mlx) return `mx::${def.mlx}`;
  return def.generated ? `mlxts::${name}` : undefined;
}

/** The C++ enumerator of a value: its name in PascalCase. */
export function pascal(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function readRuntime(src: LoadedFile, problems: Problem[]): RuntimeEntry[] {
  if (!Array.isArray(src.data)) {
    problems.push({ file: src.file, line: 1, message: 'runtime.yaml must be a list of {seed, api, page}' });
    return [];
  }
  src.data.forEach((entry, i) => checkObject(src, entry, runtimeEntrySpec, [i], problems));
  return src.data as RuntimeEntry[];
}

function readDtypes(src: LoadedFile, problems: Problem[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!isPlainObject(src.data)) return out;
  for (const [name, value] of Object.entries(src.data)) {
    if (!Array.isArray(value) || !value.every((d) => typeof d === 'string')) {
      problems.push({ file: src.file, line: src.lineOf([name]), message: `dtype class '${name}' must be a list of dtype names` });
      continue;
    }
    out[name] = value;
  }
  return out;
}

interface OpNames {
  /** The op id (MLX's C++ name), substituted for `$op`. */
  readonly op: string;
  /** The JS name, substituted for `$js`. */
  readonly js: string;
}

/** Maps merge recursively; lists and scalars of the op replace the class's. Class strings may use `$op` and `$js`. */
function mergeClass(base: unknown, own: unknown, names: OpNames): unknown {
  if (own === undefined) return substituteNames(base, names);
  if (isPlainObject(base) && isPlainObject(own)) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(base), ...Object.keys(own)])) out[key] = mergeClass(base[key], own[key], names);
    return out;
  }
  return own;
}

function substituteNames(value: unknown, names: OpNames): unknown {
  if (typeof value === 'string') return value.replaceAll('$op', names.op).replaceAll('$js', names.js);
  if (Array.isArray(value)) return value.map((v) => substituteNames(v, names));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteNames(v, names)]));
  return value;
}

function readOp(src: LoadedFile, vocab: Vocab, problems: Problem[]): Op | undefined {
  const before = problems.length;
  const at = (path: Path, message: string) => problems.push({ file: src.file, line: src.lineOf(path), message });
  if (!isPlainObject(src.data)) {
    at([], 'an op file must be a mapping');
    return undefined;
  }
  let data: Record<string, unknown> = src.data;
  if (typeof data.extends === 'string') {
    const cls = vocab.classes.get(data.extends);
    if (!cls) at(['extends'], `unknown op class '${data.extends}'; known: ${[...vocab.classes.keys()].join(', ')}`);
    else {
      const op = String(data.op);
      const js = isPlainObject(data.js) && typeof data.js.name === 'string' ? data.js.name : defaultJsName(op, isPlainObject(data.js) ? data.js.namespace : undefined);
      data = mergeClass(cls.data, data, { op, js }) as Record<string, unknown>;
    }
  }
  checkObject(src, data, opSpec, [], problems);
  if (problems.length > before) return undefined;
  const d = data as Record<string, any>;

  const [familyDir, fileName] = src.file.split('/').slice(-2);
  if (!IDENT.test(d.op) || d.op !== d.op.toLowerCase()) at(['op'], `op id '${d.op}' must be snake_case`);
  if (fileName !== `${d.op}.yaml`) at(['op'], `op '${d.op}' must live in a file named ${d.op}.yaml`);
  const family = vocab.families.find((f) => f.id === d.family);
  if (!family) at(['family'], `unknown family '${d.family}'; known: ${vocab.families.map((f) => f.id).join(', ')}`);
  else if (familyDir !== family.id) at(['family'], `op of family '${family.id}' must live in schema/${family.id}/`);

  const namespace: string | undefined = d.js?.namespace;
  if (namespace !== undefined) {
    if (!IDENT.test(namespace) || namespace !== namespace.toLowerCase()) at(['js', 'namespace'], `namespace '${namespace}' must be a lower-case identifier`);
    // The op id stays MLX's C++ name, prefixed by its C++ namespace (random::uniform is random_uniform).
    if (!d.op.startsWith(`${namespace}_`)) at(['op'], `op '${d.op}' of namespace '${namespace}' must be named ${namespace}_<MLX name>`);
    if (d.js?.method) at(['js', 'method'], 'a namespaced function cannot also be a Tensor method');
  }
  const args = readArgs(d.args, vocab.types, vocab.dtypeClasses, at);
  if (d.js?.method && args.some((a) => a.rest)) at(['js', 'method'], 'an op with a rest argument cannot be a Tensor method');
  const overloads = (d.js?.overloads ?? []).map((o: { args: string[]; doc: string }) => ({ names: o.args, doc: o.doc.trim() }));
  overloads.forEach((o: { names: string[] }, i: number) => {
    const positional = args.filter((a) => !a.kwonly);
    if (o.names.length === 0 || o.names.length >= positional.length || positional.some((a) => a.rest)) {
      at(['js', 'overloads', i], 'an overload takes some but not all of the positional arguments (and none of a rest argument)');
    }
    if (o.names.some((n) => !IDENT.test(n))) at(['js', 'overloads', i, 'args'], 'overload argument names must be identifiers');
  });
  const params = readParams(d, vocab.types, at);
  const callees = readCallees(d, args, params, at);
  const returns = readReturns(d.returns, args, at);
  if (returns.cases.length > 0 && (overloads.length > 0 || args.some((a) => a.rest))) {
    at(['returns', 'cases'], 'returns.cases make overloads of their own: not with js.overloads or a rest argument');
  }
  (d.errors ?? []).forEach((e: any, i: number) => {
    if (!ERROR_CLASSES.includes(e.error)) at(['errors', i, 'error'], `error must be one of ${ERROR_CLASSES.join(', ')}`);
    if (e.phase !== undefined && !ERROR_PHASES.includes(e.phase)) at(['errors', i, 'phase'], `phase must be one of ${ERROR_PHASES.join(', ')}`);
  });
  const test = readTest(d.test ?? {}, args, vocab.dtypeClasses, at);
  const rules = readRules(d, args, vocab.dtypeClasses, at);
  const gradient = readGradient(d.grad, args, d.returns.type, at);
  const jsName: string = d.js?.name ?? defaultJsName(d.op, namespace);
  test.coveredBy.forEach((c, i) => {
    const problem = coverageProblem(c, jsName, (d.examples ?? []).length > 0, vocab.read);
    if (problem) at(['test', 'coveredBy', i], `test.coveredBy: ${problem}`);
  });
  if (problems.length > before || !family) return undefined;
  return {
    id: d.op,
    family,
    file: src.file,
    jsName,
    namespace,
    qualifiedName: namespace ? `${namespace}.${jsName}` : jsName,
    method: d.js?.method ?? false,
    dispatch: d.js?.dispatch ?? false,
    seed: d.seed ?? [],
    mlx: d.mlx ?? [],
    summary: d.summary.trim(),
    doc: d.doc.trim(),
    args: withRuleCasts(args, rules.dtypeRule, vocab.dtypeClasses),
    stream: d.stream ?? true,
    binding: d.binding,
    overloads,
    pythonDeviation: d.python?.deviation.trim(),
    callees,
    returns,
    ...rules,
    errors: (d.errors ?? []).map((e: any) => ({ ...e, phase: e.phase ?? 'build' })),
    examples: d.examples ?? [],
    test,
    gradient,
  };
}

type At = (path: Path, message: string) => void;

/**
 * What an op returns. A `tuple` names the tensors of a list of fixed length; `cases` give other tuples
 * for some values of one bool or enum argument with a default, whose own tuple is `tuple` (so each case
 * becomes a TS overload with the argument narrowed to its values).
 */
function readReturns(r: { type: string; doc: string; tuple?: string[]; cases?: { when: Record<string, unknown>; tuple: string[] }[] }, args: Arg[], at: At): Returns {
  if (!RETURN_TYPES.includes(r.type)) at(['returns', 'type'], `returns.type must be one of ${RETURN_TYPES.join(', ')}`);
  const checkTuple = (tuple: string[], path: Path) => {
    if (tuple.length === 0) at(path, 'a tuple names at least one tensor');
    const bad = tuple.filter((n) => !IDENT.test(n));
    if (bad.length > 0) at(path, `tuple names must be identifiers, got ${bad.map((n) => `'${n}'`).join(', ')}`);
    if (new Set(tuple).size !== tuple.length) at(path, 'tuple names must be distinct');
  };
  if (r.tuple !== undefined) {
    if (r.type !== 'Tensor[]') at(['returns', 'tuple'], 'returns.tuple names the tensors of a list: it needs type Tensor[]');
    checkTuple(r.tuple, ['returns', 'tuple']);
  }
  const cases: ReturnCase[] = [];
  const seen = new Set<string | boolean>();
  (r.cases ?? []).forEach((c, i) => {
    const path = ['returns', 'cases', i];
    if (r.tuple === undefined) at(path, 'returns.cases needs returns.tuple: the tuple of the other values');
    checkTuple(c.tuple, [...path, 'tuple']);
    const names = Object.keys(c.when);
    if (names.length !== 1) return at([...path, 'when'], 'a case tests exactly one argument');
    const arg = args.find((a) => a.name === names[0]);
    if (!arg) return at([...path, 'when'], `unknown argument '${names[0]}'`);
    if (cases.length > 0 && cases[0].arg !== arg.name) at([...path, 'when'], `every case tests the same argument ('${cases[0].arg}')`);
    const type = arg.types.length === 1 ? arg.types[0] : undefined;
    const allowed: readonly (string | boolean)[] | undefined = type?.name === 'bool' ? [true, false] : type?.enum?.values;
    if (!allowed || arg.default === undefined) return at([...path, 'when'], `'${arg.name}' must be a bool or enum argument with a default`);
    // A case's overload requires the argument (or the options object holding it), so no optional
    // positional argument may come before it.
    const positional = args.filter((a) => !a.kwonly);
    const before = arg.kwonly ? positional : positional.slice(0, positional.indexOf(arg));
    if (before.some((a) => a.optional)) at([...path, 'when'], `'${arg.name}' follows an optional positional argument: an overload cannot require it`);
    const raw = c.when[arg.name];
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      if (!allowed.includes(v as string | boolean)) at([...path, 'when'], `'${arg.name}' cannot be ${JSON.stringify(v)}; its values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
      else if (v === arg.default) at([...path, 'when'], `a case cannot include the default of '${arg.name}': returns.tuple is what the op returns with it`);
      else if (seen.has(v as string | boolean)) at([...path, 'when'], `${JSON.stringify(v)} is in two cases`);
      seen.add(v as string | boolean);
    }
    cases.push({ arg: arg.name, values: values as (string | boolean)[], tuple: c.tuple });
  });
  return { type: r.type as Returns['type'], doc: r.doc, tuple: r.tuple, cases };
}

function readArgs(raw: any[], types: Map<string, TypeDef>, dtypeClasses: Record<string, string[]>, at: At): Arg[] {
  const args: Arg[] = [];
  let sawOptionalPositional = false;
  raw.forEach((a, i) => {
    const path = ['args', i];
    if (!IDENT.test(a.name)) at([...path, 'name'], `argument name '${a.name}' must be an identifier (MLX Python's name, camelCased)`);
    if (args.some((b) => b.name === a.name)) at([...path, 'name'], `argument '${a.name}' is declared twice`);
    const members = String(a.type).split('|').map((t) => t.trim());
    const defs = members.map((t) => types.get(t));
    defs.forEach((def, j) => {
      if (!def) at([...path, 'type'], `unknown type '${members[j]}'; known: ${[...types.keys()].join(', ')}`);
    });
    const optional = a.optional === true || a.default !== undefined;
    const kwonly = a.kwonly === true;
    if (!kwonly) {
      if (optional) sawOptionalPositional = true;
      else if (sawOptionalPositional) at(path, `required positional argument '${a.name}' follows an optional one`);
    }
    const known = defs.filter((d): d is TypeDef => d !== undefined);
    // An operand's default is a JS number, converted as a weak scalar like one the caller passed.
    const operandDefault = known.length === 1 && known[0].operand && typeof a.default === 'number';
    if (known.length === 1 && a.default !== undefined && !known[0].convert.default && !operandDefault) {
      at([...path, 'default'], `type '${a.type}' cannot take a default${known[0].operand ? ' other than a number' : ''}`);
    }
    if (known.length === 1 && a.default === undefined && a.optional === true && !known[0].convert.optional && !known[0].operand) {
      at([...path, 'optional'], `type '${a.type}' has no optional form (convert.optional in types.yaml): give a default instead`);
    }
    if (known.length > 1 && a.default !== undefined) at([...path, 'default'], 'a union-typed argument cannot take a default');
    const values = known.length === 1 ? known[0].enum?.values : undefined;
    if (values && a.default !== undefined && !values.includes(String(a.default))) {
      at([...path, 'default'], `default '${a.default}' is not a value of ${a.type}: ${values.join(', ')}`);
    }
    let dtypes: string[] | undefined;
    if (a.dtypes !== undefined) {
      dtypes = [];
      (a.dtypes as string[]).forEach((name, j) => {
        if ((dtypeClasses.all ?? []).includes(name)) dtypes!.push(name);
        else if (dtypeClasses[name]) dtypes!.push(...dtypeClasses[name]);
        else at([...path, 'dtypes', j], `unknown dtype or dtype class '${name}'`);
      });
      if (!(known.length === 1 && (known[0].operand || ['Tensor', 'Dtype'].includes(known[0].name)))) {
        at([...path, 'dtypes'], `'dtypes' needs a tensor or Dtype argument`);
      }
    }
    if (a.cast !== undefined && !(known.length === 1 && (known[0].operand || known[0].name === 'Tensor'))) {
      at([...path, 'cast'], `'cast' needs a tensor argument (type ArrayLike or Tensor)`);
    }
    // A key may be a dtype class (`{integer: float32, bool: float32}`): each of its dtypes is converted.
    const cast: Record<string, string> = {};
    for (const [from, to] of Object.entries<string>(a.cast ?? {})) {
      const sources = (dtypeClasses.all ?? []).includes(from) ? [from] : dtypeClasses[from];
      if (!sources) at([...path, 'cast', from], `unknown dtype or dtype class '${from}' in 'cast'`);
      if (!(dtypeClasses.all ?? []).includes(to)) at([...path, 'cast', from], `unknown dtype '${to}' in 'cast'`);
      for (const d of sources ?? []) if (d !== to) cast[d] = to;
    }
    const rest = a.rest === true;
    if (rest && (kwonly || optional || known.length !== 1 || !known[0].ts.endsWith('[]'))) {
      at([...path, 'rest'], `rest argument '${a.name}' must be positional, required and of one list type`);
    }
    if (rest && raw.slice(i + 1).some((b) => b.kwonly !== true)) at([...path, 'rest'], `rest argument '${a.name}' must be the last positional argument`);
    args.push({ name: a.name, typeName: a.type, types: known, doc: a.doc.trim(), default: a.default, optional, kwonly, rest, cast, dtypes: dtypes && [...new Set(dtypes)] });
  });
  return args;
}

/** The class parameters of an op with the values it gives them (`with`), each checked against its type. */
function readParams(d: Record<string, any>, types: Map<string, TypeDef>, at: At): Map<string, CallItem & { kind: 'value' }> {
  const params = new Map<string, CallItem & { kind: 'value' }>();
  const given: Record<string, unknown> = d.with ?? {};
  for (const [name, p] of Object.entries<{ type: string; doc: string }>(d.params ?? {})) {
    const type = types.get(p.type);
    if (!IDENT.test(name)) at(['params', name], `parameter name '${name}' must be an identifier`);
    if (!type || !(PARAM_TYPES.includes(p.type) || type.enum)) {
      at(['params', name, 'type'], `a parameter's type is ${PARAM_TYPES.join(', ')} or an enum, not '${p.type}'`);
      continue;
    }
    const value = given[name];
    if (value === undefined) {
      at(['with'], `missing a value for the class parameter '${name}' (${p.doc.trim()})`);
      params.set(name, { kind: 'value', name, value: null, type });
      continue;
    }
    const fits = type.enum ? typeof value === 'string' && type.enum.values.includes(value)
      : p.type === 'bool' ? typeof value === 'boolean' : Number.isInteger(value);
    if (!fits) at(['with', name], `'${String(value)}' is not a value of ${p.type}${type.enum ? ` (${type.enum.values.join(', ')})` : ''}`);
    params.set(name, { kind: 'value', name, value: value as string | number | boolean, type });
  }
  for (const name of Object.keys(given)) {
    if (!params.has(name)) at(['with', name], `'${name}' is not a parameter of the op's class`);
  }
  return params;
}

const PARAM_TYPES = ['bool', 'int'];
const QUALIFIED = /^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)+$/;

function readCallees(d: Record<string, any>, args: Arg[], params: Map<string, CallItem & { kind: 'value' }>, at: At): Callee[] {
  if (d.binding) {
    if (d.callee) at(['callee'], "an op with 'binding' (a hand-written native function) has no 'callee'");
    return [];
  }
  if (!d.callee || d.callee.length === 0) {
    at([], "missing 'callee' (or 'binding' for a hand-written native function)");
    return [];
  }
  const used = new Set<string>();
  const usedParams = new Set<string>();
  const callees: Callee[] = d.callee.map((c: any, i: number) => {
    const path = ['callee', i];
    const when: Record<string, string> = c.when ?? {};
    if (Object.keys(when).length === 0 && i !== d.callee.length - 1) {
      at(path, 'only the last callee may omit `when` (it is the fallback)');
    }
    if (!QUALIFIED.test(c.cpp)) at([...path, 'cpp'], `cpp '${c.cpp}' must be a qualified C++ function name such as mlx::core::add`);
    for (const [name, predicate] of Object.entries(when)) {
      const arg = args.find((a) => a.name === name);
      used.add(name);
      if (!arg) {
        at([...path, 'when', name], `'when' names undeclared argument '${name}'`);
        continue;
      }
      const allowed = [...arg.types.map((t) => t.name), ...(arg.optional ? [ABSENT] : [])];
      if (!allowed.includes(predicate)) {
        at([...path, 'when', name], `'${predicate}' is not a type of '${name}'; use one of: ${allowed.join(', ')}`);
      } else if (predicate !== ABSENT && !arg.types.find((t) => t.name === predicate)?.when) {
        at([...path, 'when', name], `type '${predicate}' has no 'when' test in types.yaml`);
      }
    }
    const call: CallItem[] = [];
    c.call.forEach((raw: unknown, j: number) => {
      const item = readCallItem(raw, params);
      if (typeof item === 'string') {
        at([...path, 'call', j], item);
        return;
      }
      call.push(item);
      if (item.kind === 'value') {
        if (params.has(item.name) && params.get(item.name) === item) usedParams.add(item.name);
        return;
      }
      const name = item.name;
      used.add(name);
      const arg = args.find((a) => a.name === name);
      if (!arg) at([...path, 'call', j], `call refers to undeclared argument '${name}'`);
      else if (arg.types.length > 1 && (when[name] === undefined || when[name] === ABSENT)) {
        at([...path, 'call', j], `'${name}' has the union type '${arg.typeName}': narrow it with when: {${name}: <type>}`);
      } else if (when[name] === ABSENT) {
        at([...path, 'call', j], `'${name}' is absent in this overload and cannot be passed`);
      }
    });
    return { when, cpp: c.cpp, call };
  });
  args.forEach((arg, i) => {
    if (!used.has(arg.name)) at(['args', i], `argument '${arg.name}' is never used by any callee`);
  });
  for (const name of params.keys()) {
    if (!usedParams.has(name)) at(['params', name], `class parameter '${name}' is never passed to a callee`);
  }
  return callees;
}

/** A call item, or the problem with it. */
function readCallItem(raw: unknown, params: Map<string, CallItem & { kind: 'value' }>): CallItem | string {
  if (typeof raw === 'string') {
    if (IDENT.test(raw)) return { kind: 'arg', name: raw };
    const param = /^\$([A-Za-z][A-Za-z0-9_]*)$/.exec(raw);
    if (param) return params.get(param[1]) ?? `'${raw}' names no parameter of the op's class`;
  }
  if (isPlainObject(raw) && Object.keys(raw).length === 1) {
    const [name, value] = Object.entries(raw)[0];
    if (!IDENT.test(name)) return `named value '${name}' must be named after the callee's parameter (an identifier)`;
    if (value === null || typeof value === 'boolean' || typeof value === 'number') return { kind: 'value', name, value };
    return `named value '${name}' must be null, a number or a boolean`;
  }
  return `call item ${JSON.stringify(raw)} is not an argument, a $parameter of the op's class or a named value ({name: value}); C++ expressions do not belong in the schema`;
}

/**
 * A dtype rule `at_least_float(x)` is also what the wrapper does: integer and bool tensors of `x` are
 * converted to float32 before MLX is called (MLX 0.32.4 computes some of these ops, such as mean, var,
 * logsumexp, softmax and linalg.norm, in the integer dtype: int32 sums wrapped, a 2-norm wrapped to 0).
 * The generated dtype test checks the result.
 */
function withRuleCasts(args: Arg[], rule: DtypeRule | undefined, dtypeClasses: Record<string, string[]>): Arg[] {
  if (rule?.expr.kind !== 'atLeastFloat' || rule.expr.expr.kind !== 'arg') return args;
  const name = rule.expr.expr.name;
  const toFloat = Object.fromEntries([...(dtypeClasses.integer ?? []), 'bool'].map((d) => [d, 'float32']));
  return args.map((a) => (a.name === name ? { ...a, cast: { ...toFloat, ...a.cast } } : a));
}

/** Tensor-valued arguments (operands and tensors): what dtype and shape rules and `dtypes` talk about. */
export function isTensorArg(arg: Arg): boolean {
  return arg.types.length === 1 && (arg.types[0].operand || ['Tensor', 'MaybeTensor', 'Indices'].includes(arg.types[0].name));
}

function readRules(d: Record<string, any>, args: Arg[], dtypeClasses: Record<string, string[]>, at: At) {
  const isTensor = (name: string) => args.some((a) => a.name === name && isTensorArg(a));
  const isDtype = (name: string) => (dtypeClasses.all ?? []).includes(name);
  const out: { dtypeRule?: DtypeRule; shapeRule?: ShapeRule; shapeText?: string } = {};
  if (d.dtype !== undefined) {
    try {
      out.dtypeRule = parseDtypeRule(d.dtype, isTensor, isDtype);
    } catch (e) {
      at(['dtype'], `dtype rule: ${(e as Error).message}`);
    }
  }
  if (d.shape !== undefined) {
    try {
      out.shapeRule = parseShapeRule(d.shape, (name) => args.some((a) => a.name === name));
      out.shapeText = d.shape;
    } catch (e) {
      at(['shape'], `shape rule: ${(e as Error).message}`);
    }
  }
  return out;
}

function readTest(t: Record<string, any>, args: Arg[], dtypeClasses: Record<string, string[]>, at: At): TestHints {
  const kind = t.kind ?? 'none';
  if (!TEST_KINDS.includes(kind)) at(['test', 'kind'], `test.kind must be one of ${TEST_KINDS.join(', ')}`);
  if (kind !== 'none' && !t.reference) at(['test'], `test.kind '${kind}' needs a 'reference'`);
  if (kind === 'none' && !t.coveredBy?.length) {
    at(['test'], "an op without a property test (test.kind none) must say where it is tested in 'test.coveredBy'");
  }
  const coveredBy: Coverage[] = [];
  (t.coveredBy ?? []).forEach((entry: string, i: number) => {
    const c = parseCoverage(entry);
    if (typeof c === 'string') at(['test', 'coveredBy', i], `test.coveredBy: ${c}`);
    else coveredBy.push(c);
  });
  const all = dtypeClasses.all ?? [];
  const dtypes: string[] = [];
  (t.dtypes ?? []).forEach((name: string, i: number) => {
    if (all.includes(name)) dtypes.push(name);
    else if (dtypeClasses[name]) dtypes.push(...dtypeClasses[name]);
    else at(['test', 'dtypes', i], `unknown dtype or dtype class '${name}'`);
  });
  (t.laws ?? []).forEach((law: string, i: number) => {
    if (!LAWS.includes(law)) at(['test', 'laws', i], `unknown law '${law}'; known: ${LAWS.join(', ')}`);
  });
  if (kind !== 'none' && args.length === 0) at(['test'], 'a property test needs at least one argument');
  (t.inputs ?? []).forEach((name: string, i: number) => {
    if (!IDENTITY_INPUTS.includes(name)) at(['test', 'inputs', i], `unknown input kind '${name}'; known: ${IDENTITY_INPUTS.join(', ')}`);
  });
  (t.shapes ?? []).forEach((name: string, i: number) => {
    if (!IDENTITY_SHAPES.includes(name)) at(['test', 'shapes', i], `unknown matrix shape '${name}'; known: ${IDENTITY_SHAPES.join(', ')}`);
  });
  if (kind === 'identity' && (!t.inputs || t.inputs.length === 0)) at(['test'], "an identity test needs 'inputs'");
  for (const [name, value] of Object.entries<unknown>(t.sample ?? {})) {
    const arg = args.find((a) => a.name === name);
    const shape = Array.isArray(value) && value.every((d) => Number.isInteger(d) && d >= 0);
    if (!arg) at(['test', 'sample', name], `'${name}' is not an argument`);
    else if (typeof value !== 'string' && !(shape && isTensorArg(arg))) {
      at(['test', 'sample', name], `the sample of '${name}' is a JS expression (a string)${isTensorArg(arg) ? ' or a shape (a list of sizes)' : ''}`);
    }
  }
  return {
    kind,
    reference: t.reference,
    dtypes: [...new Set(dtypes)],
    domain: { min: t.domain?.min ?? -10, max: t.domain?.max ?? 10, integer: t.domain?.integer ?? false },
    tolerance: t.tolerance ?? {},
    laws: t.laws ?? [],
    coveredBy,
    inputs: t.inputs ?? [],
    shapes: t.shapes ?? ['square'],
    sample: t.sample ?? {},
  };
}

const GRAD_DTYPES = ['float64', 'float32'];

/**
 * The `grad` hint: the differentiated arguments (tensors, each with a shape and an interval of values),
 * JS expressions for the others, or else the reason the op is not gradient-checked. Every op has one.
 */
function readGradient(g: Record<string, any>, args: Arg[], returns: string, at: At): Gradient {
  const wrt = Object.entries<Record<string, any>>(g.wrt ?? {});
  if ((g.reason === undefined) === (wrt.length === 0)) {
    at(['grad'], "grad needs either 'wrt' (the arguments the generated checks differentiate) or 'reason' (why the op has no gradient check)");
  }
  if (g.reason !== undefined) {
    const extra = Object.keys(g).filter((key) => key !== 'reason');
    if (extra.length > 0) at(['grad', extra[0]], `grad: '${extra[0]}' means nothing for an op that is not gradient-checked`);
    return { reason: String(g.reason).trim() };
  }
  if (returns === 'void') at(['grad'], 'an op that returns nothing has no gradient');
  const isList = (name: string) => args.find((a) => a.name === name)?.typeName === 'ArrayLike[]';
  const inputs = wrt.map(([name, input]): GradInput => {
    const arg = args.find((a) => a.name === name);
    if (!arg || !(isTensorArg(arg) || isList(name))) at(['grad', 'wrt', name], `grad.wrt: '${name}' is not a tensor argument`);
    if (input.count !== undefined && (!isList(name) || !Number.isInteger(input.count) || input.count < 1)) {
      at(['grad', 'wrt', name, 'count'], 'grad.wrt: count is a positive number of tensors, for a list-of-tensors argument');
    }
    if (input.map !== undefined && !/\bx\b/.test(input.map)) at(['grad', 'wrt', name, 'map'], "grad.wrt: 'map' is a JS expression of x, the random input");
    const { shape = [2, 3], min = -2, max = 2 } = input;
    if (min >= max) at(['grad', 'wrt', name], `grad.wrt: the interval of '${name}' is empty`);
    if (!shape.every((d: unknown) => Number.isInteger(d) && (d as number) > 0)) at(['grad', 'wrt', name, 'shape'], 'grad.wrt: a shape is a list of positive sizes');
    return { name, shape, min, max, ...(isList(name) ? { count: input.count ?? 2 } : {}), ...(input.map !== undefined ? { map: String(input.map).trim() } : {}) };
  });
  for (const name of Object.keys(g.args ?? {})) {
    if (!args.some((a) => a.name === name)) at(['grad', 'args', name], `grad.args: '${name}' is not an argument`);
    if (g.wrt?.[name] !== undefined) at(['grad', 'args', name], `grad.args: '${name}' is differentiated (in wrt)`);
  }
  for (const key of Object.keys(g.skip ?? {})) {
    if (!(GRAD_SKIPS as readonly string[]).includes(key)) at(['grad', 'skip', key], `grad.skip: '${key}' is not a check; the checks are ${GRAD_SKIPS.join(', ')}`);
  }
  const dtype = g.dtype ?? 'float64';
  if (!GRAD_DTYPES.includes(dtype)) at(['grad', 'dtype'], `grad.dtype must be one of ${GRAD_DTYPES.join(', ')}`);
  return {
    checked: {
      wrt: inputs,
      args: g.args ?? {},
      step: g.step,
      tolerance: g.tolerance,
      dtype,
      skip: g.skip ?? {},
    },
  };
}

function checkUnique(ops: Op[], key: (op: Op) => string, what: string, problems: Problem[]) {
  const seen = new Map<string, Op>();
  for (const op of ops) {
    const k = key(op);
    const prev = seen.get(k);
    if (prev) problems.push({ file: op.file, line: 1, message: `${what} '${k}' is also used by ${prev.file}` });
    else seen.set(k, op);
  }
}

/** camelCase of the op id, without the namespace prefix of a namespaced op (random_split is `split`). */
function defaultJsName(op: string, namespace: unknown): string {
  return camelCase(typeof namespace === 'string' && op.startsWith(`${namespace}_`) ? op.slice(namespace.length + 1) : op);
}

export function camelCase(id: string): string {
  return id.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function baseName(file: string): string {
  return file.split('/').pop()!.replace(/\.yaml$/, '');
}
