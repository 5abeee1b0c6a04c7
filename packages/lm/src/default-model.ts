// The default model: SmolLM2-135M-Instruct (Q4_1 GGUF), fetched once into the per-user model cache
// (model-cache.ts). MLXTS_LM_MODEL names another model file or directory instead.
import { cachedModelPath, fetchModel } from './model-cache.js';

/** The model cache id of the default model. */
export const DEFAULT_MODEL = 'smollm2-135m-instruct-q4_1';

/** Options of `defaultModelPath`. */
export interface DefaultModelOptions {
  /** Receives progress lines while the model is fetched. */
  log?: (line: string) => void;
}

/** `$MLXTS_LM_MODEL`, else the default model's path in the cache (undefined when it is not there yet). */
export function cachedDefaultModelPath(): string | undefined {
  return process.env.MLXTS_LM_MODEL || cachedModelPath(DEFAULT_MODEL);
}

/** `$MLXTS_LM_MODEL`, else the default model's path, fetching it into the cache the first time. */
export async function defaultModelPath(options: DefaultModelOptions = {}): Promise<string> {
  return process.env.MLXTS_LM_MODEL || fetchModel(DEFAULT_MODEL, options);
}
