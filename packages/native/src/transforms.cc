// The function transforms as JS functions: MLX's own vjp, jvp, value_and_grad, vmap, checkpoint and
// custom_function (compile is in transforms_compile.cc) over flat lists of arrays. Trees, argument checks
// and the disposal of the Tensors made while tracing belong to the JS side
// (packages/core/src/runtime/transforms/), which passes the op name the user called as the first argument.
#include "transforms.h"

#include <mlx/transforms_impl.h>

#include "convert.h"
#include "errors.h"
#include "transforms_bridge.h"

namespace mlxts {

namespace {

std::string op_name(const Napi::CallbackInfo& info) {
  return info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string("transform");
}

}  // namespace

Napi::Function function_argument(Napi::Value value, const char* name) {
  if (!value.IsFunction()) throw ArgumentTypeError(std::string(name) + " must be a function");
  return value.As<Napi::Function>();
}

namespace {

Napi::Value pair_to_js(Napi::Env env, const std::pair<std::vector<mx::array>, std::vector<mx::array>>& pair) {
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, tensors_to_js(env, pair.first));
  out.Set(1u, tensors_to_js(env, pair.second));
  return out;
}

using Product = std::pair<std::vector<mx::array>, std::vector<mx::array>> (*)(const ArrayFunction&, const std::vector<mx::array>&,
                                                                             const std::vector<mx::array>&);

// vjp(op, fn, primals, cotangents) and jvp(op, fn, primals, tangents) -> [outputs, products]
Napi::Value product(const Napi::CallbackInfo& info, const char* vectors_name, Product transform) {
  std::string op = op_name(info);
  return transform_call(info, op.c_str(), [&]() -> Napi::Value {
    auto fn = function_argument(info[1], "fn");
    auto primals = arrays_from_js(info[2], "primals");
    auto vectors = arrays_from_js(info[3], vectors_name);
    return pair_to_js(info.Env(), transform(array_function(fn), primals, vectors));
  });
}

Napi::Value js_vjp(const Napi::CallbackInfo& info) { return product(info, "cotangents", &mx::vjp); }
Napi::Value js_jvp(const Napi::CallbackInfo& info) { return product(info, "tangents", &mx::jvp); }

// valueAndGrad(op, fn, inputs, argnums) -> [values, grads]: the gradient of the first output with respect
// to inputs[argnums]; the other outputs are auxiliary (MLX stops their gradients).
Napi::Value js_value_and_grad(const Napi::CallbackInfo& info) {
  std::string op = op_name(info);
  return transform_call(info, op.c_str(), [&]() -> Napi::Value {
    auto fn = function_argument(info[1], "fn");
    auto inputs = arrays_from_js(info[2], "inputs");
    auto argnums = conv::integers(info[3], "argnums");
    return pair_to_js(info.Env(), mx::value_and_grad(array_function(fn), argnums)(inputs));
  });
}

// vmap(op, fn, inputs, inAxes, outAxes) -> outputs. inAxes has one axis per input (-1: not mapped);
// outAxes() is called after tracing (the outputs are known only then) and gives one axis per output.
Napi::Value js_vmap(const Napi::CallbackInfo& info) {
  std::string op = op_name(info);
  return transform_call(info, op.c_str(), [&]() -> Napi::Value {
    auto fn = function_argument(info[1], "fn");
    auto inputs = arrays_from_js(info[2], "inputs");
    auto in_axes = conv::integers(info[3], "inAxes");
    auto out_axes_of = function_argument(info[4], "outAxes");
    auto [trace_inputs, trace_outputs] = mx::detail::vmap_trace(array_function(fn), inputs, in_axes);
    auto out_axes = conv::integers(out_axes_of.Call({}), "outAxes");
    return tensors_to_js(info.Env(),
                         mx::detail::vmap_replace(inputs, trace_inputs, trace_outputs, in_axes, out_axes));
  });
}

// checkpoint(op, fn, inputs) -> outputs. MLX keeps fn to recompute the forward pass during vjp.
Napi::Value js_checkpoint(const Napi::CallbackInfo& info) {
  std::string op = op_name(info);
  return transform_call(info, op.c_str(), [&]() -> Napi::Value {
    auto fn = JsFunction::make(function_argument(info[1], "fn"));
    auto inputs = arrays_from_js(info[2], "inputs");
    // Guard for an MLX defect (seen in MLX 0.32.4): checkpoint reads its function's first output unchecked, so a
    // function returning no tensors crashed the process (SIGSEGV).
    auto forward = [user = array_function(fn)](const std::vector<mx::array>& in) {
      auto out = user(in);
      if (out.empty()) throw ArgumentTypeError("the function's result must hold at least one tensor");
      return out;
    };
    return tensors_to_js(info.Env(), mx::checkpoint(forward)(inputs));
  });
}

using VjpRule = std::function<std::vector<mx::array>(const std::vector<mx::array>&, const std::vector<mx::array>&,
                                                     const std::vector<mx::array>&)>;
using JvpRule = std::function<std::vector<mx::array>(const std::vector<mx::array>&, const std::vector<mx::array>&,
                                                     const std::vector<int>&)>;
using VmapRule = std::function<std::pair<std::vector<mx::array>, std::vector<int>>(const std::vector<mx::array>&,
                                                                                   const std::vector<int>&)>;

std::shared_ptr<JsFunction> optional_function(Napi::Value value, const char* name) {
  if (conv::is_absent(value)) return nullptr;
  return JsFunction::make(function_argument(value, name));
}

// customFunction(op, fn, vjp?, jvp?, vmap?, inputs) -> outputs. The rules are JS functions over flat lists:
// vjp(primals, cotangents, outputs) -> Tensor[], jvp(primals, tangents, argnums) -> Tensor[],
// vmap(inputs, axes) -> [Tensor[], number[]]. MLX keeps them in the graph for later transforms.
Napi::Value js_custom_function(const Napi::CallbackInfo& info) {
  std::string op = op_name(info);
  return transform_call(info, op.c_str(), [&]() -> Napi::Value {
    auto fn = JsFunction::make(function_argument(info[1], "fn"));
    auto vjp = optional_function(info[2], "vjp");
    auto jvp = optional_function(info[3], "jvp");
    auto vmap = optional_function(info[4], "vmap");
    auto inputs = arrays_from_js(info[5], "inputs");

    std::optional<VjpRule> vjp_rule;
    if (vjp) {
      vjp_rule = [vjp](const auto& primals, const auto& cotangents, const auto& outputs) {
        Napi::Env env = vjp->env();
        Napi::HandleScope scope(env);
        return call_for_arrays(vjp->get(),
                               {tensors_to_js(env, primals), tensors_to_js(env, cotangents), tensors_to_js(env, outputs)},
                               "the vjp rule's result");
      };
    }
    std::optional<JvpRule> jvp_rule;
    if (jvp) {
      jvp_rule = [jvp](const auto& primals, const auto& tangents, const std::vector<int>& argnums) {
        Napi::Env env = jvp->env();
        Napi::HandleScope scope(env);
        return call_for_arrays(jvp->get(),
                               {tensors_to_js(env, primals), tensors_to_js(env, tangents), integers_to_js(env, argnums)},
                               "the jvp rule's result");
      };
    }
    std::optional<VmapRule> vmap_rule;
    if (vmap) {
      vmap_rule = [vmap](const auto& inputs, const std::vector<int>& axes) {
        Napi::Env env = vmap->env();
        Napi::HandleScope scope(env);
        Napi::Value result = vmap->get().Call({tensors_to_js(env, inputs), integers_to_js(env, axes)});
        if (!result.IsArray() || result.As<Napi::Array>().Length() != 2) {
          throw ArgumentTypeError("the vmap rule must return [outputs, axes]");
        }
        Napi::Array pair = result.As<Napi::Array>();
        return std::make_pair(arrays_from_js(pair.Get(0u), "the vmap rule's outputs"),
                              conv::integers(pair.Get(1u), "the vmap rule's axes"));
      };
    }
    auto custom = mx::custom_function(array_function(fn), vjp_rule, jvp_rule, vmap_rule);
    return tensors_to_js(info.Env(), custom(inputs));
  });
}

Napi::Value js_disable_compile(const Napi::CallbackInfo& info) {
  return guard_locked(info, "disableCompile", [&]() -> Napi::Value {
    mx::disable_compile();
    return info.Env().Undefined();
  });
}

Napi::Value js_enable_compile(const Napi::CallbackInfo& info) {
  return guard_locked(info, "enableCompile", [&]() -> Napi::Value {
    mx::enable_compile();
    return info.Env().Undefined();
  });
}

}  // namespace

void register_transforms(Napi::Env env, Napi::Object exports) {
  Napi::Object transforms = Napi::Object::New(env);
  transforms.Set("vjp", Napi::Function::New<js_vjp>(env, "vjp"));
  transforms.Set("jvp", Napi::Function::New<js_jvp>(env, "jvp"));
  transforms.Set("valueAndGrad", Napi::Function::New<js_value_and_grad>(env, "valueAndGrad"));
  transforms.Set("vmap", Napi::Function::New<js_vmap>(env, "vmap"));
  transforms.Set("checkpoint", Napi::Function::New<js_checkpoint>(env, "checkpoint"));
  transforms.Set("customFunction", Napi::Function::New<js_custom_function>(env, "customFunction"));
  transforms.Set("disableCompile", Napi::Function::New<js_disable_compile>(env, "disableCompile"));
  transforms.Set("enableCompile", Napi::Function::New<js_enable_compile>(env, "enableCompile"));
  register_compile(env, transforms);
  exports.Set("transforms", transforms);
}

}  // namespace mlxts
