// What became of one call, and the messages between the fuzzer and its child processes.

/** Where a thrown error surfaced: building the call, awaiting its promise, or evaluating and reading its result. */
export type Phase = 'call' | 'await' | 'eval';

export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'threw'; readonly errorClass: string; readonly message: string; readonly phase: Phase }
  /** The child ended (a signal, an abort, a non-zero exit) while running the call. */
  | { readonly kind: 'crash'; readonly detail: string }
  | { readonly kind: 'hang'; readonly detail: string }
  | { readonly kind: 'memory'; readonly detail: string }
  /** The call returned, but the runtime no longer works: a plain sum evaluated after it went wrong. */
  | { readonly kind: 'broken'; readonly detail: string };

/** Outcomes that fail a run. Thrown errors are fine (their classes are tallied). */
export const FAILURES: ReadonlySet<Outcome['kind']> = new Set(['crash', 'hang', 'memory', 'broken']);

export interface CallRequest {
  readonly id: number;
  readonly expr: string;
  /** Restore process-wide settings (memory limit, default device, compile switch) afterwards. */
  readonly stateful: boolean;
}

export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly outcome: Outcome }
  /** A promise rejected with nobody to catch it, while call `id` ran. */
  | { readonly type: 'unhandled'; readonly id: number; readonly errorClass: string; readonly message: string };

/** The class name of a thrown value: TypeError, RangeError, MlxError, Error, or what else was thrown. */
export function errorClassOf(e: unknown): string {
  if (e instanceof Error) return e.constructor?.name ?? e.name;
  return `non-Error ${e === null ? 'null' : typeof e}`;
}
