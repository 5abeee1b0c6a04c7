#include "cpu_threads.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>

namespace mlxts::cpu_threads {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kWindow = std::chrono::milliseconds(100);

#if defined(__linux__)
std::vector<int> affinity() {
  cpu_set_t set;
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
  }
  return cpus;
}

// Busy clock ticks (all but idle and iowait) of the CPUs in `cpus`, from /proc/stat.
long long busy_ticks(const std::vector<int>& cpus) {
  std::ifstream stat("/proc/stat");
  std::string line;
  long long busy = 0;
  size_t next = 0;
  while (std::getline(stat, line) && line.rfind("cpu", 0) == 0) {
    if (line.size() < 4 || line[3] == ' ') continue;  // the all-CPU line
    std::istringstream in(line.substr(3));
    int cpu;
    in >> cpu;
    if (next >= cpus.size() || cpu != cpus[next]) continue;
    ++next;
    long long user, nice, system, idle, iowait, irq, softirq, steal = 0;
    in >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    busy += user + nice + system + irq + softirq + steal;
  }
  return busy;
}

// This process's CPU time in clock ticks (all its threads), from /proc/self/stat.
long long own_ticks() {
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return 0;
  std::istringstream in(text.substr(paren + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  return utime + stime;
}

class LoadMonitor {
 public:
  LoadMonitor() : cpus_(affinity()), usable_(static_cast<int>(cpus_.empty() ? 1 : cpus_.size())) {
    sample(Clock::now());
  }

  int usable() {
    auto now = Clock::now();
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (lock.owns_lock() && now - last_ >= kWindow) {
      long long busy = busy_ticks(cpus_), own = own_ticks();
      double ticks = std::chrono::duration<double>(now - last_).count() * static_cast<double>(sysconf(_SC_CLK_TCK));
      // Cores other processes kept busy; a core counts once it is more than half busy.
      double others = ticks > 0 ? static_cast<double>((busy - busy_) - (own - own_)) / ticks : 0.0;
      int cores = static_cast<int>(cpus_.size());
      int free = cores - static_cast<int>(others + 0.5);
      usable_ = free < 1 ? 1 : free > cores ? cores : free;
      sample(now);
    }
    return usable_;
  }

  int available() const { return static_cast<int>(cpus_.empty() ? 1 : cpus_.size()); }

 private:
  void sample(Clock::time_point now) {
    busy_ = busy_ticks(cpus_);
    own_ = own_ticks();
    last_ = now;
  }

  std::vector<int> cpus_;
  std::mutex mutex_;
  Clock::time_point last_;
  long long busy_ = 0, own_ = 0;
  std::atomic<int> usable_;
};

LoadMonitor& monitor() {
  static LoadMonitor* m = new LoadMonitor();  // never destroyed: used by threads that outlive exit
  return *m;
}
#endif

bool user_set_blas_threads() {
  for (const char* name : {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"}) {
    if (std::getenv(name)) return true;
  }
  return false;
}

// openblas_set_num_threads from the OpenBLAS that libmlx loaded, or nullptr.
using SetThreads = void (*)(int);
SetThreads openblas_set_num_threads() {
  static SetThreads set = [] {
    void* lib = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
    return lib ? reinterpret_cast<SetThreads>(dlsym(lib, "openblas_set_num_threads")) : nullptr;
  }();
  return set;
}

}  // namespace

int available_cores() {
#if defined(__linux__)
  return monitor().available();
#else
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
#endif
}

int usable_cores() {
#if defined(__linux__)
  return monitor().usable();
#else
  return available_cores();
#endif
}

void adjust_blas_threads(mx::Stream cpu) {
  static const bool user_set = user_set_blas_threads();
  static std::atomic<int> current{0};
  SetThreads set = openblas_set_num_threads();
  if (user_set || !set) return;
  int threads = usable_cores();
  if (current.exchange(threads) == threads) return;
  mx::scheduler::enqueue(cpu, [set, threads] { set(threads); });
}

}  // namespace mlxts::cpu_threads
