// The mlxts-lm command line: flags parsed into generation options with clear errors, and the built CLI
// run as a user runs it (help, a bad flag, and a streamed answer of the default model with its stats).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../src/cli/args.js';
import { conversation, formatStats } from '../src/cli/session.js';
import { hasModel, modelPath } from './model-file.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, MLXTS_LM_MODEL: modelPath } });

describe('parseCli', () => {
  it('reads the prompt and the generation flags', () => {
    const o = parseCli(['--max-tokens', '12', '--temperature', '0.7', '--top-k', '40', '--top-p', '0.9', '--min-p', '0.05', '--repetition-penalty', '1.1', '--seed', '3', 'Hello', 'there']);
    expect(o.prompt).toBe('Hello there');
    expect(o.chat).toBe(false);
    expect(o.generate).toEqual({ maxTokens: 12, temperature: 0.7, topK: 40, topP: 0.9, minP: 0.05, repetitionPenalty: 1.1, seed: 3 });
    expect(o.device).toBe('cpu');
  });

  it('chats without a prompt or with --chat', () => {
    expect(parseCli([]).chat).toBe(true);
    expect(parseCli(['--chat', 'Hi']).chat).toBe(true);
    expect(parseCli(['--model', 'm.gguf', '--device', 'gpu', '--system', 'Be brief.', 'Hi'])).toMatchObject({ model: 'm.gguf', device: 'gpu', system: 'Be brief.' });
  });

  it('explains bad command lines', () => {
    expect(() => parseCli(['--max-tokens', 'ten', 'x'])).toThrow(new UsageError("--max-tokens must be an integer, got 'ten'"));
    expect(() => parseCli(['--device', 'tpu', 'x'])).toThrow(/--device must be cpu or gpu/);
    expect(() => parseCli(['--raw'])).toThrow(/--raw needs a prompt/);
    expect(() => parseCli(['--frobnicate', 'x'])).toThrow(UsageError);
  });

  it('builds conversations and formats stats', () => {
    expect(conversation('S', [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }], 'c')).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ]);
    const line = formatStats({ promptTokens: 10, promptTps: 123.45, generationTokens: 5, generationTps: 20, peakMemory: 130e6, prefillMs: 0, decodeMs: 0, buildMs: 0, evalMs: 0 });
    expect(line).toBe('prompt: 10 tokens, 123.5 tokens/s | generation: 5 tokens, 20.0 tokens/s | peak memory: 130 MB');
  });
});

describe('the mlxts-lm command', () => {
  it('prints its help, and refuses a bad flag with exit code 2', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: mlxts-lm \[options\] \[prompt\]/);
    const bad = run(['--max-tokens', '-']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/mlxts-lm: --max-tokens must be an integer/);
  });

  it.skipIf(!hasModel)('streams the default model\'s answer and its stats', () => {
    const result = run(['--max-tokens', '12', 'What is the capital of France?']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Paris/);
    expect(result.stderr).toMatch(/prompt: \d+ tokens, [\d.]+ tokens\/s \| generation: \d+ tokens, [\d.]+ tokens\/s \| peak memory: \d+ MB/);
  });

  it('fails clearly on a model that cannot be read', () => {
    const result = spawnSync(process.execPath, [cli, '--model', '/nonexistent/model.gguf', 'Hi'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/mlxts-lm: loadModel: \/nonexistent\/model\.gguf: cannot be read \(ENOENT\)/);
  });
});
