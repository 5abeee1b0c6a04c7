// A child process of the fuzzer: it evaluates one call expression at a time, awaits and evaluates what
// the call returns, reads every tensor back, and checks that the runtime still works. A crash or hang
// here ends only this process; the parent sees it and reports the call.
import * as mx from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as linalg from '@mlxts/linalg';
import * as quant from '@mlxts/quant';
import { errorClassOf, type CallRequest, type ChildMessage, type Outcome, type Phase } from './outcome.js';

/** Up to this many elements of a result are read back with toArray(); the rest are only evaluated. */
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
      await settle(result);
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

/** Awaits a result, then evaluates all its tensors together and reads each one back. */
async function settle(value: unknown): Promise<void> {
  const tensors: mx.Tensor[] = [];
  await collect(value, 0, tensors);
  const live = tensors.filter((t) => !t.disposed);
  await mx.eval(live);
  let read = 0;
  for (const t of live) {
    if (read + t.size > READ_MAX) break;
    read += t.size;
    t.toArray();
  }
}

/** The tensors of a result, with its promises awaited and its shared-memory handles claimed. */
async function collect(value: unknown, depth: number, into: mx.Tensor[]): Promise<void> {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if (isThenable(value)) return collect(await value, depth + 1, into);
  if (mx.isTensor(value)) {
    into.push(value);
    return;
  }
  if (isSharedMemoryHandle(value)) {
    into.push(mx.fromSharedMemory(value)); // disposed by the call's tidy
    return;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  for (const item of Object.values(value)) await collect(item, depth + 1, into);
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
