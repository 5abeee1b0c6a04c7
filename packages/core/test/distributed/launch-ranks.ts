// Runs mlxts-launch (the built one) in a process group of its own, so that on a timeout the launcher
// and every rank it started are killed together: no test leaves a process behind.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const launcher = fileURLToPath(new URL('../../dist/launch/main.js', import.meta.url));
export const ranksDir = fileURLToPath(new URL('./ranks/', import.meta.url));

export interface LaunchResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export function runLauncher(args: string[], timeoutMs = 30_000, env: NodeJS.ProcessEnv = {}): Promise<LaunchResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [launcher, ...args], { cwd: ranksDir, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let timedOut = false;
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      killGroup(); // ranks the launcher may have left (it never should)
      resolve({ code, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** The `RESULT {...}` line each rank printed, by rank. */
export function rankResults<T>(stdout: string): Map<number, T> {
  const results = new Map<number, T>();
  for (const match of stdout.matchAll(/^\[(\d+)\] RESULT (.*)$/gm)) results.set(Number(match[1]), JSON.parse(match[2]!) as T);
  return results;
}
