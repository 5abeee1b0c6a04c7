#include "qmm/worker_pool.h"

#include <chrono>
#include <cstdlib>

#include <sched.h>

#include "cpu_threads.h"

namespace mlxts::qmm {

namespace {

using Clock = std::chrono::steady_clock;

// How long an idle thread keeps checking for work before it sleeps on a futex (see worker_pool.h).
constexpr auto kSpin = std::chrono::microseconds(50);
// A caller that waited this much longer for the helpers' last tasks than it worked itself takes the
// helpers to be preempted (another process busy on their cores), and runs jobs alone for kSolo.
constexpr auto kStall = std::chrono::microseconds(100);
constexpr auto kSolo = std::chrono::milliseconds(100);

// MLXTS_CPU_THREADS when set, else 0.
int configured_threads() {
  const char* value = std::getenv("MLXTS_CPU_THREADS");
  int n = value ? std::atoi(value) : 0;
  return n > 0 ? n : 0;
}

// Waits until `ready()` holds: checks it for up to kSpin, giving the core to any other runnable thread
// between checks, then blocks in `sleep()`, which must return once `ready()` may hold.
template <class Ready, class Sleep>
void spin_then_sleep(Ready ready, Sleep sleep) {
  auto deadline = Clock::now() + kSpin;
  while (!ready()) {
    if (Clock::now() < deadline) {
      sched_yield();
    } else {
      sleep();
    }
  }
}

}  // namespace

struct WorkerPool::Job {
  void (*call)(void*, int);
  void* context;
  int count;
  std::atomic<int> next{0};
  std::atomic<int> unfinished;

  Job(void (*c)(void*, int), void* ctx, int n) : call(c), context(ctx), count(n), unfinished(n) {}

  // Claims and runs tasks until none is left. A helper holding a finished job only ever finds
  // next >= count, so it never calls into a caller that has returned.
  void work() {
    for (int i = next.fetch_add(1, std::memory_order_relaxed); i < count; i = next.fetch_add(1, std::memory_order_relaxed)) {
      call(context, i);
      if (unfinished.fetch_sub(1, std::memory_order_acq_rel) == 1) unfinished.notify_all();
    }
  }
};

WorkerPool& WorkerPool::instance() {
  // Never destroyed: helpers may still be parked when static destructors run at exit.
  static WorkerPool* pool = new WorkerPool(configured_threads());
  return *pool;
}

WorkerPool::WorkerPool(int configured) : adaptive_(configured == 0) {
  int threads = configured > 0 ? configured : cpu_threads::available_cores();
  for (int i = 1; i < threads; ++i) {
    helpers_.emplace_back([this] { helper_loop(); });
    helpers_.back().detach();
  }
}

void WorkerPool::run_job(int count, void (*call)(void*, int), void* context) {
  std::unique_lock<std::mutex> owner(run_mutex_, std::try_to_lock);
  auto start = Clock::now();
  if (count <= 1 || helpers_.empty() || !owner.owns_lock() || start.time_since_epoch().count() < solo_until_ ||
      (adaptive_ && cpu_threads::usable_cores() < 2)) {
    for (int i = 0; i < count; ++i) call(context, i);
    return;
  }
  auto job = std::make_shared<Job>(call, context, count);
  {
    std::lock_guard<std::mutex> lock(job_mutex_);
    current_ = job;
  }
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  job->work();
  auto worked = Clock::now() - start;
  spin_then_sleep([&] { return job->unfinished.load(std::memory_order_acquire) == 0; },
                  [&] {
                    int left = job->unfinished.load(std::memory_order_acquire);
                    if (left != 0) job->unfinished.wait(left, std::memory_order_acquire);
                  });
  auto waited = Clock::now() - start - worked;
  if (waited > worked + kStall) solo_until_ = (Clock::now() + kSolo).time_since_epoch().count();
}

void WorkerPool::helper_loop() {
  uint32_t seen = generation_.load(std::memory_order_acquire);
  for (;;) {
    spin_then_sleep([&] { return generation_.load(std::memory_order_acquire) != seen; },
                    [&] { generation_.wait(seen, std::memory_order_acquire); });
    seen = generation_.load(std::memory_order_acquire);
    std::shared_ptr<Job> job;
    {
      std::lock_guard<std::mutex> lock(job_mutex_);
      job = current_;
    }
    if (job) job->work();
  }
}

}  // namespace mlxts::qmm
