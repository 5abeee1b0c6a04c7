// Running the model for the command line: one answer streamed to stdout, or an interactive chat. Ctrl+C
// stops the answer being generated (through an AbortSignal); at the chat prompt it quits.
import { createInterface } from 'node:readline/promises';
import type { GenerateOptions, GenerationStats } from '../generate.js';
import type { LanguageModel, Prompt } from '../language-model.js';
import type { ChatMessage } from '../tokenizer/chat-template.js';

/** Where the session writes: the text to `out`, stats and notices to `err`. */
export interface Output {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** One line of stats, as printed after each answer. */
export function formatStats(stats: GenerationStats): string {
  const mb = (stats.peakMemory / 1e6).toFixed(0);
  return `prompt: ${stats.promptTokens} tokens, ${stats.promptTps.toFixed(1)} tokens/s | generation: ${stats.generationTokens} tokens, ${stats.generationTps.toFixed(1)} tokens/s | peak memory: ${mb} MB`;
}

/** Streams the answer to `prompt`; Ctrl+C stops it. Returns the generated text. */
export async function streamAnswer(lm: LanguageModel, prompt: Prompt, options: GenerateOptions, output: Output, quiet: boolean): Promise<string> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  try {
    const generation = lm.generate(prompt, { ...options, signal: controller.signal });
    for await (const chunk of generation) output.out.write(chunk.text);
    const result = generation.result!;
    output.out.write('\n');
    if (result.finishReason === 'abort') output.err.write('[stopped]\n');
    if (!quiet) output.err.write(`${formatStats(result.stats)}\n`);
    return result.text;
  } finally {
    process.off('SIGINT', stop);
  }
}

/** The messages for one user turn: the system message (if any), the history, then the new message. */
export function conversation(system: string | undefined, history: readonly ChatMessage[], user: string): ChatMessage[] {
  return [...(system ? [{ role: 'system', content: system }] : []), ...history, { role: 'user', content: user }];
}

/**
 * An interactive chat on stdin: each line is a user turn; `/reset` forgets the conversation, `/exit` quits.
 * `first`, if given, is the first user turn.
 */
export async function chat(lm: LanguageModel, system: string | undefined, options: GenerateOptions, output: Output, quiet: boolean, first?: string): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  let closed = false;
  rl.on('close', () => {
    closed = true;
  });
  rl.on('SIGINT', () => rl.close());
  const history: ChatMessage[] = [];
  output.err.write('Chat with the model. /reset starts over, /exit (or Ctrl+D) quits, Ctrl+C stops an answer.\n');
  let pending = first;
  try {
    while (!closed) {
      let line: string;
      if (pending !== undefined) {
        line = pending;
        pending = undefined;
        output.out.write(`> ${line}\n`);
      } else {
        try {
          line = (await rl.question('> ')).trim();
        } catch {
          break; // closed while waiting (Ctrl+D, Ctrl+C, end of input)
        }
      }
      if (line === '/exit') break;
      if (line === '/reset') {
        history.length = 0;
        continue;
      }
      if (line === '') continue;
      rl.pause();
      const answer = await streamAnswer(lm, conversation(system, history, line), options, output, quiet);
      rl.resume();
      history.push({ role: 'user', content: line }, { role: 'assistant', content: answer });
    }
  } finally {
    rl.close();
  }
}
