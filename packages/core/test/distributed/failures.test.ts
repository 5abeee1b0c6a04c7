// A peer that exits or stalls must end a collective with an error, never a hang; a failing rank must
// bring the launcher's other ranks down.
import { describe, expect, it } from 'vitest';
import { rankResults, runLauncher } from './launch-ranks.js';

interface Outcome {
  failure: string;
  later: string;
  evaluatedAfter: string;
  unrelated: number[];
  ms: number;
  ticks: number;
}

describe('a peer that goes away', () => {
  it('exits: the next collective fails with MLX\'s error, and the group refuses later ones', async () => {
    const run = await runLauncher(['-n', '2', 'failures.mjs', 'peer-exits']);
    expect(run.timedOut, run.stderr).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    const outcome = rankResults<Outcome>(run.stdout).get(0)!;
    expect(outcome.failure).toBe('MlxError: eval: a peer left the group (MLX: [ring] connection to a peer was lost); the group\'s connections were closed and it cannot be used again');
    expect(outcome.later).toMatch(/^MlxError: distributed\.allSum: the distributed group cannot be used: a peer left the group/);
    expect(outcome.evaluatedAfter).toMatch(/^MlxError: eval: the distributed group cannot be used: a peer left the group/);
    expect(outcome.unrelated).toEqual([4, 5]);
  });

  it('stalls: with init({ timeout }) the collective fails after the timeout while the event loop turns', async () => {
    const run = await runLauncher(['-n', '2', 'failures.mjs', 'peer-stalls']);
    expect(run.timedOut, run.stderr).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    const outcome = rankResults<Outcome>(run.stdout).get(0)!;
    expect(outcome.failure).toMatch(/^MlxError: eval: a collective timed out after 500 ms .* cannot be used again \(MLX: \[ring\] connection to a peer was lost\)$/);
    expect(outcome.later).toMatch(/^MlxError: distributed\.allSum: the distributed group cannot be used: a collective timed out/);
    expect(outcome.ms).toBeGreaterThanOrEqual(450);
    // A 20 ms interval kept firing during the wait (a blocked event loop would give 0 or 1); the message
    // says the timeout, not rank 1's exit 2.5 s later, ended it.
    expect(outcome.ticks).toBeGreaterThanOrEqual(3);
    expect(outcome.unrelated).toEqual([4, 5]);
  });
});

describe('mlxts-launch', () => {
  it('prefixes every line with its rank and gives the ranks MLX_RANK and an MLX hostfile', async () => {
    const run = await runLauncher(['-n', '2', '--env', 'EXTRA=yes', 'env.mjs']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').sort();
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 2)).toEqual(['[0] rank 0 extra yes', '[0] tail without newline']);
    expect(lines.slice(2)).toEqual(['[1] rank 1 extra yes', '[1] tail without newline']);
    expect(run.stderr).toMatch(/^\[0\] hosts \[\["127\.0\.0\.1:\d+"\],\["127\.0\.0\.1:\d+"\]\]$/m);
  });

  it('stops the other ranks when one fails and exits with its code', async () => {
    const run = await runLauncher(['-n', '2', 'failures.mjs', 'rank-fails']);
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('[1] rank 1 fails');
    expect(run.stderr).toContain('mlxts-launch: rank 1 exited with code 3; stopping the other ranks');
    expect(run.stdout).not.toContain('rank 0 was not stopped');
    expect(run.ms).toBeLessThan(20_000);
  });

  it('kills a rank that ignores SIGTERM', async () => {
    const run = await runLauncher(['-n', '2', 'failures.mjs', 'rank-ignores-sigterm']);
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('[0] ignoring SIGTERM');
    expect(run.stdout).not.toContain('rank 0 was not stopped');
  });

  it('refuses a bad command line with exit code 2 and the usage', async () => {
    const run = await runLauncher(['-n', '0', 'x.mjs']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('mlxts-launch: -n must be an integer from 1 to 1024');
    expect(run.stderr).toContain('Usage: mlxts-launch');
  });
});
