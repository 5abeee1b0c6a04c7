// The llama.cpp side of bench/compare, in its own process (node-llama-cpp's prebuilt CPU binary): greedy
// generation from the same prompt token ids on the same GGUF file. Prints one JSON object.
//
//   node bench/compare/llama.mjs <node-llama-cpp folder> <model.gguf> <prompt ids, comma-separated> <tokens> <threads>
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [folder, modelPath, ids, tokenCount, threads] = process.argv.slice(2);
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(createRequire(resolve(folder, 'package.json')).resolve('node-llama-cpp')).href);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: 512, threads: Number(threads) });
const prompt = ids.split(',').map(Number);
const tokens = [];
const start = performance.now();
let first = 0;
for await (const token of context.getSequence().evaluate(prompt, { temperature: 0 })) {
  if (tokens.length === 0) first = performance.now();
  tokens.push(token);
  if (tokens.length === Number(tokenCount)) break;
}
const last = performance.now();
console.log(JSON.stringify({
  promptTps: (prompt.length / (first - start)) * 1000,
  decodeTps: ((tokens.length - 1) / (last - first)) * 1000,
  tokens,
}));
await context.dispose();
await model.dispose();
await llama.dispose();
