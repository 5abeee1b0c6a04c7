// Process-wide MLX state shared by every JS thread (main and worker_threads) and the eval thread.
#pragma once
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include <mlx/mlx.h>

namespace mlxts {

namespace mx = mlx::core;

// MLX graph nodes carry no locks and MLX's stream encoders are not thread-safe, so every MLX call
// (op construction, array release, async_eval, wait) holds this one lock. Recursive because a GC
// finalizer that releases an array may run on a JS thread that already holds it.
std::recursive_mutex& mlx_mutex();
using MlxLock = std::lock_guard<std::recursive_mutex>;

// Constructs MLX's scheduler on the calling (JS) thread, so MLX's "main thread" is one that never
// evaluates, and creates the thread-unsafe streams that all threads share. Idempotent.
void init_process();

// Makes the shared streams the calling thread's defaults, so ops built without an explicit stream land
// on them rather than on a thread-local stream that other threads cannot evaluate.
void adopt_current_thread();

mx::Stream cpu_stream();
std::optional<mx::Stream> gpu_stream();

// MLX's memory limit, cached because every new tensor is checked against it; set_memory_limit keeps
// MLX and the cache in step.
size_t memory_limit();
size_t set_memory_limit(size_t bytes);

// MLX's CPU allocator does not check for failure, so memory an op needs beyond the limit kills the process
// while it runs (a null write, or the OOM killer). Throws "<what> needs N GB, more than MLX's memory limit
// of M GB" (a std::invalid_argument, so an MlxError in JS) when `bytes` is over the limit. Sizes are long
// double so that element counts overflowing size_t are refused too.
void require_fits_in_memory(long double bytes, const std::string& what);

// Lets go of an array without waiting for the MLX lock. While the eval thread holds the lock (async_eval
// of a large graph can hold it for most of the compute), a JS thread that drops a tensor, e.g. in a GC
// finalizer, must not stall its event loop: the array is parked and released by the next holder of the
// lock (drain_released_arrays), which the eval thread and every op call are.
void release_array(mx::array array);
// The same for other MLX state (a compile cache entry): `release` runs now if the MLX lock is free, else
// it is parked and run by the next holder of the lock.
void release_later(std::function<void()> release);
// Releases parked arrays and runs parked releases. Call with the MLX lock held.
void drain_released_arrays();

}  // namespace mlxts

namespace mlxts {

// An array handle held across an unlocked wait: it takes the MLX lock when it lets go, even when
// an exception unwinds past it.
class HeldArray {
 public:
  explicit HeldArray(mx::array array) : array_(std::move(array)) {}
  HeldArray(const HeldArray&) = delete;
  HeldArray& operator=(const HeldArray&) = delete;
  ~HeldArray() {
    MlxLock lock(mlx_mutex());
    array_.reset();
  }
  const mx::array& get() const { return *array_; }

 private:
  std::optional<mx::array> array_;
};

}  // namespace mlxts
