// A child process of the fuzzer: it evaluates one call expression at a time, awaits and evaluates what
// the call returns, reads every tensor back, and checks that the runtime still works. A crash or hang
// here ends only this process; the parent sees it and reports the call.
import * as mx from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as linalg from '@mlxts/linalg';
import * as quant from '@mlxts/quant';
import { errorClassOf, type CallRequest, type ChildMessage, type Outcome, type Phase } from './outcome.js';

/** Results up to this many elements are read back with toArray(); larger ones are only evaluated. */
const READ_MAX = 1 << 20;
const memoryLimit = Number(process.env.MLXTS_FUZZ_MLX_LIMIT ?? 2 ** 31);
const TMP = process.env.MLXTS_FUZZ_TMP ?? '.';
const disposed = (t: mx.Tensor) => (t.dispose(), t);

mx.setMemoryLimit(memoryLimit);
const cacheLimit = mx.setCacheLimit(0);
mx.setCacheLimit(cacheLimit);
const device = mx.defaultDevice();

let current = -1;
let calls = 0;
process.on('unhandledRejection', (e) => send({ type: 'unhandled', id: current, errorClass: errorClassOf(e), message: messageOf(e) }));
process.on('message', (request: CallRequest) => {
  void run(request).then((outcome) => send({ type: 'done', id: request.id, outcome }));
});
send({ type: 'ready' });

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function run({ id, expr, stateful }: CallRequest): Promise<Outcome> {
  current = id;
  let phase: Phase = 'call';
  let outcome: Outcome = { kind: 'ok' };
  try {
    const fn = new Function('mx', 'fast', 'linalg', 'quant', 'disposed', 'TMP', `return (${expr});`);
    await mx.tidy(async () => {
      let result = fn(mx, fast, linalg, quant, disposed, TMP);
      if (isThenable(result)) {
        phase = 'await';
        result = await result;
      }
      phase = 'eval';
      await settle(result, 0);
    });
  } catch (e) {
    outcome = { kind: 'threw', errorClass: errorClassOf(e), message: messageOf(e), phase };
  }
  if (stateful) restore();
  const broken = await sanity();
  if (++calls % 500 === 0) {
    (globalThis as { gc?: () => void }).gc?.();
    mx.clearCache();
  }
  return broken ? { kind: 'broken', detail: broken } : outcome;
}

/** Awaits, evaluates and reads back everything tensor-like in a result. */
async function settle(value: unknown, depth: number): Promise<void> {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if (isThenable(value)) return settle(await value, depth + 1);
  if (mx.isTensor(value)) {
    if (value.disposed) return;
    await value.eval();
    if (value.size <= READ_MAX) value.toArray();
    return;
  }
  if (isSharedMemoryHandle(value)) {
    const t = mx.fromSharedMemory(value);
    t.toArray();
    t.dispose();
    return;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  for (const item of Object.values(value)) await settle(item, depth + 1);
}

/** A handle this process just wrote (`toSharedMemory`): claiming it frees the shared memory object. */
function isSharedMemoryHandle(v: object): v is mx.SharedMemoryHandle {
  const h = v as Partial<mx.SharedMemoryObject>;
  return typeof h.name === 'string' && typeof h.byteLength === 'number' && Array.isArray(h.shape) && h.ownerPid === undefined;
}

function restore(): void {
  mx.setMemoryLimit(memoryLimit);
  mx.setCacheLimit(cacheLimit);
  mx.setDefaultDevice(device);
  mx.enableCompile();
}

/** After every call: does a plain evaluation still give the right value? */
async function sanity(): Promise<string | undefined> {
  try {
    const s = mx.tidy(() => mx.add(mx.array([1, 2, 3]), 1).sum());
    await s.eval();
    const v = s.item();
    s.dispose();
    return v === 9 ? undefined : `sum([2, 3, 4]) gave ${String(v)} after the call`;
  } catch (e) {
    return `sum([2, 3, 4]) threw after the call: ${errorClassOf(e)}: ${messageOf(e)}`;
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}
