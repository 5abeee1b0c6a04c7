// Module: the base class of every layer and model. A module's parameters are its own enumerable properties
// that hold tensors, other modules, or arrays and plain objects of them; everything else (numbers, strings,
// functions, null) is configuration. The parameter tree mirrors the properties, so checkpoint names are
// MLX Python's ("layers.0.weight").
import { inspect } from 'node:util';
import * as mx from '@mlxts/core';
import type { DType, Tensor } from '@mlxts/core';
import { checkOptions, mlxError } from './checks.js';

/** A tree of tensors: a tensor, or arrays and plain objects of trees (what `parameters()` returns). */
export type ParameterTree = Tensor | ParameterTree[] | { [key: string]: ParameterTree };

/** A module's parameters: plain objects and arrays of tensors, keyed like the module's properties. */
export type Parameters = { [key: string]: ParameterTree };

/** Decides whether `value`, found under `key` in `module`, is kept by `filterAndMap`. */
export type ModuleFilter = (module: Module, key: string, value: unknown) => boolean;

/** Options of `freeze` and `unfreeze`. */
export interface FreezeOptions {
  /** Also the submodules (default true). */
  recurse?: boolean;
  /** Only these local parameter names (such as `'bias'`); every parameter when omitted. */
  keys?: string | string[];
  /** Throw if a key names no member (default false). */
  strict?: boolean;
}

/** Options of `update`, `updateModules` and `loadWeights`. */
export interface StrictOptions {
  /** Check that every given name exists in the module (and, for `loadWeights`, that none is missing). */
  strict?: boolean;
}

/** What `loadWeights` accepts: a safetensors path, `[name, tensor]` pairs, or a tree of tensors. */
export type Weights = string | Iterable<readonly [string, Tensor]> | Parameters;

export class Module {
  #training = true;
  // Local names (dotted within the module's own arrays and objects) of parameters without gradients.
  readonly #frozen = new Set<string>();

  /** Whether the module is in training mode (see `train` and `eval`). */
  get training(): boolean {
    return this.#training;
  }

  /**
   * Where parameters are: under a name without a leading `_`, a tensor, a module, or an array or plain
   * object that holds tensors or modules (so a configuration list such as a stride `[1, 1]` is not one).
   */
  static isParameterValue: ModuleFilter = (_module, key, value) => !key.startsWith('_') && (mx.isTensor(value) || value instanceof Module || holdsState(value));

  /** A parameter that is not frozen. */
  static isTrainableValue: ModuleFilter = (module, key, value) => Module.isParameterValue(module, key, value) && !module.#frozen.has(key);

  /** Where child modules can be: modules, and arrays and plain objects that hold some. */
  static isChildValue: ModuleFilter = (_module, _key, value) => value instanceof Module || holdsState(value);

  /**
   * The module's contents, recursively, kept where `filter` says so and with each leaf passed through
   * `map`. Arrays keep their length: an element the filter drops becomes `{}`, as in MLX Python.
   * `isLeaf` says where to stop descending (default: at anything that is not a module, array or object).
   */
  filterAndMap(filter: ModuleFilter, map: (value: any) => unknown = (v) => v, isLeaf: ModuleFilter = (_m, _k, v) => !(v instanceof Module || isContainer(v))): any {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (filter(this, key, value)) out[key] = unwrap(this, key, value, filter, map, isLeaf);
    }
    return out;
  }

  /** Every tensor of the module and its submodules, as a tree of plain objects and arrays. */
  parameters(): Parameters {
    return this.filterAndMap(Module.isParameterValue);
  }

  /**
   * A live view of the parameters: plain objects and arrays shaped like `parameters()` whose tensors are
   * read from and written to the module itself (assigning through the view changes the module, without
   * the ownership rules of `update`). It is what `mx.compile` needs to treat the parameters as state:
   * `mx.compile(step, { inputs: [model.state, optimizer.state], outputs: [...] })`.
   */
  get state(): Parameters {
    return liveView(this) as Parameters;
  }

  /** The parameters that are not frozen: what `nn.valueAndGrad` differentiates and optimizers update. */
  trainableParameters(): Parameters {
    return this.filterAndMap(Module.isTrainableValue);
  }

  /** The direct submodules, in the arrays and objects that hold them. */
  children(): Record<string, unknown> {
    return this.filterAndMap(Module.isChildValue, (v) => v, (_m, _k, v) => v instanceof Module);
  }

  /** The submodules that have no submodules of their own. */
  leafModules(): Record<string, unknown> {
    const isLeafModule: ModuleFilter = (_m, _k, v) => v instanceof Module && modulesIn(v.children()).length === 0;
    return this.filterAndMap(Module.isChildValue, (v) => v, isLeafModule);
  }

  /** Calls `fn(path, module)` for this module (path `''`) and every submodule (path like `'layers.0'`). */
  applyToModules(fn: (path: string, module: Module) => void): this {
    const stack: [string, Module][] = [['', this]];
    while (stack.length > 0) {
      const [path, module] = stack.pop()!;
      fn(path, module);
      stack.push(...modulesIn(module.children(), path));
    }
    return this;
  }

  /** This module and every submodule. */
  modules(): Module[] {
    const out: Module[] = [];
    this.applyToModules((_path, m) => out.push(m));
    return out;
  }

  /** This module (path `''`) and every submodule with its dotted path. */
  namedModules(): [path: string, module: Module][] {
    const out: [string, Module][] = [];
    this.applyToModules((path, m) => out.push([path, m]));
    return out;
  }

  /**
   * Replaces tensors of the module with those of `parameters`, a complete or partial tree shaped like
   * `parameters()`. The module takes ownership of the new tensors (they leave any open `mx.tidy` scope,
   * so a training step inside `tidy` keeps its new weights) and disposes each tensor it replaces that
   * it no longer holds. With `strict` (the default) every name must exist and replace a tensor.
   */
  update(parameters: Parameters, options: StrictOptions = {}): this {
    checkOptions('update', options, ['strict']);
    const replaced = replaceTensors(this, parameters, options.strict ?? true, 'update');
    adopt(this, replaced);
    return this;
  }

  /** Replaces submodules with those of `modules`, a tree shaped like `children()` (or part of it). */
  updateModules(modules: Record<string, unknown>, options: StrictOptions = {}): this {
    checkOptions('updateModules', options, ['strict']);
    replaceModules(this, modules, options.strict ?? true);
    return this;
  }

  /**
   * Maps every parameter (or those `filter` selects) through `map` and updates the module with the
   * results: `model.apply((w) => w.astype('float16'))`.
   */
  apply(map: (value: Tensor) => Tensor, filter: ModuleFilter = Module.isParameterValue): this {
    return this.update(this.filterAndMap(filter, map));
  }

  /**
   * Freezes parameters: they are left out of `trainableParameters()` and so get no gradients. Idempotent.
   *
   * @example
   * ```ts
   * model.freeze();                  // everything
   * model.unfreeze({ keys: 'bias' }); // train only the biases
   * ```
   */
  freeze(options: FreezeOptions = {}): this {
    return this.#setFrozen('freeze', options, (m, keys) => {
      for (const key of keys ?? localParameterNames(m)) m.#frozen.add(key);
    });
  }

  /** Unfreezes parameters (all of them, or `keys`). Idempotent. */
  unfreeze(options: FreezeOptions = {}): this {
    return this.#setFrozen('unfreeze', options, (m, keys) => {
      if (keys === undefined) m.#frozen.clear();
      else for (const key of keys) m.#frozen.delete(key);
    });
  }

  #setFrozen(fn: string, options: FreezeOptions, change: (module: Module, keys: string[] | undefined) => void): this {
    checkOptions(fn, options, ['recurse', 'keys', 'strict']);
    const { recurse = true, strict = false } = options;
    const keys = options.keys === undefined ? undefined : typeof options.keys === 'string' ? [options.keys] : options.keys;
    if (keys !== undefined && (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))) {
      throw new TypeError(`${fn}: keys must be a string or an array of strings`);
    }
    // With recursion a key must exist somewhere in the model, not in every submodule.
    const modules = recurse ? this.modules() : [this];
    if (strict && keys !== undefined) {
      for (const key of keys) {
        if (!modules.some((m) => Object.prototype.hasOwnProperty.call(m, key))) throw new TypeError(`${fn}: the module has no member named '${key}'`);
      }
    }
    // Each submodule changes itself through its own method, so a layer that keeps some parameters
    // frozen (BatchNorm's running statistics) can hold to that when a model is unfrozen.
    for (const m of modules) {
      if (m === this) change(m, keys);
      else m[fn as 'freeze' | 'unfreeze']({ keys, recurse: false });
    }
    return this;
  }

  /** Whether the local parameter `key` (such as `'weight'`) is frozen. */
  isFrozen(key: string): boolean {
    return this.#frozen.has(key);
  }

  /** Sets training mode (the default) or evaluation mode on this module and every submodule. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError(`train: mode must be a boolean, got ${typeof mode}`);
    this.applyToModules((_path, m) => m.setTrainingMode(mode));
    return this;
  }

  /** Evaluation mode: `train(false)`. Dropout is the identity and BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Called by `train` on every module; a layer whose parameters depend on the mode overrides it (and
   * calls `super.setTrainingMode`).
   */
  protected setTrainingMode(mode: boolean): void {
    this.#training = mode;
  }

  /**
   * Casts the parameters to `dtype`. By default only floating-point parameters are cast, so integer ones
   * (such as quantized weights) keep their type.
   */
  setDtype(dtype: DType, predicate: (dtype: DType) => boolean = isFloating): this {
    return this.apply((w) => (predicate(w.dtype) ? w.astype(dtype) : w));
  }

  /**
   * Loads weights into the module: from a `.safetensors` file, `[name, tensor]` pairs with dotted names
   * (`['layers.0.weight', w]`), or a tree shaped like `parameters()`. With `strict` (the default) the
   * names and shapes must match the module's parameters exactly; otherwise only the given ones are
   * replaced. The module takes ownership of the tensors.
   */
  loadWeights(weights: Weights, options: StrictOptions = {}): this {
    checkOptions('loadWeights', options, ['strict']);
    const pairs = weightPairs(weights);
    try {
      if (options.strict ?? true) checkWeights(this, pairs);
      if (pairs.length > 0) this.update(mx.treeUnflatten(pairs), { strict: false });
    } finally {
      // Tensors read from a file that the module did not take (unknown names, or an error) are freed.
      if (typeof weights === 'string') {
        const held = tensorsIn(this);
        for (const [, t] of pairs) if (!held.has(t)) t.dispose();
      }
    }
    return this;
  }

  /** Saves the parameters to a `.safetensors` file under their dotted names (MLX Python's checkpoint layout). */
  saveWeights(path: string): void {
    if (typeof path !== 'string') throw new TypeError(`saveWeights: path must be a string, got ${typeof path}`);
    if (!path.endsWith('.safetensors')) throw new TypeError(`saveWeights: only .safetensors files are supported, got '${path}'`);
    mx.saveSafetensors(path, Object.fromEntries(mx.treeFlatten<Tensor>(this.parameters())));
  }

  /** Disposes every tensor the module and its submodules hold. The module cannot be used afterwards. */
  dispose(): void {
    for (const t of tensorsIn(this)) t.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The part of `toString()` between the parentheses, such as `'inputDims=4, outputDims=2, bias=true'`. */
  protected extraRepr(): string {
    return '';
  }

  /** The module and its submodules, one per line, as MLX Python prints them. */
  toString(): string {
    const children = modulesIn(this.children());
    const lines = children.map(([path, m]) => `  (${path}): ${m.toString().replaceAll('\n', '\n  ')}`);
    return `${this.constructor.name}(${this.extraRepr()}${lines.length > 0 ? `\n${lines.join('\n')}\n` : ''})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function isContainer(value: unknown): value is unknown[] | Record<string, unknown> {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether an array or plain object holds a tensor or a module, at any depth. */
function holdsState(value: unknown): boolean {
  return isContainer(value) && Object.values(value).some((v) => mx.isTensor(v) || v instanceof Module || holdsState(v));
}

function isFloating(dtype: DType): boolean {
  return dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float32' || dtype === 'float64';
}

function unwrap(module: Module, key: string, value: unknown, filter: ModuleFilter, map: (v: any) => unknown, isLeaf: ModuleFilter): unknown {
  if (isLeaf(module, key, value)) return map(value);
  if (value instanceof Module) return value.filterAndMap(filter, map, isLeaf);
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      const path = `${key}.${i}`;
      return filter(module, path, v) ? unwrap(module, path, v, filter, map, isLeaf) : {};
    });
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const path = `${key}.${k}`;
    out[k] = filter(module, path, v) ? unwrap(module, path, v, filter, map, isLeaf) : {};
  }
  return out;
}

/**
 * A plain object (or array) with one enumerable accessor per parameter entry of `owner` (a module, an
 * array or a plain object): tensors are read and written through, modules and containers are views.
 */
function liveView(owner: Module | unknown[] | Record<string, unknown>): unknown {
  const view: Record<string, unknown> | unknown[] = Array.isArray(owner) ? [] : {};
  const entries: [string, unknown][] = Object.entries(owner);
  for (const [key, value] of entries) {
    const isParameter = owner instanceof Module ? Module.isParameterValue(owner, key, value) : mx.isTensor(value) || value instanceof Module || holdsState(value);
    if (!isParameter) {
      if (Array.isArray(owner)) (view as unknown[])[Number(key)] = {};
      continue;
    }
    const target = owner as Record<string, unknown>;
    Object.defineProperty(view, key, {
      enumerable: true,
      get: () => (mx.isTensor(target[key]) ? target[key] : liveView(target[key] as Module)),
      set: (tensor: unknown) => {
        if (!mx.isTensor(tensor) || !mx.isTensor(target[key])) throw new TypeError(`state: only the tensors of a module's state can be replaced, at '${key}'`);
        target[key] = tensor;
      },
    });
  }
  return view;
}

/** The modules in a tree of children, with their dotted paths under `prefix`. */
function modulesIn(children: unknown, prefix = ''): [string, Module][] {
  return mx.treeFlatten<unknown>(children, prefix, (v) => v instanceof Module).filter((pair): pair is [string, Module] => pair[1] instanceof Module);
}

/** The dotted local names of a module's own tensors (not its submodules'). */
function localParameterNames(module: Module): string[] {
  const own = module.filterAndMap((m, k, v) => !(v instanceof Module) && Module.isParameterValue(m, k, v));
  return mx.treeFlatten<unknown>(own).filter(([, v]) => mx.isTensor(v)).map(([path]) => path);
}

/** Every tensor reachable from `value` (through modules, arrays and plain objects, `_` names included). */
export function tensorsIn(value: unknown, out = new Set<Tensor>()): Set<Tensor> {
  if (mx.isTensor(value)) out.add(value);
  else if (value instanceof Module || isContainer(value)) for (const v of Object.values(value)) tensorsIn(v, out);
  return out;
}

/**
 * Writes the tensors of `tree` into `module` where it holds tensors, and returns the tensors it replaced.
 * Ownership is the caller's business: `update` adopts the new ones and disposes the old; `nn.valueAndGrad`
 * swaps tracers in and the originals back without disposing anything.
 */
export function replaceTensors(module: Module, tree: unknown, strict: boolean, fn: string): Tensor[] {
  const replaced: Tensor[] = [];
  const assign = (dst: Record<string | number, unknown>, key: string | number, value: unknown, path: string) => {
    const current = dst[key];
    if (mx.isTensor(current)) {
      if (!mx.isTensor(value)) {
        if (strict) throw new TypeError(`${fn}: '${path}' must be a Tensor, got ${describe(value)}`);
        return;
      }
      if (value !== current) replaced.push(current);
      dst[key] = value;
    } else {
      visit(current, value, path);
    }
  };
  const visit = (dst: unknown, src: unknown, path: string): void => {
    if (Array.isArray(src)) {
      src.forEach((value, i) => {
        if (Array.isArray(dst) && i < dst.length) assign(dst as unknown as Record<number, unknown>, i, value, join(path, String(i)));
        else if (strict) throw new TypeError(`${fn}: the module has no parameter named '${join(path, String(i))}'`);
      });
    } else if (isContainer(src)) {
      const target = dst instanceof Module || isContainer(dst) ? (dst as Record<string, unknown>) : {};
      for (const [key, value] of Object.entries(src)) {
        if (Object.prototype.hasOwnProperty.call(target, key) && target[key] !== undefined) assign(target, key, value, join(path, key));
        else if (strict) throw new TypeError(`${fn}: the module has no parameter named '${join(path, key)}'`);
      }
    } else if (strict) {
      throw new TypeError(`${fn}: '${path || 'parameters'}' must be an array or an object of tensors, got ${describe(src)}`);
    }
  };
  visit(module, tree, '');
  return replaced;
}

/** Takes ownership of the module's tensors and disposes the replaced ones it no longer holds. */
function adopt(module: Module, replaced: Tensor[]): void {
  const held = tensorsIn(module);
  for (const t of held) mx.keep(t);
  for (const t of replaced) if (!held.has(t)) t.dispose();
}

function replaceModules(module: Module, tree: unknown, strict: boolean): void {
  const visit = (dst: Record<string | number, unknown>, src: unknown, path: string): void => {
    const entries: [string | number, unknown][] = Array.isArray(src) ? src.map((v, i) => [i, v]) : isContainer(src) ? Object.entries(src) : [];
    if (!isContainer(src) && strict) throw new TypeError(`updateModules: '${path || 'modules'}' must be an array or an object, got ${describe(src)}`);
    for (const [key, value] of entries) {
      const name = join(path, String(key));
      if (!Object.prototype.hasOwnProperty.call(dst, key) || dst[key] === undefined) {
        if (strict) throw new TypeError(`updateModules: the module has no submodule named '${name}'`);
        continue;
      }
      const current = dst[key];
      if (current instanceof Module && value instanceof Module) dst[key] = value;
      else if (isContainer(current)) visit(current as Record<string | number, unknown>, value, name);
      else if (strict && !(isContainer(value) && Object.keys(value).length === 0)) throw new TypeError(`updateModules: '${name}' must be a Module, got ${describe(value)}`);
    }
  };
  visit(module as unknown as Record<string, unknown>, tree, '');
}

function weightPairs(weights: Weights): [string, Tensor][] {
  if (typeof weights === 'string') {
    const loaded = mx.load(weights);
    if (mx.isTensor(loaded)) {
      loaded.dispose();
      throw new TypeError(`loadWeights: '${weights}' holds a single array, not named weights; use a .safetensors or .gguf file`);
    }
    return Object.entries(loaded);
  }
  if (isContainer(weights) && !Array.isArray(weights)) return mx.treeFlatten<Tensor>(weights);
  if (weights !== null && typeof weights === 'object' && Symbol.iterator in weights) {
    return [...weights].map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') throw new TypeError('loadWeights: each weight must be a [name, tensor] pair');
      return [pair[0], pair[1]];
    });
  }
  throw new TypeError(`loadWeights: weights must be a file path, [name, tensor] pairs or a tree of tensors, got ${describe(weights)}`);
}

function checkWeights(module: Module, pairs: [string, Tensor][]): void {
  const given = new Map(pairs);
  const current = new Map(mx.treeFlatten<Tensor>(module.parameters()));
  const extra = [...given.keys()].filter((k) => !current.has(k)).sort();
  if (extra.length > 0) throw mlxError('loadWeights', `${extra.length} weight(s) not in the model: ${extra.join(', ')}`);
  const missing = [...current.keys()].filter((k) => !given.has(k)).sort();
  if (missing.length > 0) throw mlxError('loadWeights', `${missing.length} parameter(s) missing: ${missing.join(', ')}`);
  for (const [name, t] of current) {
    const w = given.get(name);
    if (!mx.isTensor(w)) throw new TypeError(`loadWeights: '${name}' must be a Tensor, got ${describe(w)}`);
    if (w.shape.join(',') !== t.shape.join(',')) throw mlxError('loadWeights', `'${name}' has shape [${w.shape}], the model expects [${t.shape}]`);
  }
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value;
}
