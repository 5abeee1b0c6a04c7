// The TypeScript view: signature, options type, TSDoc and the native call of each op function.
import type { Op } from '../model.js';
import { defaultText, hasOptions, jsLiteral, kwonlyArgs, markerText, modulesFor, optionsTypeName, positionalArgs, tsTypeOf } from './common.js';

export interface TsField {
  readonly name: string;
  readonly type: string;
  readonly doc: string;
}

export interface TsOpView {
  readonly marker: string;
  readonly path: string;
  readonly name: string;
  /** The name in messages: `uniform`'s is `random.uniform`. */
  readonly label: string;
  readonly docLines: readonly string[];
  readonly params: string;
  /** The parameters as the docs show them: a rest argument as `...name: T[]` followed by the options. */
  readonly displayParams: string;
  /** Max arguments a caller may pass (positional + options); absent with a rest argument. */
  readonly maxArgs?: number;
  /** Shorter overload declarations (`arange(stop: number)`), each with its own doc. */
  readonly overloads: readonly { readonly docLines: readonly string[]; readonly params: string; readonly returnType: string }[];
  /** A rest argument: the parameter holding it and the options, and the name the call uses. */
  readonly rest?: { readonly param: string; readonly name: string; readonly typeArgs: string };
  readonly optionsParam?: string;
  /** The keys the options object may have, as a TS array literal (others are typos: a TypeError). */
  readonly optionKeys?: string;
  readonly optionsInterface?: { readonly name: string; readonly fields: readonly TsField[] };
  readonly nativeCall: string;
  readonly returnType: string;
  /** The tidy-tracking wrapper of the result; absent for ops that return nothing. */
  readonly track?: string;
  readonly runtimeImports: string;
  readonly dispatch: boolean;
  readonly typeImports: string;
  readonly typesModule: string;
  readonly runtimeModule: string;
  readonly method?: TsMethod;
}

export interface TsMethod {
  readonly name: string;
  readonly params: string;
  readonly thisParams: string;
  readonly args: string;
  readonly summary: string;
  readonly returnType: string;
  readonly typeNames: readonly string[];
}

export function tsOpView(op: Op): TsOpView {
  const positional = positionalArgs(op);
  const kwonly = kwonlyArgs(op);
  const options = hasOptions(op) ? optionsTypeName(op) : undefined;
  const rest = positional.find((a) => a.rest);
  const restParam = rest && `${rest.name}${options ? 'AndOptions' : ''}`;
  const paramList = paramsOf(op);
  const displayList = positional.map((a) => (a.rest ? `...${a.name}: ${paramType(op, a.name)}` : paramList[positional.indexOf(a)]));
  if (options) displayList.push(`options?: ${options}`);
  const nativeArgs = op.args.map((a) => (a.kwonly ? `options?.${a.name}` : a.name));
  if (op.stream) nativeArgs.push('options?.stream ?? options?.device');
  const target = op.binding ? `native.${op.binding.native}` : `native.ops.${op.family.id}_${op.id}`;
  const returnType = returnTypeOf(op);
  const track = op.returns.type === 'Tensor' ? 'track' : op.returns.type === 'Tensor[]' ? 'trackAll' : undefined;
  const usedTypes = new Set(op.args.flatMap((a) => a.types.map((t) => t.ts)));
  const typeImports = ['Tensor', 'ArrayLike', 'DType', 'Group'].filter((t) => (t === 'Tensor' && returnType !== 'void') || [...usedTypes].some((u) => u.includes(t)));
  if (op.dispatch) typeImports.push('OperandHandler');
  if (options === 'StreamOptions' || kwonly.length > 0) typeImports.push('StreamOptions');
  const first = positional[0];
  const methodParams = paramList.slice(1).join(', ');
  const method: TsMethod | undefined =
    op.method && first
      ? {
          name: op.jsName,
          params: methodParams,
          thisParams: methodParams ? `this: Tensor, ${methodParams}` : 'this: Tensor',
          args: ['this', ...positional.slice(1).map((a) => a.name), ...(options ? ['options'] : [])].join(', '),
          summary: op.summary,
          returnType,
          typeNames: typeImports.filter((t) => t !== 'Tensor' && methodParams.includes(t)),
        }
      : undefined;
  const modules = modulesFor(op.family.id, '../../');
  return {
    marker: markerText(op.file),
    path: `${op.family.dir}/src/generated/ops/${op.qualifiedName}.ts`,
    name: op.jsName,
    label: op.qualifiedName,
    docLines: tsDoc(op),
    params: paramList.join(', '),
    displayParams: displayList.join(', '),
    overloads: overloadsOf(op).map((o) => ({ docLines: [op.summary, '', o.doc], params: o.params, returnType: o.returnType })),
    maxArgs: rest ? undefined : positional.length + (options ? 1 : 0),
    rest: rest && { param: restParam!, name: rest.name, typeArgs: `${paramType(op, rest.name).replace(/\[\]$/, '')}, ${options}` },
    optionsParam: options ? 'options' : undefined,
    optionKeys: options ? `[${[...kwonly.map((a) => a.name), ...(op.stream ? ['stream', 'device'] : [])].map((k) => `'${k}'`).join(', ')}]` : undefined,
    optionsInterface:
      kwonly.length > 0 ? { name: options!, fields: kwonly.map((a) => ({ name: a.name, type: tsTypeOf(op, a.name), doc: argDoc(a.doc, a.default) })) } : undefined,
    nativeCall: `${target}(${nativeArgs.join(', ')})`,
    returnType,
    track,
    runtimeImports: [...(rest ? [] : ['checkArity']), ...(options ? ['checkOptions'] : []), ...(rest && options ? ['splitRest'] : []), ...(op.dispatch ? ['dispatchOperand'] : []), 'native', ...(track ? [track] : [])].join(', '),
    dispatch: op.dispatch,
    typeImports: [...new Set(typeImports)].sort().join(', '),
    typesModule: modules.types,
    runtimeModule: modules.runtime,
    method,
  };
}

/** An argument's TS type; ops that dispatch on operand objects (js.dispatch) also take those where they take tensors. */
function paramType(op: Op, name: string): string {
  return op.dispatch ? tsTypeOf(op, name).replace(/\bArrayLike\b/, 'ArrayLike | OperandHandler') : tsTypeOf(op, name);
}

/** A narrowing of one argument's type in an overload: the values it takes there, and whether it may be left out. */
interface Narrowed {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
}

/** The op's TS parameters (a rest argument with the options folded in), with one argument narrowed if given. */
function paramsOf(op: Op, narrowed?: Narrowed): string[] {
  const positional = positionalArgs(op);
  const options = hasOptions(op) ? optionsTypeName(op) : undefined;
  const rest = positional.find((a) => a.rest);
  const params = positional.map((a) => {
    if (a.rest) return `...${a.name}${options ? 'AndOptions' : ''}: ${options ? `[...${paramType(op, a.name)}, ${options}] | ` : ''}${paramType(op, a.name)}`;
    if (a.name === narrowed?.name) return `${a.name}${narrowed.optional ? '?' : ''}: ${narrowed.type}`;
    return `${a.name}${a.optional ? '?' : ''}: ${paramType(op, a.name)}`;
  });
  if (options && !rest) {
    const kwonly = narrowed && kwonlyArgs(op).some((a) => a.name === narrowed.name);
    params.push(kwonly ? `options${narrowed.optional ? '?' : ''}: ${options} & { ${narrowed.name}${narrowed.optional ? '?' : ''}: ${narrowed.type} }` : `options?: ${options}`);
  }
  return params;
}

/** `[Q: Tensor, R: Tensor]`: a list of a fixed number of tensors, each named. */
export function tupleType(names: readonly string[]): string {
  return `[${names.map((n) => `${n}: Tensor`).join(', ')}]`;
}

/** What the op's function returns: its tuple (or every tuple it may return, as a union), or its plain type. */
export function returnTypeOf(op: Op): string {
  const { tuple, cases, type } = op.returns;
  if (!tuple) return type;
  return [...new Set([tuple, ...cases.map((c) => c.tuple)].map(tupleType))].join(' | ');
}

/**
 * The op's TS overloads before its full signature: the shorter forms of `js.overloads` (the leading
 * positional arguments, renamed), or, for an op whose tuple depends on an argument (`returns.cases`),
 * one overload per tuple with that argument narrowed to the values that return it.
 */
export function overloadsOf(op: Op): { params: string; doc: string; returnType: string }[] {
  const positional = positionalArgs(op);
  const shorter = op.overloads.map((o) => ({
    params: o.names.map((name, i) => `${name}${positional[i].optional ? '?' : ''}: ${tsTypeOf(op, positional[i].name)}`).join(', '),
    doc: o.doc,
    returnType: returnTypeOf(op),
  }));
  const { tuple, cases } = op.returns;
  if (cases.length === 0) return shorter;
  const arg = op.args.find((a) => a.name === cases[0].arg)!;
  const all: readonly (string | boolean)[] = arg.types[0].enum?.values ?? [true, false];
  const taken = new Set(cases.flatMap((c) => c.values));
  const arms = [{ values: all.filter((v) => !taken.has(v)), tuple: tuple! }, ...cases];
  return arms.map(({ values, tuple }) => {
    const optional = values.includes(arg.default as string | boolean);
    const literals = values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
    const quoted = literals.map((l) => `\`${l}\``);
    const either = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}` : quoted[0];
    return {
      params: paramsOf(op, { name: arg.name, type: literals.join(' | '), optional }).join(', '),
      doc: `Returns \`[${tuple!.join(', ')}]\` when \`${arg.name}\` is ${either}${optional ? ' (the default)' : ''}.`,
      returnType: tupleType(tuple!),
    };
  });
}

function argDoc(doc: string, def: string | number | boolean | undefined): string {
  const d = defaultText(def);
  return d === undefined ? doc : `${doc} Default: \`${d}\`.`;
}

function tsDoc(op: Op): string[] {
  const lines = [op.summary, '', ...op.doc.split('\n')];
  lines.push('');
  for (const a of positionalArgs(op)) {
    if (a.rest && hasOptions(op)) lines.push(`@param ${a.name}AndOptions - ${a.doc} Then, optionally, the options object.`);
    else lines.push(`@param ${a.name} - ${argDoc(a.doc, a.default)}`);
  }
  if (hasOptions(op)) {
    lines.push(`@param options - ${kwonlyArgs(op).length > 0 ? 'Keyword arguments and ' : ''}where to run: \`stream\` (a device or a stream from \`mx.newStream\`) or \`device\`.`);
  }
  lines.push(`@returns ${op.returns.doc}`);
  for (const ex of op.examples) {
    lines.push('', `@example ${ex.title}`, '```ts', `${ex.code}`, `// => ${jsLiteral(ex.expect)}`, '```');
  }
  return lines.map((l) => l.trimEnd());
}

export interface TsIndexView {
  readonly marker: string;
  readonly path: string;
  readonly ops: readonly { name: string; module: string; options?: string }[];
  /** JS namespaces (`mx.random`), each re-exported from its own module as one object. */
  readonly namespaces: readonly { name: string; module: string; doc: string }[];
}

function exportsOf(ops: readonly Op[], modulePrefix: string) {
  return ops.map((op) => ({
    name: op.jsName,
    module: `${modulePrefix}${op.qualifiedName}.js`,
    options: kwonlyArgs(op).length > 0 ? optionsTypeName(op) : undefined,
  }));
}

function namespacesOf(ops: readonly Op[]): string[] {
  return [...new Set(ops.flatMap((op) => (op.namespace ? [op.namespace] : [])))].sort();
}

export function tsIndexView(dir: string, ops: readonly Op[]): TsIndexView {
  return {
    marker: markerText('schema/'),
    path: `${dir}/src/generated/index.ts`,
    ops: exportsOf(ops.filter((op) => !op.namespace), './ops/'),
    namespaces: namespacesOf(ops).map((name) => ({
      name,
      module: `./${name}.js`,
      doc: `The \`${name}\` functions: ${ops.filter((op) => op.namespace === name).map((op) => `\`${name}.${op.jsName}\``).join(', ')}.`,
    })),
  };
}

export interface TsNamespaceView {
  readonly marker: string;
  readonly path: string;
  readonly ops: readonly { name: string; module: string; options?: string }[];
}

/** One module per JS namespace; the index re-exports it with `export * as`, which bundlers can tree-shake. */
export function tsNamespaceViews(dir: string, ops: readonly Op[]): TsNamespaceView[] {
  return namespacesOf(ops).map((name) => ({
    marker: markerText('schema/'),
    path: `${dir}/src/generated/${name}.ts`,
    ops: exportsOf(ops.filter((op) => op.namespace === name), './ops/'),
  }));
}

export interface TsMethodsView {
  readonly marker: string;
  readonly path: string;
  readonly imports: readonly { name: string; options?: string }[];
  readonly methods: readonly TsMethod[];
  readonly typeImports: string;
  readonly typesModule: string;
}

export function tsMethodsView(dir: string, ops: readonly Op[]): TsMethodsView {
  const withMethods = ops.filter((op) => op.method);
  const methods = withMethods.map((op) => tsOpView(op).method!);
  const typeNames = new Set(methods.flatMap((m) => m.typeNames));
  return {
    marker: markerText('schema/'),
    path: `${dir}/src/generated/methods.ts`,
    imports: withMethods.map((op) => ({
      name: op.jsName,
      options: kwonlyArgs(op).length > 0 && methods.some((m) => m.params.includes(optionsTypeName(op))) ? optionsTypeName(op) : undefined,
    })),
    methods,
    typeImports: [...typeNames].sort().join(', '),
    typesModule: modulesFor(ops[0]?.family.id ?? 'core', '../').types,
  };
}


export interface NativeOpsView {
  readonly marker: string;
  readonly path: string;
  readonly ops: readonly { readonly key: string; readonly params: string; readonly returnType: string }[];
}

/**
 * The typed interface of the addon's generated wrappers (`native.ops`): one method per op, taking the
 * op's arguments in order (then the stream) and returning what the op returns, so the generated
 * functions call them without casts. The wrappers check every argument natively, hence `unknown`.
 */
export function nativeOpsView(ops: readonly Op[]): NativeOpsView {
  return {
    marker: markerText('schema/'),
    path: 'packages/native/lib/generated/ops.ts',
    ops: ops
      .filter((op) => !op.binding)
      .map((op) => ({
        key: `${op.family.id}_${op.id}`,
        params: [...op.args.map((a) => a.name), ...(op.stream ? ['stream'] : [])].map((n) => `${n}: unknown`).join(', '),
        returnType: returnTypeOf(op),
      })),
  };
}
