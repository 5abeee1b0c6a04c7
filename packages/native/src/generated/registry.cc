#include "generated/registry.h"
#include "convert.h"
#include "errors.h"
#include "tensor.h"
namespace mlxts {
static Napi::Value op_add(const Napi::CallbackInfo& info) {
  return guard_locked(info, "add", [&]() -> Napi::Value {
    conv::check_arity(info, 3);
    auto operands = conv::array_likes({{info[0], "a"}, {info[1], "b"}});
    return Tensor::wrap(info.Env(), mlx::core::add(operands[0], operands[1], conv::stream(info[2])));
  });
}
void register_generated_ops(Napi::Env env, Napi::Object ops) {
  ops.Set("add", Napi::Function::New<op_add>(env, "add"));
}
}
