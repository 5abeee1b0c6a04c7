#include "runtime.h"

#include <mlx/scheduler.h>

namespace mlxts {

namespace {
std::once_flag process_once;
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
    cpu = mx::new_thread_unsafe_stream(mx::Device::cpu);
    if (mx::is_available(mx::Device::gpu)) gpu = mx::new_thread_unsafe_stream(mx::Device::gpu);
  });
}

void adopt_current_thread() {
  MlxLock lock(mlx_mutex());
  mx::set_default_stream(*cpu);
  if (gpu) mx::set_default_stream(*gpu);
}

mx::Stream cpu_stream() { return *cpu; }
std::optional<mx::Stream> gpu_stream() { return gpu; }

}  // namespace mlxts
