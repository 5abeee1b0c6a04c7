// The chat prompt the language-model benchmarks decode after (110 tokens with the default model's template),
// and one timed greedy generation after it.
import { generateTokens } from '@mlxts/lm';

const QUESTION = 'Summarize the main ideas of the following text in three sentences. ' +
  'Machine learning frameworks let programmers describe computations on arrays of numbers. The framework builds a graph of ' +
  'operations, evaluates it lazily on a CPU or a GPU, and computes gradients automatically. Arrays live in memory that the ' +
  'framework manages, and operations run as compiled kernels. Quantization stores weights in fewer bits to save memory and time.';

/** The benchmark prompt's token ids for a loaded language model. */
export function benchPrompt(lm) {
  return lm.encodePrompt([{ role: 'user', content: QUESTION }]);
}

/** One greedy generation of `maxTokens` tokens after `prompt` (no stop token): its stats. */
export async function greedyStats(lm, prompt, maxTokens, options = {}) {
  const steps = generateTokens(lm.model, prompt, { ...options, maxTokens });
  let result;
  while (!(result = await steps.next()).done);
  return result.value.stats;
}
