# The MLX Python rank of the mixed ring test (mixed.test.ts): the same steps as mixed.mjs, with
# MLX Python 0.32.4 reading the same MLX_RANK and MLX_HOSTFILE.
import json

import mlx.core as mx

group = mx.distributed.init(strict=True, backend="ring")
rank, size = group.rank(), group.size()
total = mx.distributed.all_sum(mx.array([rank + 1.0, 10.0 * rank]), group=group)
gathered = mx.distributed.all_gather(mx.array([[rank, rank * 2]], dtype=mx.int32), group=group)
left, right = (rank + size - 1) % size, (rank + 1) % size
mine = mx.arange(rank * 100, rank * 100 + 5, dtype=mx.int32)
if rank == 0:
    mx.eval(mx.distributed.send(mine, right, group=group))
    received = mx.distributed.recv_like(mine, left, group=group)
else:
    received = mx.distributed.recv_like(mine, left, group=group)
    mx.eval(received)
    mx.eval(mx.distributed.send(mine, right, group=group))
mx.eval(total, gathered, received)
result = {"rank": rank, "size": size, "total": total.tolist(), "gathered": gathered.tolist(), "received": received.tolist()}
print("RESULT " + json.dumps(result), flush=True)
