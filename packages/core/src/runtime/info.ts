import { native, type BuildInfo } from '@mlxts/native';

/** The MLX version, backend and Node-API level of the loaded addon. */
export function buildInfo(): BuildInfo {
  return { ...native.info };
}
