// Evaluation design ("B-locked", chosen from measurements of MLX 0.32 recorded in the project's threading
// notes, and kept honest by the event-loop, concurrency and worker tests):
//
//  * Ops are built synchronously on the JS thread (about a microsecond each, no thread hop).
//  * Every evaluation runs on ONE dedicated native thread. The JS thread never evaluates: it constructed
//    MLX's scheduler, which makes it MLX's "main thread", and errors raised on that thread leak MLX's
//    active-task counter until every later eval deadlocks. A blocking JS call (item, toTypedArray,
//    evalSync) posts here and waits (about 20 us extra); an async one gets a promise.
//  * One process-wide lock guards every MLX call on both sides, because graph nodes have no locks and
//    dropping a handle on the JS thread races with eval_impl detaching it. The eval thread holds the lock
//    only for async_eval's host phase and the final wait(), never while kernels run, so the JS thread keeps
//    building graphs (and its event loop keeps turning) during long computations.
//  * Requests are served one at a time, so a kernel error (raised at synchronize or wait, exactly once) is
//    always attached to the request that observed it, never to the next graph.
#include "eval.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_set>

#include <mlx/primitives.h>

#include "addon_data.h"
#include "cpu_threads.h"
#include "distributed.h"
#include "errors.h"
#include "tensor.h"
#include "transforms_bridge.h"

namespace mlxts {

namespace {

struct Job {
  std::vector<mx::array> outputs;
  std::function<void(std::string error)> done;  // runs on the eval thread
  std::vector<mx::Stream> streams;               // waited for besides the outputs' own streams
  std::function<void()> work;                    // run instead of an evaluation (run_on_eval_thread)
};

// Failed evaluations. MLX raises a kernel's error once and leaves the arrays it was computing holding
// whatever their buffers held: after linalg.inv of a singular matrix rejected, reading the tensor gave
// garbage without an error, and tensors built on it computed from the garbage. So each array a failed
// evaluation computed that someone can still reach (the request's outputs and live tensors inside its
// graph) has its buffer replaced by a failure record, which MLX frees with the array like any buffer.
// Every later evaluation that reaches such an array, a read-back included, fails with the original
// error before any kernel runs (kernels never see the record).
namespace failures {

using Record = std::shared_ptr<const std::string>;
std::mutex records_mutex;
// The records alive (as the buffer pointers MLX holds), so an array's buffer can be recognised as one.
std::unordered_set<const void*>* records = new std::unordered_set<const void*>();

void mark(mx::array& array, const Record& error) {
  auto* record = new Record(error);
  {
    std::lock_guard<std::mutex> lock(records_mutex);
    records->insert(record);
  }
  array.set_data(mx::allocator::Data(mx::allocator::Buffer(record), [](mx::allocator::Buffer buffer) {
    auto* owned = static_cast<Record*>(buffer.ptr());
    {
      std::lock_guard<std::mutex> lock(records_mutex);
      records->erase(owned);
    }
    delete owned;
  }));
}

// The error of an array marked by a failed evaluation, or nullptr.
const std::string* error_of(const mx::array& array) {
  if (array.status() == mx::array::Status::unscheduled || !array.data_shared_ptr()) return nullptr;
  const void* buffer = array.data_shared_ptr()->buffer().ptr();
  std::lock_guard<std::mutex> lock(records_mutex);
  return records->count(buffer) != 0 ? static_cast<const Record*>(buffer)->get() : nullptr;
}

}  // namespace failures

// What an evaluation is about to compute, found by walking the graph behind its outputs before
// async_eval (with the MLX lock held).
struct GraphScan {
  // The error of a failed array the graph reaches; evaluation must not start.
  std::string failed;
  // The nodes it computes that live tensors hold, to mark if it fails.
  std::vector<mx::array> held;
};

// Guards for MLX CPU kernels that fail on an empty first input, applied to each node an evaluation
// computes: each replaces that input by one with the same (empty) contents that takes the kernel's
// well-defined path. The size test comes first, since this runs for every node.
void guard_empty_input(mx::array& node) {
  auto& inputs = node.inputs();
  if (inputs.empty() || inputs[0].size() != 0) return;
  const mx::Stream stream = node.primitive().stream();
  // Guard for an MLX 0.32.4 defect (get_reduction_plan in mlx/backend/common/reduce.cpp): for a
  // reduction whose input is not row-contiguous and whose reduced axes all have length 0 or 1, the
  // plan reads strides.back() of an empty list, and the CPU kernel loops on that garbage stride,
  // forever in some runs (mx.sum(mx.transpose(mx.zeros([0, 2])), 1)). Such an input is empty, so a
  // row-contiguous copy of it costs nothing and takes the kernel's well-defined path.
  if (dynamic_cast<mx::Reduce*>(&node.primitive()) != nullptr) {
    inputs[0] = mx::contiguous(inputs[0], false, stream);
    return;
  }
  // Guard for an MLX 0.32.4 defect (matmul_general in mlx/backend/cpu/matmul.cpp): the batch count is
  // a.size() / (M * K) with M * K an int, which wraps to 0 when it is a multiple of 2^32, so an empty
  // batch of such matrices divides by zero (SIGFPE: mx.matmul of [0, 65536, 65536] and [0, 65536, 1],
  // found by the fuzzer; einsum too). The product is empty, so a first factor with no columns, which
  // the kernel answers without the division, gives the same result. (Matmul's type info is not exported
  // by libmlx, so it is told by name.)
  if (node.size() == 0 && stream.device == mx::Device::cpu && std::string_view(node.primitive().name()) == "Matmul") {
    mx::Shape shape = inputs[0].shape();
    shape.back() = 0;
    inputs[0] = mx::zeros(shape, inputs[0].dtype(), stream);
  }
}

GraphScan scan_graph(const std::vector<mx::array>& outputs) {
  GraphScan scan;
  std::vector<mx::array> stack(outputs.begin(), outputs.end());
  std::unordered_set<uintptr_t> seen;
  while (!stack.empty()) {
    mx::array node = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(node.id()).second) continue;
    if (node.status() != mx::array::Status::unscheduled || !node.has_primitive()) {
      if (const std::string* error = failures::error_of(node)) {
        scan.failed = *error;
        return scan;
      }
      continue;
    }
    guard_empty_input(node);
    for (const auto& input : node.inputs()) stack.push_back(input);
    scan.held.push_back(node);
    for (const auto& sibling : node.siblings()) scan.held.push_back(sibling);
  }
  Tensor::keep_held(scan.held);
  return scan;
}

// Whether any node an evaluation computes sends or receives (a collective has to be watched: see
// distributed.h).
bool communicates(const std::vector<mx::array>& computed) {
  for (const auto& node : computed) {
    if (node.has_primitive() && distributed::is_communication(node.primitive())) return true;
  }
  return false;
}

// Marks what a failed evaluation computed. Call with the MLX lock held, once no kernel runs.
void mark_failed(std::vector<mx::array>& outputs, std::vector<mx::array>& held, const std::string& error) {
  auto record = std::make_shared<const std::string>(error);
  for (auto* arrays : {&outputs, &held}) {
    for (auto& array : *arrays) {
      if (array.status() != mx::array::Status::unscheduled && failures::error_of(array) == nullptr) {
        failures::mark(array, record);
      }
    }
  }
}

class EvalThread {
 public:
  static EvalThread& instance() {
    // Never destroyed: the thread outlives static destructors at process exit.
    static EvalThread* thread = new EvalThread();
    return *thread;
  }

  void submit(Job job) {
    in_flight_.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(queue_mutex_);
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

  // Jobs submitted and not yet finished (running or queued).
  bool busy() const { return in_flight_.load() > 0; }

 private:
  EvalThread() : thread_([this] { run(); }) { thread_.detach(); }

  void run() {
    adopt_current_thread();
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(queue_mutex_);
        wake_.wait(lock, [this] { return !queue_.empty(); });
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      std::string error = job.work ? run_work(job.work) : evaluate(job.outputs, job.streams);
      {
        MlxLock lock(mlx_mutex());
        job.outputs.clear();
        job.work = nullptr;  // it may hold arrays
        drain_released_arrays();
      }
      job.done(std::move(error));
      in_flight_.fetch_sub(1);
    }
  }

  static std::string run_work(const std::function<void()>& work) {
    try {
      MlxLock lock(mlx_mutex());
      work();
      return {};
    } catch (const std::exception& e) {
      std::string message = e.what();
      return message.empty() ? "failed" : message;
    } catch (...) {
      return "failed";
    }
  }

  static std::string evaluate(std::vector<mx::array>& outputs, std::vector<mx::Stream>& extra) {
    std::set<mx::Stream> streams(extra.begin(), extra.end());
    GraphScan scan;
    std::optional<distributed::CommunicationWatch> watch;
    std::string error;
    try {
      {
        MlxLock lock(mlx_mutex());
        scan = scan_graph(outputs);
        if (!scan.failed.empty()) {
          scan.held.clear();
          return scan.failed;
        }
        watch.emplace(communicates(scan.held));
        // An output's own stream finishes after everything it depends on (MLX orders streams with events).
        for (const auto& output : outputs) {
          if (output.has_primitive()) streams.insert(output.primitive().stream());
        }
        cpu_threads::adjust_blas_threads(cpu_stream());
        if (!outputs.empty()) mx::async_eval(outputs);
      }
      // Wait for the kernels without the lock. synchronize() only enqueues a marker on each stream.
      for (const auto& stream : streams) mx::synchronize(stream);
      MlxLock lock(mlx_mutex());
      for (auto& output : outputs) output.wait();
      scan.held.clear();
      return {};
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
    }
    if (error.empty()) error = "evaluation failed";
    if (watch) error = watch->explain(error);
    // Kernels the failed evaluation already queued may still run: let them finish before marking.
    for (const auto& stream : streams) {
      try {
        mx::synchronize(stream);
      } catch (...) {
      }
    }
    MlxLock lock(mlx_mutex());
    mark_failed(outputs, scan.held, error);
    scan.held.clear();
    return error;
  }

  std::mutex queue_mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::atomic<int> in_flight_{0};
  std::thread thread_;
};

std::atomic<int> exit_code{0};

// exit() runs the destructors of MLX's static objects (its scheduler, allocator and the CPU command
// encoders), and a kernel or async_eval still running on the eval thread or MLX's stream threads then
// uses freed memory: process.exit() during an evaluation ended in SIGSEGV. When work is in flight at
// exit, the process ends here instead, before those destructors, with the exit code JS reported.
// Registered after init_process() constructed those objects, so it runs before their destructors.
void end_before_mlx_teardown() {
  if (!EvalThread::instance().busy()) return;
  std::fflush(nullptr);
  std::_Exit(exit_code.load());
}

}  // namespace

void install_exit_guard() {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(end_before_mlx_teardown); });
}

void note_exit_code(int code) { exit_code.store(code); }

struct Completion {
  Napi::Promise::Deferred deferred;
  std::string op;
  SuccessValue on_success;
  std::string error;
};

class EvalChannel {
 public:
  explicit EvalChannel(Napi::Env env) {
    tsfn_ = Tsfn::New(env, "mlxts-eval", 0, 1, this);
    tsfn_.Unref(env);
  }

  // JS thread: one more promise in flight keeps the event loop alive until it settles.
  void started(Napi::Env env) {
    if (pending_++ == 0) tsfn_.Ref(env);
  }

  // Eval thread: hand the completion to the JS thread, unless that environment has shut down.
  void post(Completion* completion) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || tsfn_.BlockingCall(completion) != napi_ok) {
      MlxLock mlx(mlx_mutex());
      delete completion;
    }
  }

  // JS thread, at environment teardown.
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    closed_ = true;
    tsfn_.Release();
  }

 private:
  static void deliver(Napi::Env env, Napi::Function, EvalChannel* channel, Completion* completion) {
    MlxLock lock(mlx_mutex());
    std::unique_ptr<Completion> owned(completion);
    if (env == nullptr) return;
    if (--channel->pending_ == 0) channel->tsfn_.Unref(env);
    try {
      if (!owned->error.empty()) {
        owned->deferred.Reject(mlx_error(env, owned->op, owned->error).Value());
      } else {
        owned->deferred.Resolve(owned->on_success ? owned->on_success(env) : env.Undefined());
      }
    } catch (const Napi::Error& e) {
      owned->deferred.Reject(e.Value());
    } catch (const std::exception& e) {
      owned->deferred.Reject(mlx_error(env, owned->op, e.what()).Value());
    }
  }

  using Tsfn = Napi::TypedThreadSafeFunction<EvalChannel, Completion, &EvalChannel::deliver>;
  Tsfn tsfn_;
  size_t pending_ = 0;
  std::mutex mutex_;
  bool closed_ = false;
};

std::shared_ptr<EvalChannel> open_eval_channel(Napi::Env env) {
  auto channel = std::make_shared<EvalChannel>(env);
  env.AddCleanupHook([channel] { channel->close(); });
  return channel;
}

bool all_available(Napi::Env env, const char* op, const std::vector<mx::array>& outputs) {
  for (const auto& output : outputs) {
    if (const std::string* error = failures::error_of(output)) throw mlx_error(env, op, *error);
    if (output.status() != mx::array::Status::available) return false;
  }
  return true;
}

void eval_blocking(Napi::Env env, const char* op, std::vector<mx::array> outputs) {
  require_not_tracing();
  // Reading a tensor that an awaited evaluation finished (item() after await eval) must not queue behind
  // evaluations submitted since, such as the next decode step's: it has nothing to wait for.
  {
    MlxLock lock(mlx_mutex());
    if (all_available(env, op, outputs)) return;
  }
  std::promise<std::string> finished;
  std::future<std::string> error = finished.get_future();
  EvalThread::instance().submit({std::move(outputs), [&finished](std::string e) { finished.set_value(std::move(e)); }});
  std::string message = error.get();
  if (!message.empty()) throw mlx_error(env, op, message);
}

void run_on_eval_thread(Napi::Env env, const char* op, std::function<void()> work) {
  std::promise<std::string> finished;
  std::future<std::string> error = finished.get_future();
  EvalThread::instance().submit({{}, [&finished](std::string e) { finished.set_value(std::move(e)); }, {}, std::move(work)});
  std::string message = error.get();
  if (!message.empty()) throw mlx_error(env, op, message);
}

Napi::Value eval_async(Napi::Env env, const char* op, std::vector<mx::array> outputs, SuccessValue on_success,
                       std::vector<mx::Stream> extra_streams) {
  require_not_tracing();
  auto* completion = new Completion{Napi::Promise::Deferred::New(env), op, std::move(on_success), {}};
  Napi::Promise promise = completion->deferred.Promise();
  std::shared_ptr<EvalChannel> channel = addon_data(env).eval_channel;
  channel->started(env);
  EvalThread::instance().submit({std::move(outputs), [channel, completion](std::string e) {
                                   completion->error = std::move(e);
                                   channel->post(completion);
                                 },
                                 std::move(extra_streams)});
  return promise;
}

}  // namespace mlxts
