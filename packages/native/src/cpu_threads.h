// How many threads the CPU kernels use, so that another process busy on a core costs this process about
// that core and no more.
//
// OpenBLAS (libmlx's BLAS, see the README) splits a product statically between its threads, which
// busy-wait for each other: when one of them shares its core with another busy process, every thread
// waits for it, and a 512x512 matmul on two threads of a two-core machine fell from ~170 to ~11 GFLOP/s
// (one thread kept ~170). So, unless the user set OPENBLAS_NUM_THREADS, every evaluation sets OpenBLAS's
// thread count to the cores that other processes left idle over the last 100 ms (at least one). The
// quantized matmul's own pool (qmm/worker_pool.h) uses the same count.
#pragma once

#include <mlx/mlx.h>
#include <mlx/scheduler.h>

namespace mlxts::cpu_threads {

namespace mx = mlx::core;

// The cores this process may run on, less the load other processes put on them over the last 100 ms
// (measured from /proc/stat and /proc/self/stat, at most every 100 ms); at least 1. Where that cannot be
// read (not Linux), every core this process may run on.
int usable_cores();

// The cores this process may run on (its CPU affinity).
int available_cores();

// Before an evaluation on `cpu`: sets OpenBLAS's thread count to usable_cores() when it changed, in a
// task on the CPU stream so that it never changes under a running BLAS call. Does nothing when the user
// set OPENBLAS_NUM_THREADS (or GOTO_NUM_THREADS / OMP_NUM_THREADS, which OpenBLAS also reads), or when
// libmlx's BLAS is not OpenBLAS.
void adjust_blas_threads(mx::Stream cpu);

}  // namespace mlxts::cpu_threads
