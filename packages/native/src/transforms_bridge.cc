#include "transforms_bridge.h"

#include <mutex>
#include <stdexcept>

#include "convert.h"
#include "errors.h"
#include "tensor.h"

namespace mlxts {

thread_local int TraceScope::depth_ = 0;

void require_not_tracing() {
  if (TraceScope::active()) {
    throw std::runtime_error(
        "cannot evaluate or read a tensor inside a function that a transform (grad, vjp, jvp, vmap, compile, "
        "checkpoint, customFunction) is tracing; return the value as an output and read it afterwards");
  }
}

// References released off their JS thread, waiting for it. Closed at environment teardown, after which
// Node owns whatever references are left.
struct JsFunction::Queue {
  std::mutex mutex;
  std::vector<napi_ref> refs;
  bool closed = false;
};

namespace {

// One environment per JS thread (the main thread or a worker's), so one queue per thread.
thread_local std::shared_ptr<JsFunction::Queue> this_thread_queue;

std::shared_ptr<JsFunction::Queue> queue_for(Napi::Env env) {
  if (!this_thread_queue || this_thread_queue->closed) {
    auto queue = std::make_shared<JsFunction::Queue>();
    napi_env raw = env;
    env.AddCleanupHook([queue, raw] {
      std::lock_guard<std::mutex> lock(queue->mutex);
      for (napi_ref ref : queue->refs) napi_delete_reference(raw, ref);
      queue->refs.clear();
      queue->closed = true;
    });
    this_thread_queue = queue;
  }
  return this_thread_queue;
}

}  // namespace

JsFunction::JsFunction(napi_env env, napi_ref ref, std::shared_ptr<Queue> queue)
    : env_(env), ref_(ref), thread_(std::this_thread::get_id()), queue_(std::move(queue)) {}

std::shared_ptr<JsFunction> JsFunction::make(Napi::Function fn) {
  napi_ref ref = nullptr;
  NAPI_THROW_IF_FAILED(fn.Env(), napi_create_reference(fn.Env(), fn, 1, &ref), nullptr);
  return std::shared_ptr<JsFunction>(new JsFunction(fn.Env(), ref, queue_for(fn.Env())));
}

JsFunction::~JsFunction() {
  std::lock_guard<std::mutex> lock(queue_->mutex);
  if (queue_->closed) return;
  if (std::this_thread::get_id() == thread_) {
    napi_delete_reference(env_, ref_);
  } else {
    queue_->refs.push_back(ref_);
  }
}

Napi::Function JsFunction::get() const {
  if (std::this_thread::get_id() != thread_) {
    throw std::runtime_error("a function given to a transform was called on a thread other than its own");
  }
  napi_value value = nullptr;
  NAPI_THROW_IF_FAILED(env_, napi_get_reference_value(env_, ref_, &value), Napi::Function());
  return Napi::Function(env_, value);
}

void JsFunction::delete_queued(Napi::Env env) {
  auto queue = this_thread_queue;
  if (!queue) return;
  std::vector<napi_ref> refs;
  {
    std::lock_guard<std::mutex> lock(queue->mutex);
    if (queue->closed) return;
    refs.swap(queue->refs);
  }
  for (napi_ref ref : refs) napi_delete_reference(env, ref);
}

Napi::Array tensors_to_js(Napi::Env env, const std::vector<mx::array>& arrays) {
  Napi::Array out = Napi::Array::New(env, arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) out.Set(i, Tensor::wrap(env, arrays[i]));
  return out;
}

Napi::Array integers_to_js(Napi::Env env, const std::vector<int>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(i, Napi::Number::New(env, values[i]));
  return out;
}

std::vector<mx::array> arrays_from_js(Napi::Value value, const std::string& what) {
  if (!value.IsArray()) throw ArgumentTypeError(what + " must be an array of tensors");
  Napi::Array list = value.As<Napi::Array>();
  std::vector<mx::array> out;
  out.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) {
    std::string name = what + "[" + std::to_string(i) + "]";
    out.push_back(conv::tensor(list.Get(i), name.c_str()));
  }
  return out;
}

std::vector<mx::array> call_for_arrays(Napi::Function fn, const std::vector<napi_value>& args, const std::string& what) {
  return arrays_from_js(fn.Call(args), what);
}

ArrayFunction array_function(Napi::Function fn) {
  return [env = fn.Env(), value = static_cast<napi_value>(fn)](const std::vector<mx::array>& inputs) {
    Napi::HandleScope scope(env);
    return call_for_arrays(Napi::Function(env, value), {tensors_to_js(env, inputs)}, "the function's result");
  };
}

ArrayFunction array_function(std::shared_ptr<JsFunction> fn) {
  return [fn = std::move(fn)](const std::vector<mx::array>& inputs) {
    Napi::HandleScope scope(fn->env());
    return call_for_arrays(fn->get(), {tensors_to_js(fn->env(), inputs)}, "the function's result");
  };
}

}  // namespace mlxts
