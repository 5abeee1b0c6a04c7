// Runs a fixture script in a process of its own: crashes (signals, aborts) and hangs there cannot take
// the test runner down with them, and every run starts from a fresh addon.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ScriptResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** How the process ended, for assertion messages: "exit 0", "signal SIGSEGV", "timed out". */
  ending: string;
}

/**
 * Runs the fixture without blocking this process's event loop: a synchronous wait for dozens of runs on a
 * loaded machine makes vitest's worker miss its own RPC deadlines.
 */
export function runFixture(name: string, args: string[] = [], timeoutMs = 30_000): Promise<ScriptResult> {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const ending = timedOut ? 'timed out' : signal ? `signal ${signal}` : `exit ${status}`;
      resolve({ status, signal, stdout, stderr, ending });
    });
  });
}
