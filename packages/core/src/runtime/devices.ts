// Devices and streams. Tensors are not tied to a device: MLX memory is shared (unified on Apple silicon,
// managed on CUDA), and each op runs on the stream it is given or on the default device's stream.
import { native, type Device, type Stream } from '@mlxts/native';

/** The device ops run on when they are given no stream: `'gpu'` when MLX has one, else `'cpu'`. */
export function defaultDevice(): Device {
  return native.defaultDevice();
}

/**
 * Sets the default device for the whole process (MLX keeps one default, shared by every thread and
 * every async task; prefer `{ stream }` per op, or `withDevice`, for local choices).
 */
export function setDefaultDevice(device: Device): void {
  native.setDefaultDevice(device);
}

function checkDevice(op: string, device: unknown): void {
  if (device !== 'cpu' && device !== 'gpu') throw new TypeError(`${op}: device must be 'cpu' or 'gpu', got ${typeof device === 'string' ? `'${device}'` : typeof device}`);
}

/** Whether this MLX build and machine have the device (a CPU always; a GPU with the CUDA backend). */
export function isAvailable(device: Device): boolean {
  return native.isAvailable(device);
}

/** A new stream on the device: work on different streams may run concurrently. */
export function newStream(device: Device): Stream {
  return native.newStream(device);
}

/** The stream ops use on the device when given none. */
export function defaultStream(device: Device): Stream {
  return native.defaultStream(device);
}

/** Resolves when all work queued on the stream (every stream when omitted) has finished. */
export function synchronize(stream?: Stream | Device): Promise<void> {
  if (typeof stream === 'string') checkDevice('synchronize', stream);
  return native.synchronize(typeof stream === 'string' ? native.defaultStream(stream) : stream);
}

/**
 * Runs `fn` with `device` as the default device, restoring the previous one afterwards (after the
 * promise settles, for an async `fn`). The default is process-wide, so code running concurrently
 * with an async `fn` sees it too.
 */
export function withDevice<T>(device: Device, fn: () => T): T {
  checkDevice('withDevice', device);
  if (typeof fn !== 'function') throw new TypeError(`withDevice: fn must be a function, got ${typeof fn}`);
  const scope = deviceScope(device);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scope[Symbol.dispose]();
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => scope[Symbol.dispose]()) as T;
  }
  scope[Symbol.dispose]();
  return result;
}

/**
 * Makes `device` the default until the returned scope is disposed:
 * `{ using _ = mx.deviceScope('cpu'); ... }`.
 */
export function deviceScope(device: Device): Disposable {
  checkDevice('deviceScope', device);
  const previous = native.defaultDevice();
  native.setDefaultDevice(device);
  let open = true;
  return {
    [Symbol.dispose]() {
      if (open) native.setDefaultDevice(previous);
      open = false;
    },
  };
}
