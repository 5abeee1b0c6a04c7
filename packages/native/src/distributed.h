// MLX's distributed layer (mlx/distributed): groups, their JS objects, and what mlxts adds around MLX's
// communication so that a collective whose peer is gone fails instead of waiting forever.
//
// The collectives themselves (all_sum, send, ...) are schema ops (schema/core/distributed_*.yaml); their
// evaluation runs on the eval thread like any other graph (eval.cc), which asks this module to watch it.
#pragma once
#include <optional>
#include <string>

#include <mlx/distributed/distributed.h>
#include <napi.h>

#include "runtime.h"

namespace mlxts {

void register_distributed(Napi::Env env, Napi::Object exports);

namespace distributed {

// Type `Group` (schema/types.yaml): a group object from mx.distributed.init() or group.split(); absent
// is MLX's default (init()). Throws, naming the reason, once a ring group has failed: MLX's ring backend
// cannot recover from a lost peer, and a collective on it would wait forever.
std::optional<mx::distributed::Group> optional_group(Napi::Value value, const char* name);

// True for the primitives of MLX's collective and point-to-point ops.
bool is_communication(const mx::Primitive& primitive);

// Watches one evaluation that communicates, from before async_eval until its outputs are ready. If it
// runs longer than the timeout given to init(), the ring's connections are closed, which makes MLX's
// socket threads fail every pending transfer, so the evaluation ends with an error instead of hanging.
class CommunicationWatch {
 public:
  // Throws the reason if the ring has failed: nothing can be sent on it any more.
  explicit CommunicationWatch(bool communicates);
  ~CommunicationWatch();
  CommunicationWatch(const CommunicationWatch&) = delete;
  CommunicationWatch& operator=(const CommunicationWatch&) = delete;

  // The message for an evaluation that failed with MLX's `error`: a timeout or a lost peer is said so,
  // and leaves the ring unusable (its connections are closed, so its neighbours fail quickly too).
  std::string explain(const std::string& error);

 private:
  bool active_;
  bool stopped_ = false;
  bool timed_out_ = false;
  void stop();
};

}  // namespace distributed

}  // namespace mlxts
