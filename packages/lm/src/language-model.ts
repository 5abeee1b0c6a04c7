// The user-facing object: a model and its tokenizer, with text in and streamed text out.
import type { ChatMessage } from './tokenizer/chat-template.js';
import type { FinishReason, GenerateOptions, GenerationStats } from './generate.js';
import { checkGenerateOptions, generateTokens } from './generate.js';
import type { LoadModelOptions } from './load.js';
import { loadModelFiles } from './load.js';
import type { LlamaModel } from './models/llama.js';
import type { Tokenizer } from './tokenizer/tokenizer.js';

/** A piece of generated text and the token that completed it. */
export interface GenerationChunk {
  /** New text (may be '' while a multi-token character is incomplete). */
  text: string;
  /** The generated token id. */
  token: number;
}

/** A finished generation. */
export interface GenerationResult {
  text: string;
  tokens: number[];
  finishReason: FinishReason;
  stats: GenerationStats;
}

/** What the model is asked: a plain prompt, or a conversation rendered with the chat template. */
export type Prompt = string | readonly ChatMessage[];

/**
 * One generation, streamed with `for await`. After the loop, `result` holds the whole text, the tokens,
 * why it stopped and the stats. It can be iterated once.
 *
 * @example
 * ```ts
 * const generation = lm.generate('Tell me a joke', { maxTokens: 64 });
 * for await (const chunk of generation) process.stdout.write(chunk.text);
 * console.log(generation.result?.stats.generationTps);
 * ```
 */
export class Generation implements AsyncIterable<GenerationChunk> {
  /** Set once the generation has finished. */
  result: GenerationResult | undefined;
  private started = false;

  constructor(
    private readonly lm: LanguageModel,
    private readonly prompt: number[],
    private readonly options: GenerateOptions,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<GenerationChunk> {
    if (this.started) throw new TypeError('generate: a generation can be iterated only once; call generate again');
    this.started = true;
    const { tokenizer, model } = this.lm;
    const decoder = tokenizer.streamDecoder({ skipSpecialTokens: true });
    const stopTokens = [...tokenizer.eosTokenIds, ...(this.options.stopTokens ?? [])];
    const steps = generateTokens(model, this.prompt, { ...this.options, stopTokens });
    const tokens: number[] = [];
    let text = '';
    try {
      for (;;) {
        const step = await steps.next();
        if (step.done) {
          const rest = decoder.flush();
          text += rest;
          this.result = { text, tokens, ...step.value };
          if (rest) yield { text: rest, token: tokens[tokens.length - 1] };
          return;
        }
        tokens.push(step.value.token);
        const piece = decoder.push(step.value.token);
        text += piece;
        yield { text: piece, token: step.value.token };
      }
    } finally {
      // A loop that breaks early ends the token loop too, which frees the KV cache.
      await steps.return(undefined as never);
    }
  }

  /** Runs the generation to the end and returns its result. */
  async complete(): Promise<GenerationResult> {
    for await (const _ of this);
    return this.result!;
  }
}

/** A language model and its tokenizer. */
export class LanguageModel {
  constructor(
    readonly model: LlamaModel,
    readonly tokenizer: Tokenizer,
  ) {}

  /** The prompt's token ids: a conversation goes through the chat template, a string is encoded as is. */
  encodePrompt(prompt: Prompt): number[] {
    if (typeof prompt === 'string') return this.tokenizer.encode(prompt);
    if (!Array.isArray(prompt)) throw new TypeError('generate: prompt must be a string or an array of { role, content } messages');
    // The template writes the special tokens the model expects, BOS included.
    return this.tokenizer.encode(this.tokenizer.applyChatTemplate(prompt), { addSpecialTokens: false });
  }

  /** Generates text after `prompt`, streamed with `for await`; see `Generation`. */
  generate(prompt: Prompt, options: GenerateOptions = {}): Generation {
    checkGenerateOptions(options);
    return new Generation(this, this.encodePrompt(prompt), options);
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Loads a language model: a GGUF file (llama-family, with its tokenizer) or a Hugging Face model directory
 * in MLX's layout (config.json, *.safetensors, tokenizer.json).
 *
 * @example
 * ```ts
 * const lm = await loadModel('SmolLM2-135M-Instruct.Q4_1.gguf');
 * for await (const chunk of lm.generate([{ role: 'user', content: 'Hi!' }])) process.stdout.write(chunk.text);
 * ```
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<LanguageModel> {
  const { model, tokenizer } = await loadModelFiles(path, options);
  return new LanguageModel(model, tokenizer);
}
