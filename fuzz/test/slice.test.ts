// The bounded slice of the fuzzer that `npm test` runs: a fixed seed, so a failure found once stays in the
// suite, and a seed that changes daily, so the suite keeps exploring. Long runs: `npm run fuzz`.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { formatReport } from '../src/report.js';
import { allTargets, runFuzz, type Report } from '../src/run.js';

const FIXED_SEED = 1;
const ROTATING_SEED = Math.floor(Date.now() / 86_400_000); // the UTC day
const CALLS = Number(process.env.MLXTS_FUZZ_CALLS ?? 1500);

function run(seed: number): Promise<Report> {
  return runFuzz({
    calls: CALLS,
    seed,
    jobs: Math.min(2, availableParallelism()),
    timeoutMs: 20_000,
    mlxLimitBytes: 2 ** 30,
    rssLimitBytes: 3 * 2 ** 30,
    // A plain Error breaks the error rule: a failure like a crash.
    strict: true,
    shrinkBudget: 40,
  });
}

describe.each([
  ['fixed', FIXED_SEED],
  ['rotating', ROTATING_SEED],
])('fuzz slice, %s seed', (_, seed) => {
  it(`${CALLS} calls of every op and export: no crash, hang, memory overrun, broken runtime or plain Error (seed ${seed})`, async () => {
    const report = await run(seed);
    const text = formatReport(report);
    // The summary (calls, error classes, failures); the full report, plain Errors included, on failure
    // or from `npm run fuzz -- --calls N --seed S`.
    console.log(text.split('\n').slice(0, 3).join('\n'));
    expect(report.failures.map((f) => `${f.outcome.kind} in ${f.target}: ${f.minimised ?? f.expr}`), text).toEqual([]);
    expect(report.calls).toBe(CALLS);
    // Every target was called, and a good share of the calls got past argument checking into MLX: a
    // generator that only produced refused arguments would test nothing.
    const targets = allTargets();
    expect(CALLS).toBeGreaterThanOrEqual(targets.length);
    for (const t of targets) expect(report.targets.get(t.id)?.calls, t.id).toBeGreaterThan(0);
    expect(report.ok / report.calls).toBeGreaterThan(0.3);
  }, 300_000);
});
