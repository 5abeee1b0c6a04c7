// Trees ("pytrees" in MLX Python): values nested in plain objects and arrays. Transforms take and return
// trees, and the layers above core (nn parameters, optimizer state) are trees of tensors.
//
// A node is an array or a plain object (`{...}` or Object.create(null)); everything else (a tensor, a
// number, a string, a class instance, null) is a leaf. Paths join keys and indices with dots, as MLX
// Python's tree_flatten does: "layers.0.weight".

import { isTensor } from './scope.js';

/** A value nested in arrays and plain objects, with leaves of type `Leaf`. */
export type Tree<Leaf = unknown> = Leaf | readonly Tree<Leaf>[] | { readonly [key: string]: Tree<Leaf> };

/** Whether `value` is a plain object (not an array, class instance or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether `value` is an inner node of a tree (an array or a plain object). */
export function isTreeNode(value: unknown): value is unknown[] | Record<string, unknown> {
  return Array.isArray(value) || isPlainObject(value);
}

/** `prefix.key`, or `key` at the root: a treeFlatten path one level down. */
export function joinPath(prefix: string, key: string | number): string {
  return prefix === '' ? String(key) : `${prefix}.${key}`;
}

/**
 * The leaves of a tree with their dotted paths, depth first in key order. A leaf at the root has the
 * path `prefix` (empty by default). Empty arrays and objects hold no leaves and so do not appear.
 * `isLeaf` can stop the descent at nodes of your choosing.
 *
 * @example
 * ```ts
 * mx.treeFlatten({ layers: [{ w: a }, { w: b }], scale: 2 });
 * // [['layers.0.w', a], ['layers.1.w', b], ['scale', 2]]
 * ```
 */
export function treeFlatten<Leaf = unknown>(
  tree: unknown,
  prefix = '',
  isLeaf?: (value: unknown) => boolean,
): [path: string, leaf: Leaf][] {
  if (arguments.length > 3) throw new TypeError(`treeFlatten: expected at most 3 arguments, got ${arguments.length}`);
  if (typeof prefix !== 'string') throw new TypeError(`treeFlatten: prefix must be a string, got ${typeof prefix}`);
  if (isLeaf !== undefined && typeof isLeaf !== 'function') throw new TypeError('treeFlatten: isLeaf must be a function');
  const out: [string, Leaf][] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node) && !isLeaf?.(node)) node.forEach((child, i) => visit(child, joinPath(path, i)));
    else if (isPlainObject(node) && !isLeaf?.(node)) for (const key of Object.keys(node)) visit(node[key], joinPath(path, key));
    else out.push([path, node as Leaf]);
  };
  visit(tree, prefix);
  return out;
}

/**
 * Rebuilds a tree from `[path, leaf]` pairs, as `treeFlatten` returns them. A level whose keys are all
 * non-negative integers becomes an array (indices missing from the pairs become empty objects, as in
 * MLX Python); any other level becomes a plain object. A single pair with the empty path is a leaf root.
 *
 * @example
 * ```ts
 * mx.treeUnflatten([['layers.0.w', a], ['layers.1.w', b]]); // { layers: [{ w: a }, { w: b }] }
 * ```
 */
export function treeUnflatten(pairs: Iterable<readonly [string, unknown]>): any {
  if (arguments.length > 1) throw new TypeError(`treeUnflatten: expected 1 argument, got ${arguments.length}`);
  // A tensor is iterable (over its rows) but is not a list of pairs.
  if (typeof (pairs as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== 'function' || isTensor(pairs)) {
    throw new TypeError('treeUnflatten: pairs must be an array of [path, leaf] pairs');
  }
  return unflatten([...pairs]);
}

function unflatten(list: (readonly [string, unknown])[]): unknown {
  if (list.length === 1 && list[0][0] === '') return list[0][1];
  const children = new Map<string, [string, unknown][]>();
  for (const pair of list) {
    if (!Array.isArray(pair)) throw new TypeError('treeUnflatten: pairs must be an array of [path, leaf] pairs');
    const [path, leaf] = pair;
    if (typeof path !== 'string' || path === '') {
      throw new TypeError(`treeUnflatten: every path must be a non-empty string beside other paths, got ${JSON.stringify(path)}`);
    }
    const dot = path.indexOf('.');
    const key = dot < 0 ? path : path.slice(0, dot);
    const rest = dot < 0 ? '' : path.slice(dot + 1);
    let group = children.get(key);
    if (!group) children.set(key, (group = []));
    group.push([rest, leaf]);
  }
  const keys = [...children.keys()];
  if (keys.length > 0 && keys.every((key) => /^(0|[1-9]\d*)$/.test(key))) {
    const out: unknown[] = [];
    for (const key of keys.sort((a, b) => Number(a) - Number(b))) {
      while (out.length < Number(key)) out.push({});
      out.push(unflatten(children.get(key)!));
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = unflatten(children.get(key)!);
  return out;
}

/**
 * A tree of the same structure as `tree` whose leaves are `fn(leaf, ...restLeaves)`, where `restLeaves`
 * are the leaves at the same path in each of `rest` (trees with `tree`'s structure; a missing key or a
 * shorter array is a TypeError naming the path).
 *
 * @example
 * ```ts
 * // one step of gradient descent over a parameter tree
 * const next = mx.treeMap((p, g) => p.subtract(g.multiply(0.1)), params, grads);
 * ```
 */
export function treeMap(fn: (leaf: any, ...rest: any[]) => unknown, tree: unknown, ...rest: unknown[]): any {
  if (typeof fn !== 'function') throw new TypeError(`treeMap: fn must be a function, got ${typeof fn}`);
  const visit = (node: unknown, others: unknown[], path: string): unknown => {
    if (Array.isArray(node)) {
      for (const other of others) {
        if (!Array.isArray(other) || other.length !== node.length) mismatch(path, `an array of length ${node.length}`);
      }
      return node.map((child, i) => visit(child, others.map((o) => (o as unknown[])[i]), joinPath(path, i)));
    }
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(node)) {
        for (const other of others) if (!isPlainObject(other) || !(key in other)) mismatch(joinPath(path, key), 'a value');
        out[key] = visit(node[key], others.map((o) => (o as Record<string, unknown>)[key]), joinPath(path, key));
      }
      return out;
    }
    return fn(node, ...others);
  };
  return visit(tree, rest, '');
}

function mismatch(path: string, expected: string): never {
  throw new TypeError(`treeMap: the trees differ in structure at '${path}': every tree needs ${expected} there`);
}
