#include "runtime.h"

#include <mlx/scheduler.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace mlxts {

namespace {
std::once_flag process_once;
std::mutex parked_mutex;
std::vector<mx::array>* parked = new std::vector<mx::array>();  // never destroyed: outlives exit
std::vector<std::function<void()>>* parked_releases = new std::vector<std::function<void()>>();
std::atomic<bool> any_parked{false};
std::atomic<size_t> cached_memory_limit{0};
std::optional<mx::Stream> cpu;
std::optional<mx::Stream> gpu;
}  // namespace

std::recursive_mutex& mlx_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

void init_process() {
  std::call_once(process_once, [] {
    MlxLock lock(mlx_mutex());
    mx::scheduler::scheduler();
    cached_memory_limit = mx::get_memory_limit();
    cpu = mx::new_thread_unsafe_stream(mx::Device::cpu);
    if (mx::is_available(mx::Device::gpu)) gpu = mx::new_thread_unsafe_stream(mx::Device::gpu);
  });
}

void adopt_current_thread() {
  MlxLock lock(mlx_mutex());
  mx::set_default_stream(*cpu);
  if (gpu) mx::set_default_stream(*gpu);
}

void release_array(mx::array array) {
  if (mlx_mutex().try_lock()) {
    {
      mx::array dropped = std::move(array);
    }
    mlx_mutex().unlock();
    return;
  }
  std::lock_guard<std::mutex> lock(parked_mutex);
  parked->push_back(std::move(array));
  any_parked.store(true, std::memory_order_release);
}

void release_later(std::function<void()> release) {
  if (mlx_mutex().try_lock()) {
    MlxLock lock(mlx_mutex(), std::adopt_lock);
    release();
    return;
  }
  std::lock_guard<std::mutex> lock(parked_mutex);
  parked_releases->push_back(std::move(release));
  any_parked.store(true, std::memory_order_release);
}

void drain_released_arrays() {
  if (!any_parked.load(std::memory_order_acquire)) return;
  std::vector<mx::array> releasing;
  std::vector<std::function<void()>> releases;
  {
    std::lock_guard<std::mutex> lock(parked_mutex);
    releasing.swap(*parked);
    releases.swap(*parked_releases);
    any_parked.store(false, std::memory_order_release);
  }
  for (auto& release : releases) release();
}

size_t memory_limit() { return cached_memory_limit.load(std::memory_order_relaxed); }

void require_fits_in_memory(long double bytes, const std::string& what) {
  size_t limit = memory_limit();
  if (bytes <= static_cast<long double>(limit)) return;
  auto gigabytes = [](long double b) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f GB", static_cast<double>(b / 1e9L));
    return std::string(text);
  };
  throw std::invalid_argument(what + " needs " + gigabytes(bytes) + ", more than MLX's memory limit of " +
                              gigabytes(limit));
}

size_t set_memory_limit(size_t bytes) {
  size_t previous = mx::set_memory_limit(bytes);
  cached_memory_limit = mx::get_memory_limit();
  return previous;
}

mx::Stream cpu_stream() { return *cpu; }
std::optional<mx::Stream> gpu_stream() { return gpu; }

}  // namespace mlxts
