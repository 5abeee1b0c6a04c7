// mx.tidy: dispose every tensor a function creates, except those it returns.
//
// Scopes follow the async context (AsyncLocalStorage), so an async tidy collects only the tensors its own
// continuations create, even while other code runs between its awaits. The common case — no scope
// open — costs one integer comparison per op.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Tensor } from '@mlxts/native';

class Scope {
  private readonly tensors = new Set<Tensor>();
  constructor(readonly parent: Scope | undefined) {}

  add(tensor: Tensor): void {
    this.tensors.add(tensor);
  }

  forget(tensor: Tensor): void {
    this.tensors.delete(tensor);
  }

  /** Hands over what the scope created and empties it. */
  take(): Tensor[] {
    const tensors = [...this.tensors];
    this.tensors.clear();
    return tensors;
  }

  /** Disposes what the scope created, except `kept`, which moves to the enclosing scope. */
  close(kept: Set<Tensor>): void {
    for (const t of this.tensors) {
      if (kept.has(t)) this.parent?.add(t);
      else t.dispose();
    }
    this.tensors.clear();
  }
}

const storage = new AsyncLocalStorage<Scope>();
let openScopes = 0;

export function currentScope(): Scope | undefined {
  return openScopes === 0 ? undefined : storage.getStore();
}

/**
 * Runs `fn` and disposes every tensor created inside it that is not part of its result (a tensor,
 * or tensors inside arrays and plain objects). Works with async functions: the scope closes when the
 * returned promise settles. Nested scopes hand kept tensors to the enclosing one.
 *
 * @example
 * ```ts
 * const y = mx.tidy(() => mx.exp(x).add(1)); // the exp intermediate is freed
 * ```
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`tidy: fn must be a function, got ${describe(fn)}`);
  const scope = new Scope(storage.getStore());
  openScopes++;
  let result: T;
  try {
    result = storage.run(scope, fn);
  } catch (error) {
    openScopes--;
    scope.close(new Set());
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => {
        openScopes--;
        scope.close(tensorsIn(value));
        return value;
      },
      (error) => {
        openScopes--;
        scope.close(new Set());
        throw error;
      },
    ) as T;
  }
  openScopes--;
  scope.close(tensorsIn(result));
  return result;
}

/**
 * Runs `fn` in a scope of its own, not nested in any enclosing tidy, and returns its result with every
 * tensor created while it ran; the caller disposes them. If `fn` throws, they are disposed at once.
 */
export function collectCreated<T>(fn: () => T): { result: T; created: Tensor[] } {
  const scope = new Scope(undefined);
  openScopes++;
  try {
    return { result: storage.run(scope, fn), created: scope.take() };
  } catch (error) {
    scope.close(new Set());
    throw error;
  } finally {
    openScopes--;
  }
}

/** Removes a tensor from the current tidy scope so it outlives the scope. */
export function keep<T extends Tensor>(tensor: T): T {
  if (!isTensor(tensor)) throw new TypeError(`keep: tensor must be a Tensor, got ${describe(tensor)}`);
  currentScope()?.forget(tensor);
  return tensor;
}

function tensorsIn(value: unknown, out = new Set<Tensor>()): Set<Tensor> {
  if (isTensor(value)) out.add(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) tensorsIn(v, out);
  }
  return out;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Whether `value` is a Tensor of this addon (not merely shaped like one). An object made with
 * `Object.create(Tensor.prototype)` has the prototype but no native tensor: its getters throw a
 * TypeError, so it is no tensor here and is refused as a wrong type.
 */
export function isTensor(value: unknown): value is Tensor {
  if (typeof value !== 'object' || value === null || !Object.prototype.isPrototypeOf.call(Tensor.prototype, value)) return false;
  try {
    return typeof (value as Tensor).disposed === 'boolean';
  } catch {
    return false;
  }
}
