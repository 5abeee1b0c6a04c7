// The helper threads of the quantized matmul kernels.
//
// Why a pool of our own: the kernels run inside a task on MLX's CPU stream thread, and MLX has no CPU
// thread pool to lend (its CPU kernels are single-threaded; only BLAS threads). Starting threads per call
// would cost more than a decode-sized product takes (tens of microseconds), so the pool is persistent:
// one helper per available core beyond the caller's, started on first use.
//
// How it shares work: a job is a count of independent tasks (blocks of weight rows) claimed one at a time
// from an atomic counter by the calling thread and the helpers alike. The caller always works too, so a
// job finishes even if no helper wakes, and a helper that is preempted (another process busy on its core)
// delays the job by at most the one block it holds, not by a fixed share of the work, which is how
// statically split BLAS threads collapse on a loaded machine.
//
// How it waits: a helper that finished a job spins briefly for the next one (decoding issues one product
// after another, tens of microseconds apart, and a futex wake-up costs about as much as a small product),
// yielding the core at every turn, then sleeps on a futex; the caller waits for the last blocks the same
// way. Neither ever spins for long against a loaded core.
//
// When a core is loaded: a helper preempted in the middle of a task holds the job up until the scheduler
// runs it again (milliseconds, for a product of tens of microseconds). A caller that waited much longer
// for the helpers than it worked itself therefore runs its jobs alone for the next 100 ms, then tries the
// helpers again: a busy core costs at most one such wait per 100 ms, and one thread's speed otherwise.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mlxts::qmm {

class WorkerPool {
 public:
  // The process's pool: MLXTS_CPU_THREADS threads in all (the caller included) when set, else one per
  // core this process may run on, of which a job uses the helpers only while other processes leave at
  // least two cores idle (cpu_threads::usable_cores()).
  static WorkerPool& instance();

  // Threads that work on a job, the caller included.
  int threads() const { return static_cast<int>(helpers_.size()) + 1; }

  // Runs task(i) for every i in [0, count) and returns when all have finished. Jobs from several threads
  // at once are fine: one runs on the pool, the others on their callers' threads alone.
  template <class Task>
  void run(int count, Task&& task) {
    run_job(count, [](void* context, int i) { (*static_cast<Task*>(context))(i); }, &task);
  }

 private:
  struct Job;
  explicit WorkerPool(int configured);
  void run_job(int count, void (*call)(void*, int), void* context);
  void helper_loop();

  std::vector<std::thread> helpers_;
  std::mutex run_mutex_;               // held by the one caller whose job is on the pool
  std::mutex job_mutex_;               // guards current_
  std::shared_ptr<Job> current_;       // the latest job (helpers hold a reference while working on it)
  std::atomic<uint32_t> generation_{0};  // bumped for every job; sleeping helpers wait on it
  int64_t solo_until_ = 0;               // steady_clock ticks until which jobs run on the caller alone
  bool adaptive_;                        // MLXTS_CPU_THREADS unset: follow cpu_threads::usable_cores()
};

}  // namespace mlxts::qmm
