// The model cache lives in @mlxts/lm (packages/lm/src/model-cache.ts), which fetches its default model
// with it; this re-export serves the repository's scripts and tests.
export * from '../packages/lm/dist/model-cache.js';
