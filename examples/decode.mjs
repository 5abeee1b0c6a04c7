// A Llama-style decoder generating tokens greedily, to show the pieces an LLM runtime uses together:
// 4-bit quantized projections (@mlxts/quant), RMSNorm, RoPE, SwiGLU and attention over a KV cache that
// is updated in place (@mlxts/fast), with mx.tidy freeing each step's temporaries. The weights are
// random (seeded), so the tokens mean nothing; the shapes, the data flow and the speed are real.
//
//   node examples/decode.mjs            (DECODE_TOKENS=n sets how many tokens to generate)
//
// integration/test/decode-example.test.ts imports it to check that decoding with the cache gives the
// logits of recomputing the whole sequence.
import { fileURLToPath } from 'node:url';
import * as mx from '@mlxts/core';
import * as fast from '@mlxts/fast';
import * as quant from '@mlxts/quant';

/**
 * The model's shape; `dtype` is that of the weights before quantization (and so of the scales) and of
 * the activations. bench/qmm.mjs decodes with a SmolLM2-135M-shaped config.
 */
export const config = { vocab: 1024, dim: 256, layers: 4, heads: 8, kvHeads: 2, ffn: 768, maxTokens: 256, groupSize: 64, dtype: 'float32' };
const generate = Number(process.env.DECODE_TOKENS ?? 32);

export function buildModel(seed, cfg = config) {
  const headDim = cfg.dim / cfg.heads;
  /** A random [rows, cols] weight, scaled for unit-variance activations, quantized to 4 bits. */
  const weight = (key, rows, cols) => {
    const w = mx.random.normal([rows, cols], 'float32', 0, cols ** -0.5, { key });
    return quant.quantize(mx.astype(w, cfg.dtype), { bits: 4, groupSize: cfg.groupSize });
  };
  // tidy frees the keys and the float32 weights once quantized; the model it returns is kept.
  return mx.tidy(() => {
    const keys = mx.random.split(mx.random.key(seed), 3 + cfg.layers * 7);
    const next = () => keys.shift();
    const kvDim = cfg.kvHeads * headDim;
    const layers = Array.from({ length: cfg.layers }, () => ({
      q: weight(next(), cfg.dim, cfg.dim),
      k: weight(next(), kvDim, cfg.dim),
      v: weight(next(), kvDim, cfg.dim),
      o: weight(next(), cfg.dim, cfg.dim),
      gate: weight(next(), cfg.ffn, cfg.dim),
      up: weight(next(), cfg.ffn, cfg.dim),
      down: weight(next(), cfg.dim, cfg.ffn),
    }));
    const model = {
      config: cfg,
      embedding: mx.random.normal([cfg.vocab, cfg.dim], cfg.dtype, 0, 1, { key: next() }),
      head: weight(next(), cfg.vocab, cfg.dim),
      layers,
      norm: mx.ones([cfg.dim], cfg.dtype),
    };
    mx.evalSync(model);
    return model;
  });
}

/** One empty key cache and value cache per layer, `[1, maxTokens, kvHeads, headDim]`. */
export function emptyCaches(cfg = config) {
  const empty = () => mx.zeros([1, cfg.maxTokens, cfg.kvHeads, cfg.dim / cfg.heads], cfg.dtype);
  return Array.from({ length: cfg.layers }, () => ({ k: empty(), v: empty() }));
}

/**
 * The model's computations around each layer's attention, as functions of tensors only (the weights are
 * captured), so that they can be compiled (bench/transforms.mjs compiles them with mx.compile):
 * `inputs(h, position)` gives the attention's queries, keys and values for the hidden states `h` at
 * `position` (a 0-d int32 tensor), `output(h, attention)` the layer's new hidden states, and `head(h)`
 * the logits after the last token.
 */
export function modelFunctions(model) {
  const cfg = model.config;
  const headDim = cfg.dim / cfg.heads;
  const qmm = (x, w) => quant.quantizedMatmul(x, w);
  const layers = model.layers.map((layer) => ({
    inputs(h, position) {
      const T = h.shape[1];
      const x = fast.rmsNorm(h, model.norm, 1e-5);
      const heads = (w, n) => mx.reshape(qmm(x, w), [1, T, n, headDim]);
      const rope = (t) => fast.rope(t, headDim, { offset: position, layout: 'bthd' });
      return [rope(heads(layer.q, cfg.heads)), rope(heads(layer.k, cfg.kvHeads)), heads(layer.v, cfg.kvHeads)];
    },
    output(h, attention) {
      const T = h.shape[1];
      const mixed = mx.add(h, qmm(mx.reshape(attention, [1, T, cfg.dim]), layer.o));
      const y = fast.rmsNorm(mixed, model.norm, 1e-5);
      return mx.add(mixed, qmm(fast.swiglu(qmm(y, layer.gate), qmm(y, layer.up)), layer.down));
    },
  }));
  const head = (h) => {
    const T = h.shape[1];
    const last = mx.slice(fast.rmsNorm(h, model.norm, 1e-5), [0, T - 1], [1, T]);
    return mx.reshape(qmm(last, model.head), [cfg.vocab]);
  };
  return { layers, head };
}

/**
 * Runs `tokens` (a JS array) through the model at position `offset`, writing their keys and values into
 * `caches` (consumed; the updated caches are returned). Returns the logits after the last token and the
 * greedy next token. `fns` are the model's functions (modelFunctions), compiled or not.
 */
export function step(model, tokens, offset, caches, fns = modelFunctions(model)) {
  return mx.tidy(() => {
    const T = tokens.length;
    let h = mx.reshape(mx.take(model.embedding, tokens, 0), [1, T, model.config.dim]);
    const position = mx.array(offset, 'int32');
    const updated = fns.layers.map((layer, i) => {
      const [q, k, v] = layer.inputs(h, position);
      const [attention, kCache, vCache] = fast.kvCacheAttention(q, k, v, caches[i].k, caches[i].v, offset, { layout: 'bthd' });
      h = layer.output(h, attention);
      return { k: kCache, v: vCache };
    });
    const logits = fns.head(h);
    const token = mx.argmax(logits);
    mx.evalSync(logits, token, updated);
    return { logits, token: Number(token.item()), caches: updated };
  });
}

/** Generates `count` tokens after `prompt` and returns them with the prefill and decode times. */
export function generateTokens(model, prompt, count, fns = modelFunctions(model)) {
  let caches = emptyCaches(model.config);
  const out = [];
  let offset = 0;
  let input = prompt;
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const result = step(model, input, offset, caches, fns);
    times.push(performance.now() - started);
    result.logits.dispose();
    caches = result.caches;
    offset += input.length;
    input = [result.token];
    out.push(result.token);
  }
  for (const c of caches) {
    c.k.dispose();
    c.v.dispose();
  }
  return { tokens: out, prefillMs: times[0], decodeMs: times.slice(1).reduce((a, b) => a + b, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const model = buildModel(0);
  const prompt = Array.from({ length: 16 }, (_, i) => (i * 37) % config.vocab);
  const { tokens, prefillMs, decodeMs } = generateTokens(model, prompt, generate);
  const info = mx.buildInfo();
  const rate = (n, ms) => ((n / ms) * 1000).toFixed(0);
  console.log(`model: ${config.layers} layers, dim ${config.dim}, ${config.heads} heads (${config.kvHeads} KV), 4-bit weights, MLX ${info.mlxVersion} on ${info.backend}`);
  console.log(`prompt: ${prompt.length} tokens in ${prefillMs.toFixed(1)} ms (${rate(prompt.length, prefillMs)} tokens/s)`);
  console.log(`decode: ${generate - 1} tokens in ${decodeMs.toFixed(1)} ms (${rate(generate - 1, decodeMs)} tokens/s)`);
  console.log(`tokens: ${tokens.join(' ')}`);
  console.log(`live tensors after generation (the model's): ${mx.memory().liveTensors}`);
}
