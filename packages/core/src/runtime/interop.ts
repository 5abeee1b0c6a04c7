// Bytes in and out, zero-copy export, raw pointers and shared-memory IPC.
import { native, Tensor, type DataPointer, type DType, type SharedMemoryHandle, type SharedMemoryObject } from '@mlxts/native';
import { checkOptions, track } from './call.js';

declare module '@mlxts/native' {
  interface Tensor {
    /** Element strides of the evaluated layout (evaluates the tensor first; views may not be row-major). */
    readonly strides: number[];
    /** Evaluates and copies the elements out as raw bytes, row-major (little-endian). */
    toBytes(): Buffer;
    /**
     * Evaluates and returns an ArrayBuffer over the tensor's memory without copying. The buffer keeps
     * the memory alive; treat it as read-only (MLX may share it between arrays). Where the runtime does
     * not allow external buffers it holds a copy instead.
     */
    toArrayBuffer(): ArrayBuffer;
    /** Evaluates the tensor and returns the address of its memory, for handing to native code. */
    dataPointer(): DataPointer;
    /**
     * Evaluates and copies the tensor into a new POSIX shared-memory object, after a header naming its
     * dtype, shape and this process; returns a plain handle that another process passes to
     * `mx.fromSharedMemory`. The object exists until it is claimed or `mx.unlinkSharedMemory(handle)`
     * removes it (`mx.removeOrphanedSharedMemory()` finds those whose writer has exited).
     */
    toSharedMemory(options?: { permissions?: number }): SharedMemoryHandle;
  }
}

Object.defineProperty(Tensor.prototype, 'strides', {
  get(this: Tensor) {
    return native.strides(this);
  },
});

Tensor.prototype.toBytes = function (this: Tensor): Buffer {
  return native.toBytes(this);
};

Tensor.prototype.toArrayBuffer = function (this: Tensor): ArrayBuffer {
  return native.toArrayBuffer(this);
};

Tensor.prototype.dataPointer = function (this: Tensor): DataPointer {
  return native.dataPointer(this);
};

Tensor.prototype.toSharedMemory = function (this: Tensor, options?: { permissions?: number }): SharedMemoryHandle {
  if (options !== undefined) checkOptions('toSharedMemory', options, ['permissions']);
  return native.toSharedMemory(this, options?.permissions);
};

/** A tensor from raw row-major bytes (copied): the byte count must match `shape` and `dtype`. */
export function fromBytes(buffer: ArrayBuffer | ArrayBufferView, shape: number[], dtype: DType): Tensor {
  return track(native.fromBytes(buffer, shape, dtype));
}

/**
 * Claims a tensor another process put in shared memory: checks the object against the handle (an
 * object mlxts wrote, holding that dtype and shape; otherwise an MlxError and the object is left
 * alone), copies it in and unlinks the name, so each handle can be claimed once.
 */
export function fromSharedMemory(handle: SharedMemoryHandle): Tensor {
  return track(native.fromSharedMemory(handle));
}

/** Removes an unclaimed shared-memory object (checked like `fromSharedMemory`); false if it was already gone. */
export function unlinkSharedMemory(handle: SharedMemoryHandle): boolean {
  return native.unlinkSharedMemory(handle);
}

/**
 * The unclaimed objects `toSharedMemory` wrote (any process of this user), with the process that wrote
 * each and whether it still runs. Linux keeps POSIX shared memory in /dev/shm; where there is no such
 * directory the list is empty.
 */
export function listSharedMemory(): SharedMemoryObject[] {
  return native.listSharedMemory();
}

/**
 * Unlinks the unclaimed objects whose writing process has exited (left by a crashed producer, or
 * never claimed) and returns them. Run it where no consumer still expects such a handle.
 */
export function removeOrphanedSharedMemory(): SharedMemoryObject[] {
  return native.removeOrphanedSharedMemory();
}
