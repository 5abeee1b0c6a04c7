import { native, type MemoryInfo } from '@mlxts/native';

/** Live tensor count and MLX's active, peak and cache bytes. */
export function memory(): MemoryInfo {
  return native.memory();
}
