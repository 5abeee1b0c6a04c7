// Runs a benchmark in a fresh process, alone or beside a busy loop that keeps one core loaded (the way
// another program would), and returns what it printed as JSON.
import { execFileSync, spawn } from 'node:child_process';

/** Runs `node script ...args` with `env` added (a null value unsets a variable), with a busy loop beside when `busy`. */
export function runBeside(busy, script, args, env = {}) {
  const childEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === null) delete childEnv[k];
    else childEnv[k] = v;
  }
  const loop = busy ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : undefined;
  try {
    return JSON.parse(execFileSync(process.execPath, [script, ...args], { env: childEnv, encoding: 'utf8' }));
  } finally {
    loop?.kill();
  }
}
