// npm run fetch-model [id]: puts a pinned model into the model cache (see model-cache.mjs); without an id,
// every pinned model. Prints where each one is.
import { fetchModel, MODELS } from './model-cache.mjs';

const ids = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(MODELS);
try {
  for (const id of ids) console.log(await fetchModel(id));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
