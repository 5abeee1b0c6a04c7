// npm run fuzz -- [--calls N] [--seed S] [--jobs J] [--only REGEX] [--strict] [--timeout-ms MS]
//                 [--mlx-limit-mb MB] [--rss-limit-mb MB] [--shrink N] [--json FILE]
// npm run fuzz -- --replay 'EXPR'     runs one call expression the way the fuzzer does and prints its outcome
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ChildPool } from './pool.js';
import { formatReport } from './report.js';
import { runFuzz } from './run.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const number = (name: string, fallback: number) => {
  const n = Number(value(name, String(fallback)));
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`fuzz: --${name} must be a non-negative integer`);
  return n;
};

const mlxLimitBytes = number('mlx-limit-mb', 1024) * 2 ** 20;
const pool = {
  jobs: Math.max(1, number('jobs', availableParallelism())),
  timeoutMs: number('timeout-ms', 20_000),
  mlxLimitBytes,
  rssLimitBytes: number('rss-limit-mb', mlxLimitBytes / 2 ** 20 + 2048) * 2 ** 20,
};

if (flag('replay')) {
  const expr = value('replay', '');
  const one = new ChildPool({ ...pool, jobs: 1 });
  const outcome = await one.run({ id: 0, expr, stateful: true });
  one.close();
  console.log(JSON.stringify(outcome, null, 2));
  process.exit(outcome.kind === 'ok' || outcome.kind === 'threw' ? 0 : 1);
}

const calls = number('calls', 10_000);
const report = await runFuzz({
  ...pool,
  calls,
  seed: number('seed', Math.floor(Date.now() / 86_400_000)),
  strict: flag('strict'),
  shrinkBudget: number('shrink', 60),
  only: flag('only') ? new RegExp(value('only', '')) : undefined,
  onProgress: (done, r, failed) => {
    if (done % 1000 === 0 || done === calls) process.stderr.write(`  ${done}/${calls} calls, ${r.ok} returned, ${failed} failed\n`);
  },
});
console.log(formatReport(report));
if (flag('json')) {
  writeFileSync(value('json', 'fuzz.json'), JSON.stringify({ ...report, targets: Object.fromEntries(report.targets) }, null, 2));
}
process.exit(report.failures.length > 0 ? 1 : 0);
