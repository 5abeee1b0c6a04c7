// The default model: SmolLM2-135M-Instruct (Q4_1 GGUF), kept in a per-user cache. MLXTS_LM_MODEL names
// another model file or directory instead.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MlxError } from '@mlxts/core';

/** The default model's file name. */
export const DEFAULT_MODEL_FILE = 'SmolLM2-135M-Instruct.Q4_1.gguf';

/** Options of `defaultModelPath`. */
export interface DefaultModelOptions {
  /** Receives progress lines while the model is fetched. */
  log?: (line: string) => void;
}

/** Where the per-user model cache is: `$MLXTS_CACHE_DIR`, else `$XDG_CACHE_HOME/mlxts`, else `~/.cache/mlxts`. */
export function cacheDir(): string {
  return process.env.MLXTS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mlxts');
}

/** The path of the default model (or of `$MLXTS_LM_MODEL`), which must be present. */
export async function defaultModelPath(_options: DefaultModelOptions = {}): Promise<string> {
  const override = process.env.MLXTS_LM_MODEL;
  if (override) return override;
  const path = join(cacheDir(), 'models', DEFAULT_MODEL_FILE);
  if (!existsSync(path)) throw new MlxError(`loadModel: the default model is not in the cache (${path}); pass --model <file.gguf or directory>`, 'loadModel');
  return path;
}
