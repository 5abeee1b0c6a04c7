// Generation: prefill the prompt into a KV cache (in chunks), then decode one token at a time, streaming
// each as it is produced. Every step's graph is built inside `mx.tidy`, so only the cache outlives a step
// and a long generation keeps the number of live tensors flat; evaluation is awaited, so the event loop
// keeps turning while MLX computes, and the next step's graph is built while the current one computes.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { CompiledDecodeStep } from './compiled-step.js';
import { KVCache } from './kv-cache.js';
import type { LlamaModel } from './models/llama.js';
import type { SamplingOptions } from './sample.js';
import { checkSamplingOptions, sampleToken } from './sample.js';

/** Options of `generateTokens` (and `LanguageModel.generate`). */
export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to generate (default 256). */
  maxTokens?: number;
  /** Token ids that end generation, besides the model's end-of-sequence tokens. */
  stopTokens?: readonly number[];
  /** Prompt tokens run through the model per step of the prefill (default 512). */
  prefillStepSize?: number;
  /** Stops generation when aborted; the stream then ends with `finishReason: 'abort'`. */
  signal?: AbortSignal;
  /**
   * Runs each decode step's blocks through `mx.compile` (default true): traced at the first step, then
   * replayed without building their graphs op by op (see `CompiledDecodeStep`). `false` builds every step
   * op by op.
   */
  compile?: boolean;
}

/** Why generation ended. */
export type FinishReason = 'stop' | 'length' | 'abort';

/** Throughput and timings of one generation. */
export interface GenerationStats {
  promptTokens: number;
  /** Prompt tokens per second (prefill). */
  promptTps: number;
  generationTokens: number;
  /** Generated tokens per second: decode steps over the time spent in them (not the caller's time). */
  generationTps: number;
  /** MLX's peak memory during the generation, in bytes. */
  peakMemory: number;
  /** Milliseconds of the prefill (the prompt through the model, up to the first generated token). */
  prefillMs: number;
  /** Milliseconds of the decode steps (one per generated token after the first). */
  decodeMs: number;
  /** Milliseconds of the decode steps spent building graphs on the JS thread (model and sampling). */
  buildMs: number;
  /** Milliseconds of the decode steps spent waiting for MLX to evaluate them. */
  evalMs: number;
}

/** One generated token. */
export interface TokenStep {
  token: number;
}

/** The options of `generateTokens` besides the sampling ones. */
const KNOWN_OPTIONS = ['maxTokens', 'stopTokens', 'prefillStepSize', 'signal', 'compile'];

/** Checks generation options (and the sampling ones), throwing TypeError or RangeError naming the bad one. */
export function checkGenerateOptions(options: GenerateOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('generate: options must be an object');
  const { maxTokens, stopTokens, prefillStepSize, signal, compile, ...sampling } = options;
  checkSamplingOptions(sampling, 'generate', KNOWN_OPTIONS);
  if (maxTokens !== undefined) {
    if (!Number.isInteger(maxTokens)) throw new TypeError('generate: maxTokens must be an integer');
    if (maxTokens < 0) throw new RangeError(`generate: maxTokens must be >= 0, got ${maxTokens}`);
  }
  if (prefillStepSize !== undefined) {
    if (!Number.isInteger(prefillStepSize)) throw new TypeError('generate: prefillStepSize must be an integer');
    if (prefillStepSize < 1) throw new RangeError(`generate: prefillStepSize must be >= 1, got ${prefillStepSize}`);
  }
  if (stopTokens !== undefined && (!Array.isArray(stopTokens) || stopTokens.some((t) => !Number.isInteger(t)))) {
    throw new TypeError('generate: stopTokens must be an array of integer token ids');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('generate: signal must be an AbortSignal');
  if (compile !== undefined && typeof compile !== 'boolean') throw new TypeError('generate: compile must be a boolean');
}

/**
 * Generates tokens after `prompt` (token ids). Yields each generated token; returns the stats and why it
 * stopped. A stop token ends generation without being yielded.
 */
export async function* generateTokens(
  model: LlamaModel,
  prompt: readonly number[],
  options: GenerateOptions = {},
): AsyncGenerator<TokenStep, { stats: GenerationStats; finishReason: FinishReason }> {
  checkGenerateOptions(options);
  if (prompt.length === 0) throw new RangeError('generate: the prompt has no tokens');
  const { vocabSize, numLayers, headDim } = model.config;
  if (prompt.some((t) => !Number.isInteger(t) || t < 0 || t >= vocabSize)) {
    throw new RangeError(`generate: prompt token ids must be integers in [0, ${vocabSize})`);
  }
  const maxTokens = options.maxTokens ?? 256;
  const stop = new Set(options.stopTokens ?? []);
  const step = options.prefillStepSize ?? 512;
  const sampling: SamplingOptions = options;
  let key = (options.temperature ?? 0) > 0 ? mx.random.key(options.seed ?? Math.floor(Math.random() * 2 ** 31)) : undefined;

  const cache = new KVCache(numLayers, model.cacheKvHeads, headDim);
  const compiled = options.compile ?? true ? new CompiledDecodeStep(model) : undefined;
  const history = [...prompt];
  const stats: GenerationStats = {
    promptTokens: prompt.length, promptTps: 0, generationTokens: 0, generationTps: 0, peakMemory: 0, prefillMs: 0, decodeMs: 0, buildMs: 0, evalMs: 0,
  };
  mx.resetPeakMemory();
  const ids = (tokens: readonly number[]) => mx.array(Int32Array.from(tokens)).reshape([1, tokens.length]);

  // Without a repetition penalty the graph of the next step needs only the previous token's tensor, not its
  // value: it is built while MLX still computes that token (as mlx-lm's generate does), so the JS thread's
  // graph building overlaps evaluation. The penalty reads the token ids, so with it the steps run in turn.
  const pipelined = (options.repetitionPenalty ?? 1) === 1;

  /** A step in flight: its token (lazy) and its evaluation, started on MLX's evaluation thread. */
  interface Step {
    token: Tensor;
    evaluated: Promise<void>;
  }
  /**
   * Builds the graph of the token after `input` (prompt ids, or the previous step's token) and starts its
   * evaluation; a decode step's building time goes into the stats.
   */
  const launch = (input: readonly number[] | Tensor, decoding: boolean): Step => {
    const building = performance.now();
    const token = mx.tidy(() => {
      const x = Array.isArray(input) ? ids(input) : mx.reshape(input as Tensor, [1, 1]);
      const logits = decoding && compiled ? compiled.run(x, cache) : model.forward(x, cache, { lastOnly: true });
      const last = mx.reshape(logits, [logits.shape[2]]);
      let subkey: Tensor | undefined;
      if (key) {
        const [carry, use] = mx.random.split(key);
        key.dispose();
        key = mx.keep(carry);
        subkey = use;
      }
      return sampleToken(last, sampling, history, subkey);
    });
    if (decoding) stats.buildMs += performance.now() - building;
    const evaluated = mx.eval(token);
    evaluated.catch(() => {}); // awaited by `finish`; this only keeps an abandoned step from being unhandled
    return { token, evaluated };
  };
  /** Waits for a step and frees it; returns its token id. A decode step's waiting goes into the stats. */
  const finish = async (step: Step, decoding: boolean): Promise<number> => {
    const waiting = performance.now();
    try {
      await step.evaluated;
      if (decoding) stats.evalMs += performance.now() - waiting;
      return Number(step.token.item());
    } finally {
      step.token.dispose();
    }
  };
  /** Lets go of a step that will not be read (after a stop), once MLX is done with it. */
  const abandon = async (step: Step | undefined): Promise<void> => {
    if (step === undefined) return;
    await step.evaluated.catch(() => {});
    step.token.dispose();
  };

  let finishReason: FinishReason = 'length';
  let ahead: Step | undefined;
  try {
    const started = performance.now();
    // Prefill: every chunk but the last only fills the cache.
    for (let start = 0; start + step < prompt.length; start += step) {
      mx.tidy(() => {
        model.forward(ids(prompt.slice(start, start + step)), cache, { lastOnly: true });
      });
      await cache.eval();
      if (options.signal?.aborted) return { stats, finishReason: 'abort' };
    }
    const lastChunk = prompt.slice(Math.floor((prompt.length - 1) / step) * step);
    let current: Step | undefined = maxTokens > 0 ? launch(lastChunk, false) : undefined;
    let resumed = started;
    for (let n = 0; current !== undefined; n++) {
      ahead = pipelined && n + 1 < maxTokens ? launch(current.token, true) : undefined;
      const token = await finish(current, n > 0);
      current = undefined;
      const now = performance.now();
      if (n === 0) {
        stats.prefillMs = now - started;
        stats.promptTps = (prompt.length / stats.prefillMs) * 1000;
      } else {
        stats.decodeMs += now - resumed;
        stats.generationTps = (n / stats.decodeMs) * 1000;
      }
      if (options.signal?.aborted) {
        finishReason = 'abort';
        break;
      }
      if (stop.has(token)) {
        finishReason = 'stop';
        break;
      }
      history.push(token);
      stats.generationTokens++;
      yield { token };
      resumed = performance.now();
      if (n + 1 === maxTokens) break;
      current = ahead ?? launch([token], true);
      ahead = undefined;
    }
    return { stats, finishReason };
  } finally {
    await abandon(ahead);
    stats.peakMemory = mx.memory().peakBytes;
    key?.dispose();
    cache.dispose();
  }
}
