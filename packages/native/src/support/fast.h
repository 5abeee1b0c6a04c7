// The hand-written helpers that callees of the fast family name (mlxts::support::*): guards around MLX
// defects (guards_fast.cc) and composites built from MLX ops (composite_fast.cc). `layout` is "bhtd"
// ([batch, heads, tokens, dims], MLX's own) or "bthd" ([batch, tokens, heads, dims]), which is transposed
// around the kernel.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "runtime.h"

namespace mlxts::support {

// Guards (guards_fast.cc).
// Guard for an MLX defect (seen in MLX 0.32.4): rms_norm and layer_norm of an input with an empty last
// axis keep a float32 statistic per row, which the result-size check does not see ([2^31 - 1, 0] took
// 8.6 GB and minutes for an empty result). Built by MLX as usual (its checks run), an empty input's
// result is then given without a kernel.
mx::array rms_norm(const mx::array& x, const std::optional<mx::array>& weight, float eps, mx::StreamOrDevice s);
mx::array layer_norm(const mx::array& x, const std::optional<mx::array>& weight, const std::optional<mx::array>& bias,
                     float eps, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): the kernel reads logits at the targets unchecked, so
// targets are wrapped/clamped into [0, classes); no rows give an empty result rather than MLX's
// logsumexp error.
mx::array cross_entropy(const mx::array& logits, const mx::array& targets, mx::StreamOrDevice s);
// The gated delta rule recurrence over T steps with every shape checked first (MLX's CPU path reports
// bad shapes from deep inside, "SmallVector out of range" for 3-D input, seen in MLX 0.32.4); T = 0
// passes the state through.
std::vector<mx::array> gated_delta_update(const mx::array& q, const mx::array& k, const mx::array& v,
                                          const mx::array& gamma, const mx::array& beta,
                                          const std::optional<mx::array>& state, const std::optional<mx::array>& mask,
                                          mx::StreamOrDevice s);

// Composites (composite_fast.cc).
mx::array rope(const mx::array& x, int dims, bool traditional, std::optional<float> base, float scale, int offset,
               const std::optional<mx::array>& freqs, const std::string& layout, mx::StreamOrDevice s);
mx::array rope(const mx::array& x, int dims, bool traditional, std::optional<float> base, float scale,
               const mx::array& offset, const std::optional<mx::array>& freqs, const std::string& layout,
               mx::StreamOrDevice s);
// RoPE at a position per batch entry and token ([B, T]), which MLX's kernel (one offset) cannot do.
mx::array rope_positions(const mx::array& x, int dims, const mx::array& positions, bool traditional, float base,
                         float scale, const std::string& layout, mx::StreamOrDevice s);
// MLX's attention kernel, with a key-padding mask ([B, Tkv]) combined with the causal mask into one.
mx::array sdpa(const mx::array& q, const mx::array& k, const mx::array& v, std::optional<double> scale,
               const std::optional<std::string>& mask_mode, const std::optional<mx::array>& mask,
               const std::optional<mx::array>& key_mask, const std::optional<mx::array>& sinks,
               const std::string& layout, mx::StreamOrDevice s);
// gate * sigmoid(gate) * up, compiled into one kernel on the GPU.
mx::array swiglu(const mx::array& gate, const mx::array& up, mx::StreamOrDevice s);
// Writes new keys/values into the caches at `offset` (along the token axis) and attends over the valid
// prefix with a causal mask (and `key_mask`); returns {attention, new key cache, new value cache}.
std::vector<mx::array> kv_cache_attention(const mx::array& q, const mx::array& new_k, const mx::array& new_v,
                                          const mx::array& k_cache, const mx::array& v_cache, int offset,
                                          std::optional<double> scale, const std::optional<mx::array>& key_mask,
                                          const std::string& layout, mx::StreamOrDevice s);

}  // namespace mlxts::support
