// Where the tests find the default model (SmolLM2-135M-Instruct Q4_1): $MLXTS_LM_MODEL or the per-user
// cache. Tests that need it are skipped, saying so, when it has not been fetched.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, DEFAULT_MODEL_FILE } from '../src/default-model.js';

export const modelPath = process.env.MLXTS_LM_MODEL ?? join(cacheDir(), 'models', DEFAULT_MODEL_FILE);
export const hasModel = existsSync(modelPath);
if (!hasModel) console.warn(`skipping the tests on ${DEFAULT_MODEL_FILE}: not found at ${modelPath} (fetch it first)`);
