// Shared-memory IPC across two real processes, including bad handles.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as mx from '@mlxts/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let child: ChildProcess;

function ask<T>(message: object): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (reply) => resolve(reply as T));
    child.send(message);
  });
}

const exists = (handle: mx.SharedMemoryHandle) => existsSync(`/dev/shm${handle.name}`);

beforeAll(() => {
  child = fork(new URL('./fixtures/shm-child.mjs', import.meta.url));
});
afterAll(() => {
  child.send({ type: 'exit' });
});

describe('shared memory', () => {
  it('a tensor crosses to another process, which claims (unlinks) it', async () => {
    const t = mx.reshape(mx.arange(12, undefined, undefined, { dtype: 'float32' }), [3, 4]);
    const handle = t.toSharedMemory();
    expect(handle).toEqual({ name: expect.stringMatching(/^\/mlxts-/), byteLength: 48, shape: [3, 4], dtype: 'float32' });
    expect(JSON.parse(JSON.stringify(handle))).toEqual(handle);
    expect(exists(handle)).toBe(true);
    const reply = await ask<{ ok: boolean; shape: number[]; dtype: string; sum: number }>({ type: 'claim', handle });
    expect(reply).toEqual({ ok: true, shape: [3, 4], dtype: 'float32', sum: 66 });
    expect(exists(handle)).toBe(false);
    const again = await ask<{ ok: boolean; message: string }>({ type: 'claim', handle });
    expect(again.ok).toBe(false);
    expect(again.message).toMatch(/fromSharedMemory: no shared memory named/);
    t.dispose();
  });

  it('the other direction works too', async () => {
    const { handle } = await ask<{ handle: mx.SharedMemoryHandle }>({ type: 'create' });
    const t = mx.fromSharedMemory(handle);
    expect(t.toArray()).toEqual(Array.from({ length: 3 }, () => Array(4).fill(7)));
    expect(exists(handle)).toBe(false);
    t.dispose();
  });

  it('bad handles give clear errors and leak nothing', () => {
    const t = mx.ones([4], 'int16');
    const handle = t.toSharedMemory({ permissions: 0o600 });
    expect(() => mx.fromSharedMemory({ ...handle, byteLength: 6 })).toThrow(/byteLength 6 does not match shape and dtype \(8 bytes\)/);
    expect(() => mx.fromSharedMemory({ ...handle, dtype: 'float32' })).toThrow(/does not match shape and dtype \(16 bytes\)/);
    expect(() => mx.fromSharedMemory({ ...handle, shape: [8], byteLength: 16 })).toThrow(/holds 8 bytes, the handle says 16/);
    expect(() => mx.fromSharedMemory({ ...handle, dtype: 'float8' as never })).toThrow(TypeError);
    expect(() => mx.fromSharedMemory({ ...handle, name: 'relative' })).toThrow(TypeError);
    expect(() => mx.fromSharedMemory({ ...handle, name: '/mlxts-missing' })).toThrow(/no shared memory named/);
    expect(() => mx.fromSharedMemory(null as never)).toThrow(TypeError);
    expect(exists(handle)).toBe(true); // failed claims leave it for the rightful owner
    expect(mx.unlinkSharedMemory(handle)).toBe(true);
    expect(mx.unlinkSharedMemory(handle)).toBe(false);
    expect(exists(handle)).toBe(false);
    expect(() => t.toSharedMemory({ permissions: 0o7777 })).toThrow(/permissions/);
    t.dispose();
  });
});
