// Running a JS function for MLX while a transform traces it. MLX calls the function with tracer tensors
// from inside the native call; those Tensors, and every tensor the function makes, only mean something
// during the trace. They are collected and disposed when the outermost transform call returns, so none
// stays alive in JS.
import type { Tensor } from '@mlxts/native';
import { collectCreated, isTensor } from '../scope.js';
import { isPromiseLike, type AnyFunction } from './arguments.js';

/** Calls the user's function during a trace; a Promise result (an async function) is a TypeError. */
export function callUser(op: string, fn: AnyFunction, args: unknown[]): unknown {
  const result = fn(...args);
  if (isPromiseLike(result)) {
    // The trace is over before the promise settles; its own failure (disposed tracers) is not news.
    Promise.resolve(result).catch(() => {});
    throw new TypeError(`${op}: the function returned a Promise; transforms trace synchronous functions only (no async)`);
  }
  return result;
}

let depth = 0;
const madeWhileTracing: Tensor[] = [];

/** Runs a native transform call; the tensors made while it traced are disposed when the outermost call returns. */
export function runTransform<T>(call: () => T): T {
  depth++;
  try {
    return call();
  } finally {
    if (--depth === 0) for (const t of madeWhileTracing.splice(0)) t.dispose();
  }
}

/**
 * Wraps `fn` for MLX to call while tracing. The tensors MLX passes in (arrays of tensors among the
 * arguments) and every tensor `fn` makes are disposed once the transform returns.
 */
export function traced<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    for (const arg of args) {
      if (Array.isArray(arg)) for (const t of arg) if (isTensor(t)) madeWhileTracing.push(t);
    }
    const { result, created } = collectCreated(() => fn(...args));
    madeWhileTracing.push(...created);
    return result;
  };
}
