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

// The live native Tensors. napi_unwrap succeeds for any object some addon wrapped; membership here is
// what makes the pointer one of ours (and rejects tensors of another copy of the addon). Entries leave
// on dispose, so the set holds only live tensors. It has its own lock, not the MLX lock, so a GC
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

// A Node-API callback running `Method`, whose C++ exceptions (guard() makes them Napi::Errors) become
// JS exceptions.
template <Napi::Value (*Method)(const Napi::CallbackInfo&)>
napi_value js_callback(napi_env env, napi_callback_info callback_info) {
  Napi::CallbackInfo info(env, callback_info);
  try {
    return Method(info);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

template <Napi::Value (*Getter)(const Napi::CallbackInfo&)>
napi_property_descriptor accessor(const char* name) {
  return {name, nullptr, nullptr, js_callback<Getter>, nullptr, nullptr, napi_default, nullptr};
}

template <Napi::Value (*Method)(const Napi::CallbackInfo&)>
napi_property_descriptor method(const char* name) {
  return {name, nullptr, js_callback<Method>, nullptr, nullptr, nullptr, napi_default, nullptr};
}

}  // namespace

std::atomic<int64_t> Tensor::live_{0};

Napi::Function Tensor::define_class(Napi::Env env) {
  const napi_property_descriptor properties[] = {
      accessor<&Tensor::shape>("shape"),
      accessor<&Tensor::dtype>("dtype"),
      accessor<&Tensor::ndim>("ndim"),
      accessor<&Tensor::size>("size"),
      accessor<&Tensor::nbytes>("nbytes"),
      accessor<&Tensor::itemsize>("itemsize"),
      accessor<&Tensor::is_disposed>("disposed"),
      method<&Tensor::dispose_method>("dispose"),
      method<&Tensor::to_typed_array>("toTypedArray"),
      method<&Tensor::item>("item"),
      method<&Tensor::data_async>("data"),
  };
  napi_value constructor = nullptr;
  napi_status status = napi_define_class(env, "Tensor", NAPI_AUTO_LENGTH, &Tensor::construct, nullptr,
                                         sizeof(properties) / sizeof(properties[0]), properties, &constructor);
  NAPI_THROW_IF_FAILED(env, status, Napi::Function());
  return Napi::Function(env, constructor);
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
void report_external(napi_env env, int64_t delta) {
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

Tensor::Tensor(mx::array array) : array_(std::move(array)) {
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry().insert(this);
    held_ids().insert(array_->id());
  }
  live_.fetch_add(1, std::memory_order_relaxed);
  external_bytes_ = static_cast<int64_t>(array_->nbytes());
}

namespace {
const napi_type_tag kTensorTag = {0x6d6c787473546e73ULL, 0x54656e736f725461ULL};
}  // namespace

napi_value Tensor::construct(napi_env env, napi_callback_info info) {
  napi_value self = nullptr;
  if (napi_get_cb_info(env, info, nullptr, nullptr, &self, nullptr) != napi_ok) return nullptr;
  if (pending_array == nullptr) {
    napi_throw_type_error(env, nullptr, "Tensor: use mx.array() or an op to create tensors");
    return nullptr;
  }
  auto* tensor = new Tensor(std::move(*pending_array));
  pending_array = nullptr;
  if (napi_wrap(env, self, tensor, &Tensor::finalize, nullptr, nullptr) != napi_ok) {
    tensor->destroy(env);
    return nullptr;  // napi_wrap left its error pending
  }
  // The tag outlives the wrap that dispose() removes: it tells a disposed tensor from an object that
  // merely has the Tensor prototype (Object.create(Tensor.prototype)).
  if (napi_type_tag_object(env, self, &kTensorTag) != napi_ok) return nullptr;
  report_external(env, tensor->external_bytes_);
  return self;
}

Tensor& Tensor::disposed_stand_in() {
  static auto* stand_in = new Tensor();
  return *stand_in;
}

Tensor* Tensor::from(Napi::Value value) {
  napi_env env = value.Env();
  napi_valuetype type = napi_undefined;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_object) return nullptr;
  void* wrapped = nullptr;
  if (napi_unwrap(env, value, &wrapped) == napi_ok && wrapped != nullptr) {
    auto* tensor = static_cast<Tensor*>(wrapped);
    std::lock_guard<std::mutex> lock(registry_mutex);
    return registry().count(tensor) != 0 ? tensor : nullptr;
  }
  // No wrap: a disposed Tensor of this addon (it keeps its tag), or not a tensor at all.
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, &kTensorTag, &tagged) != napi_ok) {
    napi_value ignored = nullptr;
    napi_get_and_clear_last_exception(env, &ignored);
    return nullptr;
  }
  return tagged ? &disposed_stand_in() : nullptr;
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

void Tensor::destroy(napi_env env) {
  {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry().erase(this);
    auto& ids = held_ids();
    ids.erase(ids.find(array_->id()));
  }
  release_array(std::move(*array_));
  array_.reset();
  live_.fetch_sub(1, std::memory_order_relaxed);
  if (env != nullptr) report_external(env, -external_bytes_);
  delete this;
}

Tensor::~Tensor() = default;

void Tensor::finalize(napi_env env, void* data, void*) { static_cast<Tensor*>(data)->destroy(env); }

void Tensor::dispose(Napi::Env env, Napi::Value value) {
  Tensor* tensor = from(value);
  if (tensor == nullptr || tensor->disposed()) return;
  // Removing the wrap drops its finalizer: nothing of the tensor is left for the garbage collector.
  void* removed = nullptr;
  if (napi_remove_wrap(env, value, &removed) != napi_ok) return;
  tensor->destroy(env);
}

namespace {
// The tensor a method or accessor was called on (the disposed stand-in for a disposed one).
const Tensor& receiver(const Napi::CallbackInfo& info) {
  Tensor* tensor = Tensor::from(info.This());
  if (tensor == nullptr) {
    throw ArgumentTypeError("this object has the Tensor prototype but holds no tensor (make tensors with mx.array, mx.zeros and the other ops)");
  }
  return *tensor;
}
}  // namespace

Napi::Value Tensor::shape(const Napi::CallbackInfo& info) {
  return guard(info, "shape", [&]() -> Napi::Value {
    const auto& dims = receiver(info).array("the tensor").shape();
    Napi::Array out = Napi::Array::New(info.Env(), dims.size());
    for (size_t i = 0; i < dims.size(); ++i) out.Set(i, Napi::Number::New(info.Env(), dims[i]));
    return out;
  });
}

Napi::Value Tensor::dtype(const Napi::CallbackInfo& info) {
  return guard(info, "dtype",
               [&]() -> Napi::Value { return Napi::String::New(info.Env(), dtype_name(receiver(info).array("the tensor").dtype())); });
}

Napi::Value Tensor::ndim(const Napi::CallbackInfo& info) {
  return guard(info, "ndim", [&]() -> Napi::Value { return Napi::Number::New(info.Env(), receiver(info).array("the tensor").ndim()); });
}

Napi::Value Tensor::size(const Napi::CallbackInfo& info) {
  return guard(info, "size", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(receiver(info).array("the tensor").size()));
  });
}

Napi::Value Tensor::nbytes(const Napi::CallbackInfo& info) {
  return guard(info, "nbytes", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(receiver(info).array("the tensor").nbytes()));
  });
}

Napi::Value Tensor::itemsize(const Napi::CallbackInfo& info) {
  return guard(info, "itemsize",
               [&]() -> Napi::Value { return Napi::Number::New(info.Env(), receiver(info).array("the tensor").itemsize()); });
}

Napi::Value Tensor::is_disposed(const Napi::CallbackInfo& info) {
  return guard(info, "disposed", [&]() -> Napi::Value { return Napi::Boolean::New(info.Env(), receiver(info).disposed()); });
}

Napi::Value Tensor::dispose_method(const Napi::CallbackInfo& info) {
  return guard(info, "dispose", [&]() -> Napi::Value {
    receiver(info);
    dispose(info.Env(), info.This());
    return info.Env().Undefined();
  });
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
    return read_blocking(info.Env(), "toTypedArray", receiver(info).array("the tensor"), mlxts::to_typed_array);
  });
}

Napi::Value Tensor::item(const Napi::CallbackInfo& info) {
  return guard(info, "item", [&]() -> Napi::Value {
    const mx::array& a = receiver(info).array("the tensor");
    if (a.size() != 1) {
      throw std::invalid_argument("item() needs a tensor with exactly one element; this one has " + std::to_string(a.size()));
    }
    return read_blocking(info.Env(), "item", a, to_scalar);
  });
}

Napi::Value Tensor::data_async(const Napi::CallbackInfo& info) {
  return guard_locked(info, "data", [&]() -> Napi::Value {
    mx::array out = readable(receiver(info).array("the tensor"));
    return eval_async(info.Env(), "data", {out},
                      [out](Napi::Env env) { return mlxts::to_typed_array(env, out); });
  });
}

}  // namespace mlxts
