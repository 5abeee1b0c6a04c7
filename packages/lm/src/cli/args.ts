// The command line of mlxts-lm, parsed into what to load and how to generate. Pure: no I/O, so it is tested
// on its own; bad flags are errors whose message says what is wrong.
import { parseArgs } from 'node:util';
import type { GenerateOptions } from '../generate.js';

export const USAGE = `Usage: mlxts-lm [options] [prompt]

Streams a language model's answer to the prompt; without a prompt (or with --chat), starts an interactive
chat. The default model is fetched into the model cache on first use.

Options:
  --model <path>              a .gguf file or a Hugging Face model directory (default: SmolLM2-135M-Instruct)
  --max-tokens <n>            most tokens to generate (default 256)
  --temperature <t>           sampling temperature; 0 is greedy (default 0)
  --top-k <k>                 sample from the k most likely tokens
  --top-p <p>                 sample from the most likely tokens covering probability p
  --min-p <p>                 drop tokens less likely than p times the most likely one
  --repetition-penalty <r>    penalize recently generated tokens (1 = off)
  --seed <n>                  seed for reproducible sampling
  --system <text>             system message for the chat template
  --raw                       use the prompt as is, without the chat template
  --chat                      interactive chat, starting with the prompt if one is given
  --device <cpu|gpu>          where to run (default cpu)
  --quiet                     print only the generated text, no stats
  -h, --help                  show this help`;

/** What the command line asks for. */
export interface CliOptions {
  help: boolean;
  model?: string;
  prompt?: string;
  chat: boolean;
  raw: boolean;
  system?: string;
  device: 'cpu' | 'gpu';
  quiet: boolean;
  generate: GenerateOptions;
}

/** A command line that cannot be run; the message says why. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function numberFlag(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got '${value}'`);
  }
  return n;
}

/** Parses `argv` (without node and the script). */
export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        'max-tokens': { type: 'string' },
        temperature: { type: 'string' },
        'top-k': { type: 'string' },
        'top-p': { type: 'string' },
        'min-p': { type: 'string' },
        'repetition-penalty': { type: 'string' },
        seed: { type: 'string' },
        system: { type: 'string' },
        raw: { type: 'boolean', default: false },
        chat: { type: 'boolean', default: false },
        device: { type: 'string', default: 'cpu' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.device !== 'cpu' && values.device !== 'gpu') throw new UsageError(`--device must be cpu or gpu, got '${values.device}'`);
  const prompt = positionals.length > 0 ? positionals.join(' ') : undefined;
  if (values.raw && (values.chat || prompt === undefined)) throw new UsageError('--raw needs a prompt and cannot start a chat (a chat needs the chat template)');
  const generate: GenerateOptions = {};
  const set = <K extends keyof GenerateOptions>(key: K, value: GenerateOptions[K] | undefined) => {
    if (value !== undefined) generate[key] = value;
  };
  set('maxTokens', numberFlag('max-tokens', values['max-tokens'], true));
  set('temperature', numberFlag('temperature', values.temperature, false));
  set('topK', numberFlag('top-k', values['top-k'], true));
  set('topP', numberFlag('top-p', values['top-p'], false));
  set('minP', numberFlag('min-p', values['min-p'], false));
  set('repetitionPenalty', numberFlag('repetition-penalty', values['repetition-penalty'], false));
  set('seed', numberFlag('seed', values.seed, true));
  return {
    help: values.help,
    model: values.model,
    prompt,
    chat: values.chat || prompt === undefined,
    raw: values.raw,
    system: values.system,
    device: values.device,
    quiet: values.quiet,
    generate,
  };
}
