// A fuzzing run: calls spread evenly over every target, run in a pool of child processes; then each
// failure is run again alone and minimised.
import { generateCall, printCall, type Call } from './call.js';
import { handwrittenTargets } from './handwritten.js';
import { FAILURES, type Outcome } from './outcome.js';
import { ChildPool, type PoolOptions, type Unhandled } from './pool.js';
import { schemaTargets } from './schema.js';
import { minimise } from './shrink.js';
import type { Target } from './targets.js';

export interface RunOptions extends PoolOptions {
  readonly calls: number;
  readonly seed: number;
  /** Plain `Error`s (and non-Error throws) fail the run instead of being listed. */
  readonly strict: boolean;
  /** Candidates tried when minimising one failure. */
  readonly shrinkBudget: number;
  /** Only targets whose id matches. */
  readonly only?: RegExp;
  readonly onProgress?: (done: number, report: Report, failed: number) => void;
}

export interface Failure {
  readonly index: number;
  readonly target: string;
  readonly expr: string;
  readonly outcome: Outcome;
  /** Did it fail the same way when run again alone? Absent: not retried (an earlier failure of its target and kind was). */
  readonly reproduced?: boolean;
  /** The smallest call found that still fails that way. */
  readonly minimised?: string;
}

/** Plain Errors of one target with one message (numbers ignored), with the first call that threw it. */
export interface PlainError {
  readonly target: string;
  readonly errorClass: string;
  readonly message: string;
  readonly expr: string;
  count: number;
}

export interface Report {
  readonly seed: number;
  calls: number;
  ok: number;
  /** Thrown errors by class: TypeError, RangeError, MlxError, Error, ... */
  readonly errorClasses: Record<string, number>;
  readonly failures: Failure[];
  readonly plainErrors: PlainError[];
  readonly unhandled: Unhandled[];
  /** Calls per target, and how many of them returned without an error. */
  readonly targets: Map<string, { calls: number; ok: number }>;
  /** The calls themselves; `wallMs` adds the replays and minimisation of failures. */
  callsMs: number;
  wallMs: number;
}

export function allTargets(only?: RegExp): Target[] {
  const targets = [...schemaTargets(), ...handwrittenTargets()];
  return only ? targets.filter((t) => only.test(t.id)) : targets;
}

export async function runFuzz(options: RunOptions): Promise<Report> {
  const start = Date.now();
  const targets = allTargets(options.only);
  if (targets.length === 0) throw new RangeError('fuzz: no target matches --only');
  const report: Report = { seed: options.seed, calls: 0, ok: 0, errorClasses: {}, failures: [], plainErrors: [], unhandled: [], targets: new Map(), callsMs: 0, wallMs: 0 };
  for (const t of targets) report.targets.set(t.id, { calls: 0, ok: 0 });
  const failed: Array<{ index: number; call: Call; expr: string; outcome: Outcome }> = [];
  const plain = new Map<string, PlainError>();
  // Every target gets its share of the calls; the seed picks where the rotation starts.
  const callAt = (index: number) => generateCall(targets[(index + options.seed) % targets.length], options.seed, index);

  const pool = new ChildPool(options);
  try {
    let next = 0;
    const lane = async () => {
      while (next < options.calls) {
        const index = next++;
        const call = callAt(index);
        const expr = printCall(call);
        const outcome = await pool.run({ id: index, expr, stateful: call.target.stateful ?? false });
        const tally = report.targets.get(call.target.id)!;
        tally.calls++;
        report.calls++;
        if (outcome.kind === 'ok') {
          report.ok++;
          tally.ok++;
        } else if (outcome.kind === 'threw') {
          report.errorClasses[outcome.errorClass] = (report.errorClasses[outcome.errorClass] ?? 0) + 1;
          if (!['TypeError', 'RangeError', 'MlxError'].includes(outcome.errorClass)) {
            const key = `${call.target.id}|${outcome.errorClass}|${outcome.message.replace(/\d+/g, 'N')}`;
            const seen = plain.get(key);
            if (seen) seen.count++;
            else plain.set(key, { target: call.target.id, errorClass: outcome.errorClass, message: outcome.message, expr, count: 1 });
            if (options.strict) failed.push({ index, call, expr, outcome });
          }
        }
        if (FAILURES.has(outcome.kind)) failed.push({ index, call, expr, outcome });
        options.onProgress?.(report.calls, report, failed.length);
      }
    };
    await Promise.all(Array.from({ length: options.jobs }, lane));
  } finally {
    report.unhandled.push(...pool.unhandled);
    pool.close();
  }
  report.callsMs = Date.now() - start;
  report.plainErrors.push(...[...plain.values()].sort((a, b) => b.count - a.count));
  report.failures.push(...(await confirmAndMinimise(failed, options)));
  report.wallMs = Date.now() - start;
  return report;
}

/** Runs each failing call again alone; minimises the ones that fail again (one per target and kind). */
async function confirmAndMinimise(failed: Array<{ index: number; call: Call; expr: string; outcome: Outcome }>, options: RunOptions): Promise<Failure[]> {
  const out: Failure[] = [];
  const seen = new Set<string>();
  const pool = new ChildPool({ ...options, jobs: 1 });
  const failsLike = async (expr: string, call: Call, kind: Outcome['kind'], errorClass?: string) => {
    const o = await pool.run({ id: -1, expr, stateful: call.target.stateful ?? false });
    return o.kind === kind && (o.kind !== 'threw' || o.errorClass === errorClass);
  };
  try {
    for (const f of failed) {
      const key = `${f.call.target.id}|${f.outcome.kind}`;
      const errorClass = f.outcome.kind === 'threw' ? f.outcome.errorClass : undefined;
      if (seen.has(key)) {
        out.push({ index: f.index, target: f.call.target.id, expr: f.expr, outcome: f.outcome });
        continue;
      }
      seen.add(key);
      const reproduced = await failsLike(f.expr, f.call, f.outcome.kind, errorClass);
      let minimised: string | undefined;
      if (reproduced) {
        // A hang costs the whole time limit per try, a memory overrun the time to reach it: try fewer.
        const budget = f.outcome.kind === 'hang' || f.outcome.kind === 'memory' ? Math.min(5, options.shrinkBudget) : options.shrinkBudget;
        const small = await minimise(f.call, (c) => failsLike(printCall(c), c, f.outcome.kind, errorClass), budget);
        minimised = printCall(small.call);
      }
      out.push({ index: f.index, target: f.call.target.id, expr: f.expr, outcome: f.outcome, reproduced, minimised });
    }
  } finally {
    pool.close();
  }
  return out;
}
