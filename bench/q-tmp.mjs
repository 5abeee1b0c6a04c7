import * as mx from '@mlxts/core';
import { defaultModelPath, loadModel, DecodeStepCache, KVCache } from '@mlxts/lm';
const lm = await loadModel(await defaultModelPath());
const c = lm.model.config;
const cache = new KVCache(c.numLayers, 3, 64);
const f = mx.compile((token, position, buffers) => {
  const view = new DecodeStepCache(position, buffers);
  return [lm.model.forward(token, view, { lastOnly: true }), view.updated];
});
let callMs = 0;
for (let i = 0; i < 200; i++) {
  const buffers = cache.reserveAll(cache.offset + 1);
  const position = mx.array([cache.offset % 200], 'int32');
  const tok = mx.array([[5]], 'int32');
  const t1 = performance.now();
  const [logits, updated] = f(tok, position, buffers);
  if (i > 0) callMs += performance.now() - t1;
  cache.replaceAll(updated); 
  mx.evalSync(logits);
  logits.dispose(); position.dispose(); tok.dispose();
}
console.log('call ms', (callMs / 199).toFixed(2));
