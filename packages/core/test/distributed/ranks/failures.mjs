// One rank of the failure tests; the scenario is the first argument.
//  peer-exits: rank 1 exits (cleanly) after one allSum; rank 0's next allSum must fail, not hang.
//  peer-stalls: rank 1 stays alive but never joins the second allSum; rank 0 (init timeout 500 ms)
//               must fail with a timeout while its event loop keeps turning.
//  rank-fails / rank-ignores-sigterm: rank 1 exits with code 3 while rank 0 waits; the launcher must
//               stop rank 0 (with SIGKILL when it ignores SIGTERM).
import * as mx from '@mlxts/core';

const scenario = process.argv[2];
// Before anything else, so the handler is in place whenever the launcher's SIGTERM comes.
if (scenario === 'rank-ignores-sigterm') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
const timeout = scenario === 'peer-stalls' ? 500 : undefined;
const group = mx.distributed.init({ strict: true, ...(timeout ? { timeout } : {}) });
await mx.distributed.allSum(mx.array([1])).eval();
console.log('joined');

if (scenario === 'peer-exits' || scenario === 'peer-stalls') {
  if (group.rank === 1) {
    if (scenario === 'peer-stalls') await new Promise((resolve) => setTimeout(resolve, 2500));
    process.exit(0);
  }
  // Built while the ring is whole, evaluated after it failed: must fail too, not wait on dead sockets.
  const builtBefore = mx.distributed.allSum(mx.ones([3]));
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 20);
  const started = Date.now();
  let failure = 'no error';
  try {
    await mx.distributed.allSum(mx.ones([1000])).eval();
  } catch (error) {
    failure = `${error.name}: ${error.message}`;
  }
  clearInterval(ticker);
  let later = 'no error';
  try {
    mx.distributed.allSum(mx.ones([2]));
  } catch (error) {
    later = `${error.name}: ${error.message}`;
  }
  let evaluatedAfter = 'no error';
  try {
    await builtBefore.eval();
  } catch (error) {
    evaluatedAfter = `${error.name}: ${error.message}`;
  }
  // Evaluation of anything else still works.
  const unrelated = mx.add(mx.array([1, 2]), 3).toArray();
  console.log(`RESULT ${JSON.stringify({ failure, later, evaluatedAfter, unrelated, ms: Date.now() - started, ticks })}`);
} else if (scenario === 'rank-fails' || scenario === 'rank-ignores-sigterm') {
  if (group.rank === 1) {
    console.error('rank 1 fails');
    process.exit(3);
  }
  await new Promise((resolve) => setTimeout(resolve, 60000));
  console.log('rank 0 was not stopped');
}
