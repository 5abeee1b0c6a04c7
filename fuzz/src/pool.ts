// A pool of child processes that run calls: one call at a time per child, a fresh child after any child
// ends. A child that exits or is killed by a signal mid-call is a crash; one that runs past the time
// limit is a hang; one whose resident memory passes the limit is over memory (both are killed).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CallRequest, ChildMessage, Outcome } from './outcome.js';

export interface PoolOptions {
  readonly jobs: number;
  /** A call running longer than this is a hang. */
  readonly timeoutMs: number;
  /** MLX's memory limit in each child (`mx.setMemoryLimit`): results larger than this must be refused. */
  readonly mlxLimitBytes: number;
  /** A child whose resident memory passes this is over memory. */
  readonly rssLimitBytes: number;
}

export interface Unhandled {
  readonly expr: string;
  readonly errorClass: string;
  readonly message: string;
}

const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const STARTUP_MS = 120_000;
const STDERR_KEEP = 2000;

interface Running {
  readonly request: CallRequest;
  readonly resolve: (outcome: Outcome) => void;
  readonly timers: NodeJS.Timeout[];
}

class Child {
  private readonly process: ChildProcess;
  private readonly ready: Promise<void>;
  private running: Running | undefined;
  private stderr = '';
  alive = true;

  constructor(private readonly options: PoolOptions, tmp: string, private readonly onUnhandled: (u: Unhandled) => void) {
    this.process = fork(childScript, [], {
      execArgv: ['--import', tsxLoader, '--expose-gc'],
      env: { ...process.env, MLXTS_FUZZ_TMP: tmp, MLXTS_FUZZ_MLX_LIMIT: String(options.mlxLimitBytes) },
      cwd: tmp, // files saved under relative names land in the temporary folder too
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_KEEP);
    });
    this.ready = new Promise((resolve, reject) => {
      const startup = setTimeout(() => reject(new Error(`fuzz: a child process did not start within ${STARTUP_MS} ms`)), STARTUP_MS);
      this.process.on('message', (m: ChildMessage) => {
        if (m.type === 'ready') {
          clearTimeout(startup);
          resolve();
        } else if (m.type === 'done' && this.running?.request.id === m.id) this.finish(m.outcome);
        else if (m.type === 'unhandled') this.onUnhandled({ expr: this.running?.request.expr ?? '(between calls)', errorClass: m.errorClass, message: m.message });
      });
      this.process.on('exit', (code, signal) => {
        this.alive = false;
        clearTimeout(startup);
        reject(new Error(`fuzz: a child process ended while starting (${signal ?? `exit ${code}`}): ${this.stderr}`));
        const how = signal ? `signal ${signal}` : `exit ${code}`;
        this.finish({ kind: 'crash', detail: `${how}${this.stderr ? `; stderr: ${this.stderr.trim().slice(-500)}` : ''}` });
      });
    });
    this.ready.catch(() => {}); // a child that dies while idle is reported when it is next used
  }

  async run(request: CallRequest): Promise<Outcome> {
    await this.ready;
    return new Promise((resolve) => {
      const timers = [
        setTimeout(() => this.kill({ kind: 'hang', detail: `no result after ${this.options.timeoutMs} ms` }), this.options.timeoutMs),
        setInterval(() => {
          const rss = residentBytes(this.process.pid);
          if (rss > this.options.rssLimitBytes) this.kill({ kind: 'memory', detail: `resident memory ${mib(rss)} MiB passed the limit of ${mib(this.options.rssLimitBytes)} MiB` });
        }, 200),
      ];
      this.running = { request, resolve, timers };
      this.process.send(request);
    });
  }

  stop(): void {
    this.alive = false;
    this.process.kill('SIGKILL');
  }

  private kill(outcome: Outcome): void {
    this.finish(outcome);
    this.stop();
  }

  private finish(outcome: Outcome): void {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    for (const t of running.timers) clearTimeout(t);
    running.resolve(outcome);
  }
}

export class ChildPool {
  private readonly idle: Child[] = [];
  private readonly waiting: Array<(child: Child) => void> = [];
  private readonly all = new Set<Child>();
  private readonly tmp = mkdtempSync(join(tmpdir(), 'mlxts-fuzz-'));
  readonly unhandled: Unhandled[] = [];

  constructor(private readonly options: PoolOptions) {}

  async run(request: CallRequest): Promise<Outcome> {
    const child = await this.acquire();
    try {
      return await child.run(request);
    } finally {
      this.release(child);
    }
  }

  close(): void {
    for (const child of this.all) child.stop();
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private acquire(): Promise<Child> {
    const child = this.idle.pop();
    if (child) return Promise.resolve(child);
    if (this.all.size < this.options.jobs) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(child: Child): void {
    const next = child.alive ? child : (this.all.delete(child), this.spawn());
    const waiter = this.waiting.shift();
    if (waiter) waiter(next);
    else this.idle.push(next);
  }

  private spawn(): Child {
    const child = new Child(this.options, this.tmp, (u) => this.unhandled.push(u));
    this.all.add(child);
    return child;
  }
}

function residentBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return pages * 4096;
  } catch {
    return 0; // not Linux, or the process has ended
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}
