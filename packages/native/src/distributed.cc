// mx.distributed's native side: isAvailable, init, group objects, and the failure handling of the ring
// backend.
//
// What MLX 0.32.4's ring backend does when a peer goes away (mlx/distributed/ring/ring.cpp): each TCP
// connection has a socket thread; a closed or failing connection fails every pending transfer with
// "[ring] connection to a peer was lost" (so a peer that exits is noticed at once), and that thread then
// ends, so later transfers on the connection would wait forever. A peer that is alive but never joins
// the collective is waited for forever: MLX has no timeout and no cancellation. So mlxts
//  * remembers the ring's sockets (those init() opened),
//  * after a lost peer, closes all of them (the ring's other neighbours then fail at once instead of
//    waiting for a process that will never send) and refuses later communication on the ring,
//  * with init({ timeout }), closes them when one evaluation that communicates outlasts the timeout,
//    which ends it with an error; the eval thread and the event loop are free again.
#include "distributed.h"

#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <set>
#include <string_view>
#include <thread>

#include <mlx/primitives.h>

#include "convert.h"
#include "errors.h"

namespace mlxts {

namespace distributed {

namespace {

namespace dist = mx::distributed;

// ---- the ring's sockets ------------------------------------------------------------------------------

// Open file descriptors that are connected stream sockets.
std::set<int> connected_sockets() {
  std::set<int> fds;
  DIR* dir = opendir("/dev/fd");
  if (dir == nullptr) return fds;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    struct stat info{};
    int type = 0;
    socklen_t type_size = sizeof(type);
    sockaddr_storage peer{};
    socklen_t peer_size = sizeof(peer);
    if (fstat(static_cast<int>(fd), &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
    if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_TYPE, &type, &type_size) != 0 || type != SOCK_STREAM) continue;
    if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) continue;
    if (peer.ss_family != AF_INET && peer.ss_family != AF_INET6) continue;
    fds.insert(static_cast<int>(fd));
  }
  closedir(dir);
  return fds;
}

std::mutex state_mutex;
std::set<int>* ring_sockets = new std::set<int>();
std::string* broken_reason = new std::string();  // why communication is refused; empty while usable

// Shuts the ring's connections down (the descriptors stay open: MLX owns and closes them).
void close_ring() {
  std::lock_guard<std::mutex> lock(state_mutex);
  for (int fd : *ring_sockets) shutdown(fd, SHUT_RDWR);
}

void mark_broken(const std::string& reason) {
  std::lock_guard<std::mutex> lock(state_mutex);
  if (broken_reason->empty()) *broken_reason = reason;
}

// ---- the watchdog ------------------------------------------------------------------------------------

// One thread, started on first use, that times the evaluation the eval thread is running (there is one
// eval thread, so at most one watched evaluation at a time).
class Watchdog {
 public:
  static Watchdog& instance() {
    static Watchdog* watchdog = new Watchdog();  // never destroyed: its thread outlives static destructors
    return *watchdog;
  }

  void set_timeout_ms(double ms) { timeout_ms_.store(ms); }

  bool enabled() const { return timeout_ms_.load() > 0; }

  void start() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_started_) {
      std::thread([this] { run(); }).detach();
      thread_started_ = true;
    }
    ++generation_;
    running_ = true;
    fired_ = false;
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::microseconds(static_cast<int64_t>(timeout_ms_.load() * 1000));
    wake_.notify_all();
  }

  // Returns whether the timeout fired for the evaluation being stopped.
  bool stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    wake_.notify_all();
    return fired_;
  }

  double timeout_ms() const { return timeout_ms_.load(); }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return running_; });
      uint64_t generation = generation_;
      auto deadline = deadline_;
      bool ended = wake_.wait_until(lock, deadline, [&] { return !running_ || generation_ != generation; });
      if (!ended) {
        fired_ = true;
        lock.unlock();
        close_ring();
        lock.lock();
        // Wait for this evaluation to end before timing another.
        wake_.wait(lock, [&] { return !running_ || generation_ != generation; });
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool thread_started_ = false;
  bool running_ = false;
  bool fired_ = false;
  uint64_t generation_ = 0;
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<double> timeout_ms_{0};
};

// ---- group objects -----------------------------------------------------------------------------------

// Marks the JS objects that carry a group, so that no other object is mistaken for one.
constexpr napi_type_tag group_tag = {0x6d6c7874735f6469ULL, 0x7374726962677270ULL};

struct GroupBox {
  dist::Group group;
};

Napi::Object group_object(Napi::Env env, dist::Group group);

GroupBox* group_box(Napi::Value value) {
  bool tagged = false;
  if (value.IsObject()) napi_check_object_type_tag(value.Env(), value, &group_tag, &tagged);
  void* box = nullptr;
  if (!tagged || napi_unwrap(value.Env(), value, &box) != napi_ok) return nullptr;
  return static_cast<GroupBox*>(box);
}

// group.split(color, key): the group is `this` (the function holds no pointer that could outlive it).
Napi::Value js_group_split(const Napi::CallbackInfo& info) {
  return guard_locked(info, "distributed.Group.split", [&]() -> Napi::Value {
    conv::check_arity(info, 2);
    GroupBox* box = group_box(info.This());
    if (box == nullptr) throw ArgumentTypeError("split must be called on a group, as group.split(color, key)");
    int color = conv::integer(info[0], "color");
    int key = conv::integer_or(info[1], "key", -1);
    return group_object(info.Env(), box->group.split(color, key));
  });
}

Napi::Object group_object(Napi::Env env, dist::Group group) {
  Napi::Object object = Napi::Object::New(env);
  auto* box = new GroupBox{std::move(group)};
  int rank = box->group.rank();
  int size = box->group.size();
  object.DefineProperties({
      Napi::PropertyDescriptor::Value("rank", Napi::Number::New(env, rank), napi_enumerable),
      Napi::PropertyDescriptor::Value("size", Napi::Number::New(env, size), napi_enumerable),
      Napi::PropertyDescriptor::Value("split", Napi::Function::New(env, js_group_split, "split")),
  });
  napi_status wrapped = napi_wrap(
      env, object, box,
      [](napi_env, void* data, void*) {
        auto* owned = static_cast<GroupBox*>(data);
        release_later([owned] { delete owned; });
      },
      nullptr, nullptr);
  if (wrapped != napi_ok) {
    delete box;
    throw std::runtime_error("could not create the group object");
  }
  napi_type_tag_object(env, object, &group_tag);
  napi_object_freeze(env, object);
  return object;
}

// ---- JS functions ------------------------------------------------------------------------------------

Napi::Value js_is_available(const Napi::CallbackInfo& info) {
  return guard_locked(info, "distributed.isAvailable", [&]() -> Napi::Value {
    std::string backend = conv::string_or(info[0], "backend", "any");
    return Napi::Boolean::New(info.Env(), dist::is_available(backend));
  });
}

// MLX's init, remembering the sockets it opens when it connects a ring. Only the ring's sockets are ever
// closed (NCCL's and MPI's are theirs to manage), a ring needs MLX_HOSTFILE, and once it exists MLX
// returns it from a cache: so the descriptors are compared only until a ring has been seen. Call with
// the MLX lock.
dist::Group tracked_init(bool strict, const std::string& backend) {
  static bool ring_seen = false;
  bool may_open_ring = !ring_seen && std::getenv("MLX_HOSTFILE") != nullptr && (backend == "any" || backend == "ring");
  if (!may_open_ring) return dist::init(strict, backend);
  std::set<int> before = connected_sockets();
  dist::Group group = dist::init(strict, backend);
  std::set<int> after = connected_sockets();
  std::lock_guard<std::mutex> lock(state_mutex);
  for (int fd : after) {
    if (before.count(fd) == 0) ring_sockets->insert(fd);
  }
  ring_seen = !ring_sockets->empty();
  return group;
}

// init(strict, backend, timeoutMs?): the arguments are checked in TypeScript.
Napi::Value js_init(const Napi::CallbackInfo& info) {
  return guard_locked(info, "distributed.init", [&]() -> Napi::Value {
    bool strict = conv::boolean_or(info[0], "strict", false);
    std::string backend = conv::string_or(info[1], "backend", "any");
    dist::Group group = tracked_init(strict, backend);
    // Absent leaves the timeout as it is: a later init() (a library asking for the group) keeps it.
    if (!conv::is_absent(info[2])) Watchdog::instance().set_timeout_ms(conv::number(info[2], "timeout"));
    return group_object(info.Env(), std::move(group));
  });
}

}  // namespace

std::optional<mx::distributed::Group> optional_group(Napi::Value value, const char* name) {
  {
    std::lock_guard<std::mutex> lock(state_mutex);
    if (!broken_reason->empty()) throw std::runtime_error(*broken_reason);
  }
  // MLX would call init() itself; calling it here lets mlxts know the ring's sockets.
  if (conv::is_absent(value)) return tracked_init(false, "any");
  GroupBox* box = group_box(value);
  if (box == nullptr) throw ArgumentTypeError(std::string(name) + " must be a group from mx.distributed.init() or group.split()");
  return box->group;
}

bool is_communication(const mx::Primitive& primitive) {
  // By name rather than dynamic_cast: libmlx is built with hidden visibility, so the type information of
  // its primitive classes is not shared with the addon.
  std::string_view name = primitive.name();
  return name.ends_with("AllReduce") || name.ends_with("ReduceScatter") || name == "AllGather" || name == "Send" ||
         name == "Recv";
}

CommunicationWatch::CommunicationWatch(bool communicates)
    : active_(communicates && Watchdog::instance().enabled()) {
  if (communicates) {
    // A collective built before the ring failed would wait for ever on its dead socket threads.
    std::lock_guard<std::mutex> lock(state_mutex);
    if (!broken_reason->empty()) throw std::runtime_error(*broken_reason);
  }
  if (active_) Watchdog::instance().start();
}

CommunicationWatch::~CommunicationWatch() { stop(); }

void CommunicationWatch::stop() {
  if (active_ && !stopped_) timed_out_ = Watchdog::instance().stop();
  stopped_ = true;
}

std::string CommunicationWatch::explain(const std::string& error) {
  stop();
  if (timed_out_) {
    std::string reason = "a collective timed out after " + std::to_string(static_cast<long long>(Watchdog::instance().timeout_ms())) +
                         " ms (the timeout given to mx.distributed.init) waiting for the other ranks; the group's "
                         "connections were closed and it cannot be used again";
    mark_broken("the distributed group cannot be used: " + reason);
    return reason + " (MLX: " + error + ")";
  }
  if (error.find("[ring] connection to a peer was lost") != std::string::npos) {
    std::string reason = "a peer left the group (MLX: " + error +
                         "); the group's connections were closed and it cannot be used again";
    close_ring();
    mark_broken("the distributed group cannot be used: " + reason);
    return reason;
  }
  return error;
}

}  // namespace distributed

void register_distributed(Napi::Env env, Napi::Object exports) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("isAvailable", Napi::Function::New<distributed::js_is_available>(env, "isAvailable"));
  object.Set("init", Napi::Function::New<distributed::js_init>(env, "init"));
  exports.Set("distributed", object);
}

}  // namespace mlxts
