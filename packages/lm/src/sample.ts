// Sampling: pure functions from a model's scores for the next token (logits or log-probabilities over the
// last axis, `[..., vocab]`) to filtered scores or to token ids. Each returns new tensors and leaves its
// inputs alone, so they compose and can be tested one at a time; `sampleToken` chains them the way
// mlx-lm's sampler does (top-p, then min-p, then top-k on log-probabilities, then a categorical draw at
// the temperature).
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';

/** How the next token is chosen. Everything off (or `temperature: 0`) is greedy decoding. */
export interface SamplingOptions {
  /** Softmax temperature; 0 (the default) picks the most likely token. */
  temperature?: number;
  /** Keep only the `topK` most likely tokens (0 = off). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probabilities sum past `topP` (1 = off). */
  topP?: number;
  /** Drop tokens less likely than `minP` times the most likely one (0 = off). */
  minP?: number;
  /** Divide positive logits and multiply negative ones of recently generated tokens by this (1 = off). */
  repetitionPenalty?: number;
  /** How many of the most recent tokens the repetition penalty looks at (default 20). */
  repetitionContextSize?: number;
  /** Seed of the random draws, for reproducible sampling (default: a random seed). */
  seed?: number;
}

const NEG_INF = -Infinity;

const SAMPLING_OPTIONS = ['temperature', 'topK', 'topP', 'minP', 'repetitionPenalty', 'repetitionContextSize', 'seed'];

/**
 * Checks sampling options, throwing a TypeError (unknown key, not a number) or RangeError (out of range)
 * that starts with `op`. `otherKeys` are the caller's own options, reported with the known ones.
 */
export function checkSamplingOptions(options: SamplingOptions, op = 'sampleToken', otherKeys: readonly string[] = []): void {
  mx.checkOptions(op, options, [...otherKeys, ...SAMPLING_OPTIONS]);
  const check = (name: keyof SamplingOptions, lo: number, hi: number, integer = false) => {
    const value = options[name];
    if (value === undefined) return;
    if (typeof value !== 'number' || Number.isNaN(value) || (integer && !Number.isInteger(value))) {
      throw new TypeError(`${op}: ${name} must be ${integer ? 'an integer' : 'a number'}`);
    }
    if (value < lo || value > hi) throw new RangeError(`${op}: ${name} must be in [${lo}, ${hi}], got ${value}`);
  };
  check('temperature', 0, Infinity);
  check('topK', 0, Number.MAX_SAFE_INTEGER, true);
  check('topP', 0, 1);
  check('minP', 0, 1);
  check('repetitionPenalty', Number.MIN_VALUE, Infinity);
  check('repetitionContextSize', 1, Number.MAX_SAFE_INTEGER, true);
  check('seed', 0, Number.MAX_SAFE_INTEGER, true);
}

/** Log-probabilities from logits: `logits - logsumexp(logits)` over the last axis. */
export function logSoftmax(logits: Tensor): Tensor {
  return mx.tidy(() => mx.subtract(logits, mx.logsumexp(logits, -1, true)));
}

/** The most likely token of each row, as int32 ids `[...]`. */
export function greedy(scores: Tensor): Tensor {
  return mx.tidy(() => mx.astype(mx.argmax(scores, -1), 'int32'));
}

/** The positions of each row's `k` highest scores (`top`, unordered) and of the others (`rest`). */
function partitionByRank(scores: Tensor, k: number): { top: Tensor; rest: Tensor } {
  const lead = scores.shape.slice(0, -1);
  const vocab = scores.shape[scores.ndim - 1];
  const order = mx.argpartition(mx.negative(scores), k - 1, -1);
  const zeros = lead.map(() => 0);
  return { top: mx.slice(order, [...zeros, 0], [...lead, k]), rest: mx.slice(order, [...zeros, k], [...lead, vocab]) };
}

/** Keeps the `k` highest scores of each row; the rest become -Infinity. */
export function applyTopK(scores: Tensor, k: number): Tensor {
  if (k >= scores.shape[scores.ndim - 1]) return mx.copy(scores);
  return mx.tidy(() => mx.putAlongAxis(scores, partitionByRank(scores, k).rest, mx.array(NEG_INF, scores.dtype), -1));
}

/**
 * Nucleus filtering on log-probabilities: keeps the most likely tokens whose probabilities add up to
 * more than `p`, in the order the ascending cumulative sum exceeds `1 - p`; the rest become -Infinity.
 */
export function applyTopP(logprobs: Tensor, p: number): Tensor {
  return mx.tidy(() => {
    const order = mx.argsort(logprobs, -1);
    const sorted = mx.takeAlongAxis(logprobs, order, -1);
    const cumulative = mx.cumsum(mx.exp(sorted), -1);
    const kept = mx.where(mx.greater(cumulative, 1 - p), sorted, NEG_INF);
    return mx.putAlongAxis(mx.zerosLike(logprobs), order, kept, -1);
  });
}

/**
 * Min-p filtering on log-probabilities: drops tokens whose probability is below `minP` times the top
 * token's; the `minTokensToKeep` most likely tokens always stay.
 */
export function applyMinP(logprobs: Tensor, minP: number, minTokensToKeep = 1): Tensor {
  return mx.tidy(() => {
    const threshold = mx.add(mx.max(logprobs, -1, true), Math.log(minP));
    let drop = mx.less(logprobs, threshold);
    if (minTokensToKeep > 1 && minTokensToKeep < logprobs.shape[logprobs.ndim - 1]) {
      drop = mx.putAlongAxis(drop, partitionByRank(logprobs, minTokensToKeep).top, false, -1);
    }
    return mx.where(drop, NEG_INF, logprobs);
  });
}

/**
 * The repetition penalty of Keskar et al. (2019) as in mlx-lm and transformers: logits of tokens that occur
 * in `recent` are divided by `penalty` when positive and multiplied by it when negative.
 */
export function applyRepetitionPenalty(logits: Tensor, recent: readonly number[], penalty: number): Tensor {
  const ids = [...new Set(recent)];
  if (ids.length === 0 || penalty === 1) return mx.copy(logits);
  return mx.tidy(() => {
    const index = mx.reshape(mx.array(Int32Array.from(ids)), [...logits.shape.slice(0, -1).map(() => 1), ids.length]);
    const selected = mx.takeAlongAxis(logits, mx.broadcastTo(index, [...logits.shape.slice(0, -1), ids.length]), -1);
    const penalized = mx.where(mx.less(selected, 0), mx.multiply(selected, penalty), mx.divide(selected, penalty));
    return mx.putAlongAxis(logits, index, penalized, -1);
  });
}

/** Draws one token per row from `softmax(scores / temperature)`. */
export function categorical(scores: Tensor, temperature: number, key?: Tensor): Tensor {
  return mx.tidy(() => mx.astype(mx.random.categorical(mx.multiply(scores, 1 / temperature), -1, undefined, undefined, key ? { key } : undefined), 'int32'));
}

/**
 * The next token of each row from `logits` `[..., vocab]`: the repetition penalty over `history` (the
 * tokens so far), then greedy when the temperature is 0, else top-p, min-p and top-k filtering on the
 * log-probabilities and a categorical draw with `key`. Returns int32 ids `[...]`.
 */
export function sampleToken(logits: Tensor, options: SamplingOptions = {}, history: readonly number[] = [], key?: Tensor): Tensor {
  return mx.tidy(() => {
    let scores = logits;
    const penalty = options.repetitionPenalty ?? 1;
    if (penalty !== 1 && history.length > 0) scores = applyRepetitionPenalty(scores, history.slice(-(options.repetitionContextSize ?? 20)), penalty);
    const temperature = options.temperature ?? 0;
    if (temperature === 0) return greedy(scores);
    scores = logSoftmax(scores);
    const { topP = 1, minP = 0, topK = 0 } = options;
    if (topP > 0 && topP < 1) scores = applyTopP(scores, topP);
    if (minP > 0) scores = applyMinP(scores, minP);
    if (topK > 0) scores = applyTopK(scores, topK);
    return categorical(scores, temperature, key);
  });
}
