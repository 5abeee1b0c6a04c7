// The JS Tensor: a handle on one mlx::core::array.
#pragma once
#include <atomic>
#include <optional>

#include <napi.h>

#include "runtime.h"

namespace mlxts {

class Tensor : public Napi::ObjectWrap<Tensor> {
 public:
  static Napi::Function define_class(Napi::Env env);
  // A new JS Tensor owning `array`. Call with the MLX lock held.
  static Napi::Object wrap(Napi::Env env, mx::array array);
  // The Tensor behind `value`, or nullptr if `value` is not a Tensor of this addon.
  static Tensor* from(Napi::Value value);
  // Hides ObjectWrap::Unwrap, which node-addon-api calls on `this` for every method and getter: an
  // object with the Tensor prototype but no native tensor (Object.create(Tensor.prototype)) is a
  // TypeError, not the plain "Invalid argument" Error of ObjectWrap's own.
  static Tensor* Unwrap(Napi::Object wrapper);
  // Tensors created and not yet disposed or collected, across every JS thread.
  static int64_t live_count();
  // Keeps the arrays some live tensor holds (the same graph node, not a copy) and drops the rest.
  static void keep_held(std::vector<mx::array>& arrays);

  explicit Tensor(const Napi::CallbackInfo& info);
  ~Tensor() override;
  void Finalize(Napi::Env env) override;

  // The array; throws ArgumentTypeError naming `role` (e.g. "argument a") once disposed.
  const mx::array& array(const char* role) const;
  bool disposed() const { return !array_.has_value(); }
  // Disposes the tensor from native code, as `t.dispose()` does (an op that consumes its argument).
  void release_now(Napi::Env env) { release(&env); }

 private:
  void release(Napi::Env* env);

  Napi::Value shape(const Napi::CallbackInfo& info);
  Napi::Value dtype(const Napi::CallbackInfo& info);
  Napi::Value ndim(const Napi::CallbackInfo& info);
  Napi::Value size(const Napi::CallbackInfo& info);
  Napi::Value nbytes(const Napi::CallbackInfo& info);
  Napi::Value itemsize(const Napi::CallbackInfo& info);
  Napi::Value is_disposed(const Napi::CallbackInfo& info);
  Napi::Value dispose(const Napi::CallbackInfo& info);
  Napi::Value to_typed_array(const Napi::CallbackInfo& info);
  Napi::Value item(const Napi::CallbackInfo& info);
  Napi::Value data_async(const Napi::CallbackInfo& info);

  std::optional<mx::array> array_;
  int64_t external_bytes_ = 0;
  static std::atomic<int64_t> live_;
};

}  // namespace mlxts
