// Starts the ranks of a distributed job as child processes, forwards their output line by line with a
// rank prefix, and stops every rank as soon as one fails (a rank waiting in a collective for a rank that
// died could otherwise wait for ever).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { RingHosts } from './hostfile.js';

export interface LaunchPlan {
  /** The ring's addresses, one entry per rank; a single rank runs with no hostfile (a group of one). */
  ring: RingHosts;
  /** The ranks to start here. */
  ranks: number[];
  command: string[];
  env: Record<string, string>;
}

export interface LaunchIo {
  stdout: Writable;
  stderr: Writable;
}

/** How long a rank asked to stop (SIGTERM) gets before it is killed (SIGKILL). */
const STOP_GRACE_MS = 2000;

/** A script runs under this Node.js; any other command runs as given. */
function commandLine(command: string[]): [string, string[]] {
  const [first, ...rest] = command;
  if (/\.[cm]?js$/.test(first!)) return [process.execPath, [first!, ...rest]];
  return [first!, rest];
}

/** Writes each complete line of a child's stream to `out` with `prefix`; flush() writes what is left. */
function prefixLines(prefix: string, out: Writable) {
  let pending = '';
  return {
    write(chunk: Buffer) {
      const text = pending + chunk.toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) {
        pending = text;
        return;
      }
      pending = text.slice(end + 1);
      out.write(text.slice(0, end).split('\n').map((line) => `${prefix}${line}\n`).join(''));
    },
    flush() {
      if (pending !== '') out.write(`${prefix}${pending}\n`);
      pending = '';
    },
  };
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return code ?? 1;
}

/**
 * Runs the plan and resolves to the launcher's exit code: 0 if every rank succeeded, else the exit code
 * of the first rank that failed (128 + the signal number for a rank killed by a signal).
 */
export async function launch(plan: LaunchPlan, io: LaunchIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mlxts-launch-'));
  const hostfile = join(dir, 'hostfile.json');
  if (plan.ring.length > 1) writeFileSync(hostfile, `${JSON.stringify(plan.ring)}\n`);
  const [program, args] = commandLine(plan.command);
  const children = new Map<number, ChildProcess>();
  let failure: { rank: number; code: number } | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  const stopAll = (signal: NodeJS.Signals) => {
    for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    killTimer ??= setTimeout(() => {
      for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, STOP_GRACE_MS);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    io.stderr.write(`mlxts-launch: ${signal}; stopping every rank\n`);
    failure ??= { rank: -1, code: exitCodeOf(null, signal) };
    stopAll('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const exits = plan.ranks.map((rank) => {
      const env: NodeJS.ProcessEnv = { ...process.env, ...plan.env, MLX_RANK: String(rank) };
      if (plan.ring.length > 1) env.MLX_HOSTFILE = hostfile;
      else delete env.MLX_HOSTFILE;
      const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.set(rank, child);
      const out = prefixLines(`[${rank}] `, io.stdout);
      const err = prefixLines(`[${rank}] `, io.stderr);
      child.stdout!.on('data', out.write);
      child.stderr!.on('data', err.write);
      return new Promise<void>((resolve) => {
        child.once('error', (error) => {
          io.stderr.write(`mlxts-launch: rank ${rank} could not start ${program}: ${error.message}\n`);
        });
        // 'close' comes after the exit and the end of the child's output.
        child.once('close', (code, signal) => {
          out.flush();
          err.flush();
          const status = exitCodeOf(code, signal);
          if (status !== 0 && failure === undefined) {
            failure = { rank, code: status };
            const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
            const others = plan.ranks.length > 1 ? '; stopping the other ranks' : '';
            io.stderr.write(`mlxts-launch: rank ${rank} ${how}${others}\n`);
            stopAll('SIGTERM');
          }
          resolve();
        });
      });
    });
    await Promise.all(exits);
  } finally {
    if (killTimer !== undefined) clearTimeout(killTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
  return failure?.code ?? 0;
}
