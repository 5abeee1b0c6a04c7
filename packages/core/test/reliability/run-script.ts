// Runs a fixture script in a process of its own: crashes (signals, aborts) and hangs there cannot take
// the test runner down with them, and every run starts from a fresh addon.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ScriptResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** How the process ended, for assertion messages: "exit 0", "signal SIGSEGV", "timed out". */
  ending: string;
}

export function runFixture(name: string, args: string[] = [], timeoutMs = 30_000): ScriptResult {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const out = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  const timedOut = out.error !== undefined && (out.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  const ending = timedOut ? 'timed out' : out.signal ? `signal ${out.signal}` : `exit ${out.status}`;
  return { status: out.status, signal: out.signal, stdout: out.stdout, stderr: out.stderr, ending };
}
