// Types of model-cache.mjs (see packages/lm/src/model-cache.ts).
export * from '../packages/lm/dist/model-cache.js';
