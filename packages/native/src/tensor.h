// The JS Tensor: a handle on one mlx::core::array.
//
// A JS Tensor object carries a pointer to its native Tensor (napi_wrap). dispose() frees the array and
// the native object at once and removes the wrap, so a disposed tensor leaves nothing for the garbage
// collector's finalizer to do; the finalizer is the backstop for tensors never disposed. A disposed
// Tensor object keeps the type tag every tensor gets (it has no wrap any more) and is reported as disposed;
// an object that merely has the Tensor prototype has no tag and is no tensor.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include <napi.h>

#include "runtime.h"

namespace mlxts {

class Tensor {
 public:
  static Napi::Function define_class(Napi::Env env);
  // A new JS Tensor owning `array`. Call with the MLX lock held.
  static Napi::Object wrap(Napi::Env env, mx::array array);
  // The Tensor behind `value`, or nullptr if `value` is not a Tensor of this addon. A disposed Tensor
  // gives a stand-in whose array() throws; the pointer is valid until JS code runs again.
  static Tensor* from(Napi::Value value);
  // Tensors created and not yet disposed or collected, across every JS thread.
  static int64_t live_count();
  // Keeps the arrays some live tensor holds (the same graph node, not a copy) and drops the rest.
  static void keep_held(std::vector<mx::array>& arrays);
  // Disposes the JS Tensor `value` from native code, as `t.dispose()` does (an op that consumes its
  // argument). Does nothing to a disposed tensor or a value that is not a tensor.
  static void dispose(Napi::Env env, Napi::Value value);

  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;

  // The array; throws ArgumentTypeError naming `role` (e.g. "argument a") once disposed.
  const mx::array& array(const char* role) const;
  bool disposed() const { return !array_.has_value(); }

 private:
  Tensor() = default;  // the disposed stand-in
  explicit Tensor(mx::array array);
  ~Tensor();

  // Frees the array and this object; `env` is null in a finalizer at environment teardown.
  void destroy(napi_env env);
  static void finalize(napi_env env, void* data, void* hint);
  static napi_value construct(napi_env env, napi_callback_info info);
  static Tensor& disposed_stand_in();

  static Napi::Value shape(const Napi::CallbackInfo& info);
  static Napi::Value dtype(const Napi::CallbackInfo& info);
  static Napi::Value ndim(const Napi::CallbackInfo& info);
  static Napi::Value size(const Napi::CallbackInfo& info);
  static Napi::Value nbytes(const Napi::CallbackInfo& info);
  static Napi::Value itemsize(const Napi::CallbackInfo& info);
  static Napi::Value is_disposed(const Napi::CallbackInfo& info);
  static Napi::Value dispose_method(const Napi::CallbackInfo& info);
  static Napi::Value to_typed_array(const Napi::CallbackInfo& info);
  static Napi::Value item(const Napi::CallbackInfo& info);
  static Napi::Value data_async(const Napi::CallbackInfo& info);

  std::optional<mx::array> array_;
  int64_t external_bytes_ = 0;
  static std::atomic<int64_t> live_;
};

}  // namespace mlxts
