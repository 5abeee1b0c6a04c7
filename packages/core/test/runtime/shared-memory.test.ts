// Shared-memory IPC across two real processes, including bad handles.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
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
    const t = mx.reshape(mx.arange(0, 12, 1, 'float32'), [3, 4]);
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

  it('bad handles give clear errors, and a failed claim leaves the object for its rightful claimant', () => {
    const t = mx.ones([4], 'int16');
    const handle = t.toSharedMemory({ permissions: 0o600 });
    const refused = /^(fromSharedMemory|unlinkSharedMemory): the handle says .* but shared memory \/mlxts-\S+ holds int16 \[4\] \(8 bytes\)$/;
    // Same byte length, other dtype or shape: the header tells them apart.
    for (const wrong of [{ dtype: 'uint16' }, { shape: [2, 2] }, { dtype: 'int8', shape: [8] }, { byteLength: 6 }, { dtype: 'float32' }]) {
      expect(() => mx.fromSharedMemory({ ...handle, ...wrong } as mx.SharedMemoryHandle)).toThrow(mx.MlxError);
      expect(() => mx.fromSharedMemory({ ...handle, ...wrong } as mx.SharedMemoryHandle)).toThrow(refused);
    }
    expect(() => mx.unlinkSharedMemory({ ...handle, shape: [2, 2] })).toThrow(refused);
    expect(() => mx.fromSharedMemory({ ...handle, dtype: 'float8' as never })).toThrow(TypeError);
    expect(() => mx.fromSharedMemory({ ...handle, name: 'relative' })).toThrow(TypeError);
    expect(() => mx.fromSharedMemory({ ...handle, name: '/other-object' })).toThrow(/handle.name must be a name from tensor.toSharedMemory\(\), starting with '\/mlxts-'/);
    expect(() => mx.fromSharedMemory({ ...handle, name: '/mlxts-missing' })).toThrow(/no shared memory named/);
    expect(() => mx.fromSharedMemory(null as never)).toThrow(TypeError);
    expect(exists(handle)).toBe(true); // failed claims leave it for the rightful owner
    expect(mx.fromSharedMemory(handle).toArray()).toEqual([1, 1, 1, 1]);
    expect(exists(handle)).toBe(false);
    expect(mx.unlinkSharedMemory(handle)).toBe(false);
    expect(() => t.toSharedMemory({ permissions: 0o7777 })).toThrow(RangeError);
    expect(() => t.toSharedMemory({ permission: 0o600 } as never)).toThrow("toSharedMemory: unknown option 'permission'; the options are permissions");
    t.dispose();
  });

  it('an object mlxts did not write is neither read nor unlinked, whatever its size', () => {
    const name = `/mlxts-foreign-${process.pid}`;
    writeFileSync(`/dev/shm${name}`, Buffer.alloc(16, 7));
    try {
      const handle = { name, byteLength: 16, shape: [4], dtype: 'float32' } as const;
      expect(() => mx.fromSharedMemory(handle)).toThrow(`fromSharedMemory: shared memory ${name} was not written by tensor.toSharedMemory()`);
      expect(() => mx.unlinkSharedMemory(handle)).toThrow(mx.MlxError);
      expect(existsSync(`/dev/shm${name}`)).toBe(true);
      expect(mx.listSharedMemory().map((o) => o.name)).not.toContain(name);
    } finally {
      rmSync(`/dev/shm${name}`, { force: true });
    }
  });

  it('objects whose writer exited (a crashed producer) are listed as orphans and can be removed', async () => {
    const { handle } = await ask<{ handle: mx.SharedMemoryHandle }>({ type: 'create' });
    const producer = fork(new URL('./fixtures/shm-child.mjs', import.meta.url));
    const orphan = await new Promise<mx.SharedMemoryHandle>((resolve) => {
      producer.once('message', (reply) => resolve((reply as { handle: mx.SharedMemoryHandle }).handle));
      producer.send({ type: 'create' });
    });
    producer.kill('SIGKILL');
    await new Promise((resolve) => producer.once('exit', resolve));
    const listed = mx.listSharedMemory();
    expect(listed.find((o) => o.name === orphan.name)).toEqual({ ...orphan, ownerPid: producer.pid, ownerAlive: false });
    expect(listed.find((o) => o.name === handle.name)).toEqual({ ...handle, ownerPid: child.pid, ownerAlive: true });
    const removed = mx.removeOrphanedSharedMemory();
    expect(removed.map((o) => o.name)).toContain(orphan.name);
    expect(removed.map((o) => o.name)).not.toContain(handle.name);
    expect(exists(orphan)).toBe(false);
    expect(mx.unlinkSharedMemory(handle)).toBe(true);
  });
});
