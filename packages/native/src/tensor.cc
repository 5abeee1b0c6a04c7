#include "tensor.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <unordered_set>
#include <memory>

#include "addon_data.h"
#include "dtype.h"
#include "errors.h"
#include "eval.h"
#include "readback.h"

namespace mlxts {

namespace {
thread_local mx::array* pending_array = nullptr;

// Every Tensor object alive (disposed or not). napi_unwrap succeeds for any object some addon wrapped;
// membership here is what makes the pointer one of ours. (Cheaper per op than napi_type_tag_object on
// every new object or napi_instanceof on every argument.) It has its own lock, not the MLX lock, so a GC
// finalizer never waits for an evaluation.
std::mutex registry_mutex;
std::unordered_set<const Tensor*>& registry() {
  static auto* tensors = new std::unordered_set<const Tensor*>();
  return *tensors;
}
// The identities (mx::array::id) of the arrays live tensors hold, under registry_mutex.
std::unordered_multiset<uintptr_t>& held_ids() {
  static auto* ids = new std::unordered_multiset<uintptr_t>();
  return *ids;
}
}  // namespace

std::atomic<int64_t> Tensor::live_{0};

Napi::Function Tensor::define_class(Napi::Env env) {
  return DefineClass(env, "Tensor",
                     {
                         InstanceAccessor<&Tensor::shape>("shape"),
                         InstanceAccessor<&Tensor::dtype>("dtype"),
                         InstanceAccessor<&Tensor::ndim>("ndim"),
                         InstanceAccessor<&Tensor::size>("size"),
                         InstanceAccessor<&Tensor::nbytes>("nbytes"),
                         InstanceAccessor<&Tensor::itemsize>("itemsize"),
                         InstanceAccessor<&Tensor::is_disposed>("disposed"),
                         InstanceMethod<&Tensor::dispose>("dispose"),
                         InstanceMethod<&Tensor::to_typed_array>("toTypedArray"),
                         InstanceMethod<&Tensor::item>("item"),
                         InstanceMethod<&Tensor::data_async>("data"),
                     });
}

namespace {

// A result larger than the memory limit is refused when the op is built (see require_fits_in_memory),
// and so is every result once MLX's active memory is past the limit. The second is the pressure valve
// for undisposed tensors: their finalizers run only between event-loop turns, so a synchronous loop that
// never disposes grew until the system killed the process; now it stops at the limit with an error
// that says what to do.
void check_fits_in_memory(const mx::array& array) {
  size_t limit = mlxts::memory_limit();
  size_t active = mx::get_active_memory();
  if (active > limit) {
    throw std::invalid_argument(
        "MLX's active memory (" + std::to_string(active) + " bytes, " + std::to_string(Tensor::live_count()) +
        " live tensors) is past its memory limit (" + std::to_string(limit) +
        " bytes): dispose tensors you no longer need (t.dispose(), mx.tidy); tensors left to the garbage "
        "collector are freed only between event-loop turns");
  }
  // From the shape in floating point: MLX's element count wraps around for shapes such as
  // [65536, 65536, 65536, 65536], whose nbytes() is then 0.
  long double bytes = array.itemsize();
  for (int d : array.shape()) bytes *= d;
  if (bytes <= static_cast<long double>(limit)) return;
  std::string shape;
  for (int d : array.shape()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
  require_fits_in_memory(bytes, "the result (shape (" + shape + "), " + dtype_name(array.dtype()) + ")");
}

// V8 learns how much memory tensors hold outside its heap, so allocation pressure triggers collections
// (and finalizers). Small changes are batched per thread: telling V8 about every 16-byte scalar costs
// more than the op that made it.
void report_external(Napi::Env env, int64_t delta) {
  constexpr int64_t kBatch = 1 << 20;
  thread_local int64_t pending = 0;
  pending += delta;
  if (pending >= kBatch || pending <= -kBatch) {
    // The status is ignored: this runs in finalizers too, where nothing may throw (a failure only means
    // the environment is shutting down).
    int64_t adjusted = 0;
    napi_adjust_external_memory(env, pending, &adjusted);
    pending = 0;
  }
}

}  // namespace

Napi::Object Tensor::wrap(Napi::Env env, mx::array array) {
  check_fits_in_memory(array);
  pending_array = &array;
  Napi::Object object = addon_data(env).tensor_constructor.New({});
  pending_array = nullptr;
  return object;
}

Tensor::Tensor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Tensor>(info) {
  if (pending_array == nullptr) {
    throw Napi::TypeError::New(info.Env(), "Tensor: use mx.array() or an op to create tensors");
  }
  array_.emplace(std::move(*pending_array));
  pending_array = nullptr;
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry().insert(this);
    held_ids().insert(array_->id());
  }
  live_.fetch_add(1, std::memory_order_relaxed);
  external_bytes_ = static_cast<int64_t>(array_->nbytes());
  report_external(info.Env(), external_bytes_);
}

Tensor* Tensor::from(Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  void* wrapped = nullptr;
  if (napi_unwrap(value.Env(), value, &wrapped) != napi_ok || wrapped == nullptr) return nullptr;
  auto* tensor = static_cast<Tensor*>(static_cast<Napi::ObjectWrap<Tensor>*>(wrapped));
  std::lock_guard<std::mutex> lock(registry_mutex);
  return registry().count(tensor) != 0 ? tensor : nullptr;
}

int64_t Tensor::live_count() { return live_.load(std::memory_order_relaxed); }

const mx::array& Tensor::array(const char* role) const {
  if (!array_) throw ArgumentTypeError(std::string(role) + " is a disposed tensor");
  return *array_;
}

void Tensor::keep_held(std::vector<mx::array>& arrays) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto& ids = held_ids();
  arrays.erase(std::remove_if(arrays.begin(), arrays.end(), [&](const mx::array& a) { return ids.count(a.id()) == 0; }),
               arrays.end());
}

void Tensor::release(Napi::Env* env) {
  if (!array_) return;
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    auto& ids = held_ids();
    ids.erase(ids.find(array_->id()));
  }
  release_array(std::move(*array_));
  array_.reset();
  live_.fetch_sub(1, std::memory_order_relaxed);
  if (env != nullptr) report_external(*env, -external_bytes_);
}

void Tensor::Finalize(Napi::Env env) { release(&env); }

Tensor::~Tensor() {
  release(nullptr);
  std::lock_guard<std::mutex> lock(registry_mutex);
  registry().erase(this);
}

Napi::Value Tensor::shape(const Napi::CallbackInfo& info) {
  return guard(info, "shape", [&]() -> Napi::Value {
    const auto& dims = array("the tensor").shape();
    Napi::Array out = Napi::Array::New(info.Env(), dims.size());
    for (size_t i = 0; i < dims.size(); ++i) out.Set(i, Napi::Number::New(info.Env(), dims[i]));
    return out;
  });
}

Napi::Value Tensor::dtype(const Napi::CallbackInfo& info) {
  return guard(info, "dtype",
               [&]() -> Napi::Value { return Napi::String::New(info.Env(), dtype_name(array("the tensor").dtype())); });
}

Napi::Value Tensor::ndim(const Napi::CallbackInfo& info) {
  return guard(info, "ndim", [&]() -> Napi::Value { return Napi::Number::New(info.Env(), array("the tensor").ndim()); });
}

Napi::Value Tensor::size(const Napi::CallbackInfo& info) {
  return guard(info, "size", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(array("the tensor").size()));
  });
}

Napi::Value Tensor::nbytes(const Napi::CallbackInfo& info) {
  return guard(info, "nbytes", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(array("the tensor").nbytes()));
  });
}

Napi::Value Tensor::itemsize(const Napi::CallbackInfo& info) {
  return guard(info, "itemsize",
               [&]() -> Napi::Value { return Napi::Number::New(info.Env(), array("the tensor").itemsize()); });
}

Napi::Value Tensor::is_disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), disposed()); }

Napi::Value Tensor::dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  release(&env);
  return env.Undefined();
}

// Reads the tensor back after evaluating it on the eval thread; `convert` runs with the MLX lock held.
template <class Convert>
static Napi::Value read_blocking(Napi::Env env, const char* op, const mx::array& source, Convert convert) {
  std::unique_ptr<HeldArray> out;
  std::vector<mx::array> outputs;
  {
    MlxLock lock(mlx_mutex());
    // Computed and laid out row by row (after `await eval`): read now, not behind evaluations queued since.
    if (source.flags().row_contiguous && all_available(env, op, {source})) return convert(env, source);
    out = std::make_unique<HeldArray>(readable(source));
    outputs.push_back(out->get());
  }
  eval_blocking(env, op, std::move(outputs));
  MlxLock lock(mlx_mutex());
  return convert(env, out->get());
}

Napi::Value Tensor::to_typed_array(const Napi::CallbackInfo& info) {
  return guard(info, "toTypedArray", [&]() -> Napi::Value {
    return read_blocking(info.Env(), "toTypedArray", array("the tensor"), mlxts::to_typed_array);
  });
}

Napi::Value Tensor::item(const Napi::CallbackInfo& info) {
  return guard(info, "item", [&]() -> Napi::Value {
    const mx::array& a = array("the tensor");
    if (a.size() != 1) {
      throw std::invalid_argument("item() needs a tensor with exactly one element; this one has " + std::to_string(a.size()));
    }
    return read_blocking(info.Env(), "item", a, to_scalar);
  });
}

Napi::Value Tensor::data_async(const Napi::CallbackInfo& info) {
  return guard_locked(info, "data", [&]() -> Napi::Value {
    mx::array out = readable(array("the tensor"));
    return eval_async(info.Env(), "data", {out},
                      [out](Napi::Env env) { return mlxts::to_typed_array(env, out); });
  });
}

}  // namespace mlxts
