// MLX's memory: counters and limits. MLX keeps freed buffers in a cache for reuse; `activeBytes` is
// memory held by live arrays, `cacheBytes` what the cache holds on top.
import { native, type MemoryInfo } from '@mlxts/native';

/** Live tensor count and MLX's active, peak and cache bytes. */
export function memory(): MemoryInfo {
  return native.memory();
}

/** Returns cached buffers to the system. */
export function clearCache(): void {
  native.clearCache();
}

/** Caps the buffer cache; returns the previous limit. 0 disables caching. */
export function setCacheLimit(bytes: number): number {
  return native.setCacheLimit(bytes);
}

/**
 * Sets MLX's memory limit; returns the previous one. An op whose result alone is larger is refused
 * with an MlxError when it is built.
 */
export function setMemoryLimit(bytes: number): number {
  return native.setMemoryLimit(bytes);
}

/** MLX's current memory limit in bytes. */
export function memoryLimit(): number {
  return native.memoryLimit();
}

/** Resets `memory().peakBytes` to the current active bytes. */
export function resetPeakMemory(): void {
  native.resetPeakMemory();
}
