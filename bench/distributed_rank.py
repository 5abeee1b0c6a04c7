# One MLX Python rank of bench/distributed.mjs: the same timing as distributed-rank.mjs, with
# mlx.core.distributed, started by mlxts-launch (MLX_RANK and MLX_HOSTFILE as MLX's launcher sets them).
import json
import sys
import time

import mlx.core as mx

group = mx.distributed.init(strict=True, backend="ring")
sizes = json.loads(sys.argv[1])
results = []
for nbytes in sizes:
    x = mx.ones([nbytes // 4])
    mx.eval(x)
    runs = 3 if nbytes >= 64 * 2**20 else 10 if nbytes >= 2**20 else 50
    times = []
    for i in range(runs + 1):
        mx.eval(mx.distributed.all_sum(mx.array([1.0])))  # line the ranks up
        start = time.perf_counter_ns()
        y = mx.distributed.all_sum(x)
        mx.eval(y)
        ns = time.perf_counter_ns() - start
        if i > 0:
            times.append(ns)
        del y
    times.sort()
    results.append({"bytes": nbytes, "seconds": times[len(times) // 2] / 1e9})
if group.rank() == 0:
    print("RESULT " + json.dumps({"size": group.size(), "results": results}), flush=True)
