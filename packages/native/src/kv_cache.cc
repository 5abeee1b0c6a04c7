// fast.kvCacheAttention: hand-written rather than generated because it consumes its cache arguments.
// Once the op is built, the caller's cache tensors are disposed, so the graph holds the only reference
// to each cache; MLX then donates the cache buffer to slice_update and writes the new keys in place
// instead of copying the whole cache every decode step.
#include "kv_cache.h"

#include "support/fast.h"
#include "wrapper.h"

namespace mlxts {

namespace {

Tensor* cache_tensor(Napi::Value value, const char* name) {
  Tensor* t = Tensor::from(value);
  if (t == nullptr) throw ArgumentTypeError(std::string(name) + " must be a Tensor");
  t->array(name);  // a disposed cache is refused before the two caches are compared
  return t;
}

Napi::Value kv_cache_attention(const Napi::CallbackInfo& info) {
  return guard_locked(info, "kvCacheAttention", [&]() -> Napi::Value {
    conv::check_arity(info, 10);
    auto operands = conv::array_likes({{info[0], "q"}, {info[1], "newK"}, {info[2], "newV"}});
    Tensor* k_cache = cache_tensor(info[3], "kCache");
    Tensor* v_cache = cache_tensor(info[4], "vCache");
    if (k_cache == v_cache) throw ArgumentTypeError("kCache and vCache must be different tensors");
    int offset = conv::integer(info[5], "offset");
    auto scale = conv::optional_number(info[6], "scale");
    auto key_mask = conv::optional_tensor(info[7], "keyMask");
    auto layout = conv::choice(info[8], "layout", {"bhtd", "bthd"}, "bhtd");  // the Layout enum of schema/enums.yaml
    auto stream = conv::stream(info[9]);
    std::vector<mx::array> outputs =
        support::kv_cache_attention(operands[0], operands[1], operands[2], k_cache->array("kCache"), v_cache->array("vCache"),
                                    offset, scale, key_mask, layout, stream);
    Napi::Env env = info.Env();
    Tensor::dispose(env, info[3]);
    Tensor::dispose(env, info[4]);
    return to_js(env, std::move(outputs));
  });
}

}  // namespace

void register_kv_cache(Napi::Env env, Napi::Object exports) {
  exports.Set("kvCacheAttention", Napi::Function::New<kv_cache_attention>(env, "kvCacheAttention"));
}

}  // namespace mlxts
