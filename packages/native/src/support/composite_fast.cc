// Composites of the fast family: ops built from several MLX calls. rope, sdpa and kv_cache_attention
// transpose a 'bthd' input around MLX's kernels (which take 'bhtd'); sdpa folds a key-padding mask into
// the causal one; RoPE at per-token positions, the KV-cache update followed by attention over its valid
// prefix, and SwiGLU are built from MLX ops, which have no such function.
#include <cmath>
#include <string>

#include "errors.h"
#include "support/fast.h"

namespace mlxts::support {

namespace {

// `layout` is a value of the Layout enum, checked by the generated wrapper.
bool tokens_first(const std::string& layout) { return layout == "bthd"; }

// [B, T, H, D] <-> [B, H, T, D] (the same swap both ways).
mx::array swap_heads_tokens(const mx::array& x, mx::StreamOrDevice s) {
  if (x.ndim() < 3) throw std::invalid_argument("a 'bthd' tensor needs at least 3 axes, got " + std::to_string(x.ndim()));
  return mx::swapaxes(x, -2, -3, s);
}

template <class Offset>
mx::array rope_any(const mx::array& x, int dims, bool traditional, std::optional<float> base, float scale,
                   const Offset& offset, const std::optional<mx::array>& freqs, const std::string& layout,
                   mx::StreamOrDevice s) {
  if (base && freqs) throw ArgumentTypeError("pass either base or freqs, not both");
  if (!base && !freqs) base = 10000.0f;
  bool swap = tokens_first(layout);
  mx::array in = swap ? swap_heads_tokens(x, s) : x;
  mx::array out = mx::fast::rope(in, dims, traditional, base, scale, offset, freqs, s);
  return swap ? swap_heads_tokens(out, s) : out;
}

// Keep-mask (true = attend) of bottom-right aligned causal attention, [Tq, Tkv].
mx::array causal_keep(int tq, int tkv, mx::StreamOrDevice s) {
  mx::array rows = mx::reshape(mx::arange(tkv - tq, tkv, mx::int32, s), {tq, 1}, s);
  mx::array cols = mx::reshape(mx::arange(0, tkv, mx::int32, s), {1, tkv}, s);
  return mx::greater_equal(rows, cols, s);
}

}  // namespace

mx::array rope(const mx::array& x, int dims, bool traditional, std::optional<float> base, float scale, int offset,
               const std::optional<mx::array>& freqs, const std::string& layout, mx::StreamOrDevice s) {
  return rope_any(x, dims, traditional, base, scale, offset, freqs, layout, s);
}

mx::array rope(const mx::array& x, int dims, bool traditional, std::optional<float> base, float scale,
               const mx::array& offset, const std::optional<mx::array>& freqs, const std::string& layout,
               mx::StreamOrDevice s) {
  return rope_any(x, dims, traditional, base, scale, offset, freqs, layout, s);
}

mx::array rope_positions(const mx::array& x, int dims, const mx::array& positions, bool traditional, float base,
                         float scale, const std::string& layout, mx::StreamOrDevice s) {
  bool swap = tokens_first(layout);
  if (x.ndim() != 4) throw std::invalid_argument("x must be 4-D ([B, H, T, D] or [B, T, H, D]), got " + std::to_string(x.ndim()) + " axes");
  int d = x.shape(-1);
  if (dims <= 0 || dims % 2 != 0 || dims > d) {
    throw std::invalid_argument("dims must be even, positive and at most the last axis (" + std::to_string(d) + "), got " + std::to_string(dims));
  }
  int batch = x.shape(0);
  int tokens = x.shape(swap ? 1 : 2);
  if (positions.ndim() != 2 || positions.shape(1) != tokens || (positions.shape(0) != batch && positions.shape(0) != 1)) {
    throw std::invalid_argument("positions must be [B, T] (or [1, T]) matching x's batch and tokens");
  }
  int half = dims / 2;
  // Angles in float32: positions * scale * base^(-2i/dims), [B, T, half].
  mx::array i = mx::arange(0, half, mx::float32, s);
  mx::array inv_freq = mx::exp(mx::multiply(i, mx::array(-2.0f * std::log(base) / dims), s), s);
  mx::array pos = mx::multiply(mx::astype(positions, mx::float32, s), mx::array(scale), s);
  mx::array angles = mx::multiply(mx::expand_dims(pos, -1, s), inv_freq, s);
  // Broadcast over heads: [B, T, 1, half] for bthd, [B, 1, T, half] for bhtd.
  angles = mx::expand_dims(angles, swap ? 2 : 1, s);
  mx::array cos = mx::cos(angles, s);
  mx::array sin = mx::sin(angles, s);
  mx::array xf = mx::astype(x, mx::float32, s);
  mx::array rotated = mx::slice(xf, {0, 0, 0, 0}, {x.shape(0), x.shape(1), x.shape(2), dims}, s);
  mx::array a = traditional ? mx::slice(rotated, {0, 0, 0, 0}, rotated.shape(), {1, 1, 1, 2}, s)
                            : mx::slice(rotated, {0, 0, 0, 0}, {x.shape(0), x.shape(1), x.shape(2), half}, s);
  mx::array b = traditional ? mx::slice(rotated, {0, 0, 0, 1}, rotated.shape(), {1, 1, 1, 2}, s)
                            : mx::slice(rotated, {0, 0, 0, half}, {x.shape(0), x.shape(1), x.shape(2), dims}, s);
  mx::array ra = mx::subtract(mx::multiply(a, cos, s), mx::multiply(b, sin, s), s);
  mx::array rb = mx::add(mx::multiply(a, sin, s), mx::multiply(b, cos, s), s);
  mx::array joined = traditional ? mx::reshape(mx::stack({ra, rb}, -1, s), rotated.shape(), s)
                                 : mx::concatenate({ra, rb}, -1, s);
  if (dims < d) {
    joined = mx::concatenate({joined, mx::slice(xf, {0, 0, 0, dims}, x.shape(), s)}, -1, s);
  }
  return mx::astype(joined, x.dtype(), s);
}

mx::array sdpa(const mx::array& q, const mx::array& k, const mx::array& v, std::optional<double> scale,
               const std::optional<std::string>& mask_mode, const std::optional<mx::array>& mask,
               const std::optional<mx::array>& key_mask, const std::optional<mx::array>& sinks,
               const std::string& layout, mx::StreamOrDevice s) {
  bool swap = tokens_first(layout);
  mx::array qq = swap ? swap_heads_tokens(q, s) : q;
  mx::array kk = swap ? swap_heads_tokens(k, s) : k;
  mx::array vv = swap ? swap_heads_tokens(v, s) : v;
  if (qq.ndim() != 4 || kk.ndim() != 4 || vv.ndim() != 4) throw std::invalid_argument("q, k and v must be 4-D");
  // Guard for an MLX defect (seen in MLX 0.32.4): scaled_dot_product_attention checks that the query
  // heads are a multiple of the key heads with a modulo, which divides by zero for keys with no heads
  // (SIGFPE: q, k and v of shape [3, 0, 0, 0], found by the fuzzer).
  if (kk.shape(1) == 0) throw std::invalid_argument("k and v must have at least one head");
  float sc = static_cast<float>(scale.value_or(1.0 / std::sqrt(static_cast<double>(qq.shape(-1)))));
  std::string mode = mask ? "array" : mask_mode.value_or("");
  std::optional<mx::array> mask_arr = mask;
  if (key_mask) {
    if (mask) throw ArgumentTypeError("keyMask cannot be combined with a mask tensor: fold it into the mask");
    int batch = qq.shape(0), tq = qq.shape(2), tkv = kk.shape(2);
    if (key_mask->ndim() != 2 || key_mask->shape(1) != tkv || (key_mask->shape(0) != batch && key_mask->shape(0) != 1)) {
      throw std::invalid_argument("keyMask must be [B, Tkv] = [" + std::to_string(batch) + ", " + std::to_string(tkv) + "]");
    }
    mx::array keep = mx::reshape(mx::astype(*key_mask, mx::bool_, s), {key_mask->shape(0), 1, 1, tkv}, s);
    if (mask_mode == "causal") keep = mx::logical_and(keep, causal_keep(tq, tkv, s), s);
    mask_arr = keep;
    mode = "array";
  }
  mx::array out = mx::fast::scaled_dot_product_attention(qq, kk, vv, sc, mode, mask_arr, sinks, false, s);
  return swap ? swap_heads_tokens(out, s) : out;
}

std::vector<mx::array> kv_cache_attention(const mx::array& q, const mx::array& new_k, const mx::array& new_v,
                                          const mx::array& k_cache, const mx::array& v_cache, int offset,
                                          std::optional<double> scale, const std::optional<mx::array>& key_mask,
                                          const std::string& layout, mx::StreamOrDevice s) {
  bool swap = tokens_first(layout);
  int axis = swap ? 1 : 2;  // the token axis of every 4-D input
  for (const auto* t : {&q, &new_k, &new_v, &k_cache, &v_cache}) {
    if (t->ndim() != 4) throw std::invalid_argument("q, newK, newV and the caches must be 4-D");
  }
  int t_new = new_k.shape(axis);
  int capacity = k_cache.shape(axis);
  if (offset < 0 || offset + t_new > capacity) {
    throw std::invalid_argument("offset " + std::to_string(offset) + " + " + std::to_string(t_new) + " new tokens exceeds the cache's " +
                     std::to_string(capacity) + " positions");
  }
  if (v_cache.shape(axis) != capacity) throw std::invalid_argument("the key and value caches must hold the same number of positions");
  mx::Shape start(4, 0);
  start[axis] = offset;
  mx::Shape stop_k = new_k.shape();
  stop_k[axis] = offset + t_new;
  mx::Shape stop_v = new_v.shape();
  stop_v[axis] = offset + t_new;
  // slice_update on a cache no one else holds lets MLX write into the cache's own buffer (donation).
  mx::array k_next = mx::slice_update(k_cache, mx::astype(new_k, k_cache.dtype(), s), start, stop_k, s);
  mx::array v_next = mx::slice_update(v_cache, mx::astype(new_v, v_cache.dtype(), s), start, stop_v, s);
  int valid = offset + t_new;
  mx::Shape prefix_k = k_next.shape();
  prefix_k[axis] = valid;
  mx::Shape prefix_v = v_next.shape();
  prefix_v[axis] = valid;
  mx::array k_valid = mx::slice(k_next, mx::Shape(4, 0), prefix_k, s);
  mx::array v_valid = mx::slice(v_next, mx::Shape(4, 0), prefix_v, s);
  mx::array out = sdpa(q, k_valid, v_valid, scale, "causal", std::nullopt, key_mask, std::nullopt, layout, s);
  return {out, k_next, v_next};
}

mx::array swiglu(const mx::array& gate, const mx::array& up, mx::StreamOrDevice s) {
  if (gate.shape() != up.shape()) throw std::invalid_argument("gate and up must have the same shape");
  if (!mx::issubdtype(gate.dtype(), mx::floating) || gate.dtype() != up.dtype()) {
    throw std::invalid_argument("gate and up must share one floating dtype");
  }
  if (mx::to_stream(s).device == mx::Device::cpu) {
    // MLX compiles fused CPU kernels by running the system C++ compiler at evaluation time, and that
    // fails where the compiler rejects MLX's generated source (seen with a newer g++: "redeclaration of
    // _Float128"). Plain ops cost two extra passes over memory but need no compiler.
    return mx::multiply(mx::multiply(gate, mx::sigmoid(gate, s), s), up, s);
  }
  // One compiled function for the process: on the GPU MLX fuses the elementwise chain into one kernel.
  static auto fused = mx::compile([](const std::vector<mx::array>& in) {
    const mx::array& g = in[0];
    return std::vector<mx::array>{mx::multiply(mx::multiply(g, mx::sigmoid(g)), in[1])};
  });
  // Compiled functions run on the default device's stream, so the requested device is the default while
  // the graph is built (ops are built under the runtime lock, so no other thread sees the switch).
  struct DefaultDevice {
    mx::Device previous = mx::default_device();
    explicit DefaultDevice(mx::Device device) { mx::set_default_device(device); }
    ~DefaultDevice() { mx::set_default_device(previous); }
  } scope(mx::to_stream(s).device);
  return fused({gate, up})[0];
}

}  // namespace mlxts::support
