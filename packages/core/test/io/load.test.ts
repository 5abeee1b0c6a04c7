// mx.load and mx.loadAsync as an API: arguments and options, format detection, errors about the file
// itself, tidy scopes and tensor lifetime, lazy reads from the file that was opened, and atomic saves.
import { existsSync, mkdirSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlxts/core';
import { GGUF_VALUE as V, withoutLeaks, writeGguf, writeNpy, writeSafetensors } from '@mlxts/testing';
import { expectFileError, tempFolder } from './support.js';

const file = tempFolder();
const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const npy = (values: number[]) => writeNpy({ descr: '<f4', fortranOrder: false, shape: [values.length], data: f32(values) });
// Descriptors open on `path`: counting all of them would also count what the test runner opens meanwhile.
const openFds = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false; // closed since the listing
    }
  }).length;

describe('arguments and options', () => {
  it('takes the format from the extension (any case) or the format option', () =>
    withoutLeaks(() => {
      const st = writeSafetensors([{ name: 'a', dtype: 'F32', shape: [1], data: f32([2]) }]);
      // An extension TypeScript cannot read (any case works at run time) gives the union type.
      expect((mx.load(file('x.SafeTensors', st)) as mx.TensorMap).a.toArray()).toEqual([2]);
      expect(mx.load(file('weights.bin', st), { format: 'safetensors' }).a.toArray()).toEqual([2]);
      expect((mx.load(file('y.NPY', npy([1, 2]))) as mx.Tensor).toArray()).toEqual([1, 2]);
      expect(mx.load(file('y.NPY'), { format: 'npy', stream: 'cpu' }).toArray()).toEqual([1, 2]);
      expect(mx.load(file('z.npy', npy([3])), { stream: mx.newStream('cpu') }).toArray()).toEqual([3]);
    }));

  it('names the file and the problem when the format cannot be told', () =>
    withoutLeaks(() => {
      expectFileError(() => mx.load(file('x.bin', npy([1]))), 'load', file('x.bin'), "pass the format: { format: 'npy' | 'safetensors' | 'gguf' }");
      expectFileError(() => mx.load(file('x.npz', new Uint8Array(4))), 'load', file('x.npz'), ".npz archives are not supported: MLX's C++ library has no .npz reader");
      expectFileError(() => mx.load(file('m.npy', npy([1])), { returnMetadata: true }), 'load', file('m.npy'), '.npy files have no metadata');
    }));

  it('reports a missing file and a directory as MlxErrors naming the file', () =>
    withoutLeaks(() => {
      expectFileError(() => mx.load(file('missing.npy')), 'load', file('missing.npy'), 'no such file');
      mkdirSync(file('folder.safetensors'));
      expectFileError(() => mx.load(file('folder.safetensors')), 'load', file('folder.safetensors'), 'is a directory');
      expectFileError(() => mx.load(file('missing.gguf')), 'load', file('missing.gguf'), 'no such file');
    }));

  it('rejects wrong argument types with TypeErrors', () =>
    withoutLeaks(() => {
      expect(() => mx.load(3 as never)).toThrow(new TypeError('load: file must be a path string, got number'));
      expect(() => mx.load('a.npy', { formt: 'npy' } as never)).toThrow(/load: unknown option 'formt'/);
      expect(() => mx.load('a.bin', { format: 'pt' as never })).toThrow(new TypeError("load: format must be one of 'npy', 'safetensors', 'gguf', got pt"));
      expect(() => mx.load('a.gguf', { returnMetadata: 1 as never })).toThrow(new TypeError('load: returnMetadata must be a boolean'));
      expect(() => (mx.load as (...a: unknown[]) => unknown)('a.npy', {}, 3)).toThrow(TypeError);
    }));

  it('saves reject wrong argument types with TypeErrors', () =>
    withoutLeaks(() => {
      expect(() => mx.saveSafetensors(file('t.safetensors'), new Map() as never)).toThrow(TypeError);
      expect(() => mx.saveSafetensors(file('t.safetensors'), { a: mx.array([1]) }, 'meta' as never)).toThrow(TypeError);
      expect(() => mx.saveGguf(file('t.gguf'), { a: Promise.resolve() as never })).toThrow(TypeError);
    }));
});

describe('tensors and tidy scopes', () => {
  it('puts every loaded tensor (and GGUF metadata tensor) in the current tidy scope', () => {
    const st = writeSafetensors([{ name: 'a', dtype: 'F32', shape: [1], data: f32([1]) }, { name: 'b', dtype: 'F32', shape: [1], data: f32([2]) }]);
    const gguf = writeGguf({ metadata: [{ key: 'v', type: V.ARRAY, itemType: V.INT32, value: [1, 2] }], tensors: [{ name: 't', dims: [1], type: 0, data: f32([3]) }] });
    const before = mx.memory().liveTensors;
    const kept = mx.tidy(() => {
      const all = mx.load(file('scope.safetensors', st));
      mx.load(file('scope.npy', npy([1])));
      mx.load(file('scope.gguf', gguf), { returnMetadata: true });
      mx.load(file('scope.gguf')); // its metadata tensor is not returned: freed at once
      return all.a;
    });
    expect(mx.memory().liveTensors).toBe(before + 1);
    expect(kept.toArray()).toEqual([1]);
    kept.dispose();
    expect(mx.memory().liveTensors).toBe(before);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('keeps the file open only while a loaded tensor still has to read from it (counted in /proc/self/fd; skipped without it)', () => {
    const path = file('fd.safetensors', writeSafetensors([{ name: 'a', dtype: 'F32', shape: [2], data: f32([1, 2]) }, { name: 'b', dtype: 'F32', shape: [1], data: f32([3]) }]));
    expect(openFds(path)).toBe(0);
    const { a, b } = mx.load(path);
    expect(openFds(path)).toBe(1);
    a.dispose();
    expect(b.toArray()).toEqual([3]);
    expect(openFds(path)).toBe(0);
    b.dispose();
  });

  it("frees MLX's memory for the loaded data once the tensors are disposed", async () => {
    const values = Array.from({ length: 1 << 18 }, (_, i) => i);
    const st = file('mem.safetensors', writeSafetensors([{ name: 'a', dtype: 'F32', shape: [values.length], data: f32(values) }]));
    const gguf = file('mem.gguf', writeGguf({ tensors: [{ name: 'a', dims: [values.length], type: 0, data: f32(values) }] }));
    const before = mx.memory().activeBytes;
    for (const path of [st, gguf]) {
      const { a } = await mx.loadAsync(path);
      await a.eval();
      expect(mx.memory().activeBytes - before).toBeGreaterThanOrEqual(values.length * 4);
      a.dispose();
      expect(mx.memory().activeBytes).toBe(before);
    }
  });

  it('reads lazily from the file it opened, even after the path is replaced', () =>
    withoutLeaks(() => {
      const path = file('lazy.npy', npy([1, 2, 3]));
      const t = mx.load(path);
      renameSync(path, file('lazy-moved.npy'));
      writeFileSync(path, npy([7, 8, 9]));
      expect(t.toArray()).toEqual([1, 2, 3]);
      expect(mx.load(path).toArray()).toEqual([7, 8, 9]);
    }));

  it('saving over a file leaves tensors still loading from it intact', () =>
    withoutLeaks(() => {
      const path = file('over.safetensors', writeSafetensors([{ name: 'a', dtype: 'F32', shape: [2], data: f32([1, 2]) }]));
      const { a } = mx.load(path);
      mx.saveSafetensors(path, { a: mx.array([5, 6]) });
      expect(a.toArray()).toEqual([1, 2]);
      expect(mx.load(path).a.toArray()).toEqual([5, 6]);
      // Only the target remains: no temporary file is left beside it.
      expect(readdirSync(file('')).filter((n) => n.startsWith('over.'))).toEqual(['over.safetensors']);
    }));

  it('a file shortened after loading gives an MlxError when the tensor is evaluated', async () => {
    const path = file('short.npy', npy([1, 2, 3, 4]));
    const t = mx.load(path);
    writeFileSync(path, npy([1]).subarray(0, 20)); // same inode, truncated
    await expect(t.eval()).rejects.toThrow(/shorter than when it was loaded/);
    t.dispose();
  });
});

describe('mx.loadAsync', () => {
  it('resolves to what mx.load returns, for every format', async () => {
    const gguf = writeGguf({ metadata: [{ key: 'n', type: V.UINT32, value: 9 }], tensors: [{ name: 't', dims: [2], type: 0, data: f32([1, 2]) }] });
    const [tensors, metadata] = await mx.loadAsync(file('async.gguf', gguf), { returnMetadata: true });
    expect([tensors.t.toArray(), metadata]).toEqual([[1, 2], { n: 9 }]);
    expect((await mx.loadAsync(file('async.npy', npy([4])))).toArray()).toEqual([4]);
    const st = await mx.loadAsync(file('async.safetensors', writeSafetensors([{ name: 'a', dtype: 'F32', shape: [1], data: f32([5]) }])));
    expect(st.a.toArray()).toEqual([5]);
    for (const t of [tensors.t, st.a]) t.dispose();
  });

  it('throws for bad arguments, and rejects for problems with the file, naming itself', async () => {
    await expect(mx.loadAsync(file('nope.gguf'))).rejects.toThrow(new mx.MlxError(`loadAsync: ${file('nope.gguf')}: no such file`, 'loadAsync'));
    await expect(mx.loadAsync(file('bad.npy', new Uint8Array(3)))).rejects.toThrow(/^loadAsync: .*bad\.npy: is too short/);
    expect(() => mx.loadAsync(3 as never)).toThrow(new TypeError('loadAsync: file must be a path string, got number'));
    expect(() => mx.loadAsync('weights.bin')).toThrow(/^loadAsync: weights.bin: has no .npy/);
  });

  it('collects into an async tidy scope', async () => {
    const path = file('tidy.gguf', writeGguf({ tensors: [{ name: 't', dims: [1], type: 0, data: f32([1]) }] }));
    const before = mx.memory().liveTensors;
    await mx.tidy(async () => {
      await mx.loadAsync(path);
    });
    // Not equal: a tensor an earlier test left to the garbage collector may be collected meanwhile.
    expect(mx.memory().liveTensors).toBeLessThanOrEqual(before);
  });
});
