// Where the tests find the default model (SmolLM2-135M-Instruct Q4_1): $MLXTS_LM_MODEL or the model cache
// (npm run fetch-model puts it there; CI does). Tests that need it are skipped, saying so, without it.
import { cachedDefaultModelPath } from '../src/default-model.js';

export const modelPath = cachedDefaultModelPath() ?? '';
export const hasModel = modelPath !== '';
if (!hasModel) console.warn('skipping the tests on SmolLM2-135M-Instruct: the model is not in the cache (run npm run fetch-model)');
