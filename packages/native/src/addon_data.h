// Per-environment state: each JS thread that loads the addon (main or worker) has its own.
#pragma once
#include <memory>

#include <napi.h>

namespace mlxts {

class EvalChannel;

struct AddonData {
  Napi::FunctionReference tensor_constructor;
  Napi::FunctionReference mlx_error_class;
  std::shared_ptr<EvalChannel> eval_channel;
};

inline AddonData& addon_data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace mlxts
