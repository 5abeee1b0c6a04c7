// Chat templates: the Jinja template a model ships (in its GGUF metadata or tokenizer_config.json) turns a
// list of messages into the prompt text the model was trained on. Rendered with @huggingface/jinja, the
// same engine Hugging Face's JavaScript libraries use.
import { Template } from '@huggingface/jinja';
import { MlxError } from '@mlxts/core';

/** One chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | (string & {});
  content: string;
}

/** Options of `applyChatTemplate`. */
export interface ChatTemplateOptions {
  /** End with the start of an assistant turn, so the model answers (default true). */
  addGenerationPrompt?: boolean;
  /** Extra variables for the template (`bos_token`, `eos_token` and special tokens are set already). */
  variables?: Record<string, unknown>;
}

/** A compiled chat template. */
export class ChatTemplate {
  private readonly template: Template;

  /** Compiles `source`; `tokens` gives the template's `bos_token`, `eos_token`, ... variables. */
  constructor(
    readonly source: string,
    private readonly tokens: Record<string, string> = {},
  ) {
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new MlxError(`applyChatTemplate: the model's chat template does not parse: ${(e as Error).message}`, 'applyChatTemplate');
    }
  }

  /** The prompt text for `messages`. */
  render(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): string {
    if (!Array.isArray(messages)) throw new TypeError('applyChatTemplate: messages must be an array of { role, content }');
    for (const m of messages) {
      if (typeof m !== 'object' || m === null || typeof m.role !== 'string' || typeof m.content !== 'string') {
        throw new TypeError('applyChatTemplate: each message must be { role: string, content: string }');
      }
    }
    try {
      return this.template.render({
        ...this.tokens,
        ...options.variables,
        messages,
        add_generation_prompt: options.addGenerationPrompt ?? true,
      });
    } catch (e) {
      throw new MlxError(`applyChatTemplate: the model's chat template failed: ${(e as Error).message}`, 'applyChatTemplate');
    }
  }
}
