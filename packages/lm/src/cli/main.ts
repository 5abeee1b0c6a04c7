#!/usr/bin/env node
// mlxts-lm: chat with a language model from the terminal. See USAGE in args.ts.
import * as mx from '@mlxts/core';
import { loadModel } from '../language-model.js';
import { defaultModelPath } from '../default-model.js';
import { parseCli, USAGE, UsageError } from './args.js';
import type { CliOptions } from './args.js';
import { chat, conversation, streamAnswer } from './session.js';

async function run(options: CliOptions): Promise<void> {
  if (options.device === 'gpu' && !mx.isAvailable('gpu')) {
    throw new UsageError('--device gpu: this build of MLX has no GPU backend (install with MLXTS_BACKEND=cuda on a machine with an NVIDIA GPU)');
  }
  mx.setDefaultDevice(options.device);
  const path = options.model ?? (await defaultModelPath({ log: (line) => process.stderr.write(`${line}\n`) }));
  const started = performance.now();
  const lm = await loadModel(path);
  const output = { out: process.stdout, err: process.stderr };
  if (!options.quiet) process.stderr.write(`Loaded ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s (MLX on ${options.device}).\n`);
  try {
    if (options.chat) await chat(lm, options.system, options.generate, output, options.quiet, options.prompt);
    else await streamAnswer(lm, options.raw ? options.prompt! : conversation(options.system, [], options.prompt!), options.generate, output, options.quiet);
  } finally {
    lm.dispose();
  }
}

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`mlxts-lm: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    await run(options);
    return 0;
  } catch (e) {
    process.stderr.write(`mlxts-lm: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main();
