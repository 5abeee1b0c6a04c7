// Guards for MLX defects (seen in MLX 0.32.4) in the fast family's kernels: an empty input that costs a
// statistic per row or fails in logsumexp, targets the cross-entropy kernel reads unchecked, and shapes
// the gated delta rule reports only from deep inside its composed CPU path.
#include <string>

#include "support/fast.h"
#include "support/indices.h"

namespace mlxts::support {

mx::array rms_norm(const mx::array& x, const std::optional<mx::array>& weight, float eps, mx::StreamOrDevice s) {
  auto out = mx::fast::rms_norm(x, weight, eps, s);
  return x.size() == 0 ? mx::zeros(out.shape(), out.dtype(), s) : out;
}

mx::array layer_norm(const mx::array& x, const std::optional<mx::array>& weight, const std::optional<mx::array>& bias,
                     float eps, mx::StreamOrDevice s) {
  auto out = mx::fast::layer_norm(x, weight, bias, eps, s);
  return x.size() == 0 ? mx::zeros(out.shape(), out.dtype(), s) : out;
}

mx::array cross_entropy(const mx::array& logits, const mx::array& targets, mx::StreamOrDevice s) {
  if (logits.ndim() == 0) throw std::invalid_argument("logits must be at least 1-D ([..., classes])");
  int classes = logits.shape(-1);
  if (classes == 0) throw std::invalid_argument("logits have no classes (their last axis is empty)");
  if (logits.size() == 0) {
    // No rows: MLX's kernel would call logsumexp on an empty array and fail; the answer is simply empty.
    mx::Shape rows(logits.shape().begin(), logits.shape().end() - 1);
    if (targets.shape() != rows) throw std::invalid_argument("targets must have the shape of logits without the last axis");
    if (!mx::issubdtype(targets.dtype(), mx::integer)) throw std::invalid_argument("targets must be integer class indices");
    return mx::zeros(rows, logits.dtype(), s);
  }
  return mx::fast::cross_entropy(logits, clamp_indices(targets, classes, s), s);
}

std::vector<mx::array> gated_delta_update(const mx::array& q, const mx::array& k, const mx::array& v,
                                          const mx::array& gamma, const mx::array& beta,
                                          const std::optional<mx::array>& state, const std::optional<mx::array>& mask,
                                          mx::StreamOrDevice s) {
  // MLX's CPU path is composed of ops and reports bad shapes from deep inside (a broadcast, a squeeze, or
  // "SmallVector out of range" for 3-D input); the shapes are checked here with messages that name them.
  auto shape_text = [](const mx::array& a) {
    std::string text = "[";
    for (size_t i = 0; i < a.ndim(); ++i) text += (i ? ", " : "") + std::to_string(a.shape(i));
    return text + "]";
  };
  auto require = [&](bool ok, const std::string& what, const mx::array& a) {
    if (!ok) throw std::invalid_argument(what + ", got " + shape_text(a));
  };
  require(q.ndim() == 4, "q must be [B, T, Hk, Dk]", q);
  int b = q.shape(0), t = q.shape(1), hk = q.shape(2), dk = q.shape(3);
  require(k.shape() == q.shape(), "k must have q's shape " + shape_text(q), k);
  require(v.ndim() == 4 && v.shape(0) == b && v.shape(1) == t, "v must be [B, T, Hv, Dv] with q's B and T", v);
  int hv = v.shape(2), dv = v.shape(3);
  if (hk == 0 || hv % hk != 0) {
    throw std::invalid_argument("v's heads (" + std::to_string(hv) + ") must be a multiple of q's heads (" + std::to_string(hk) + ")");
  }
  require(beta.shape() == mx::Shape{b, t, hv}, "beta must be [B, T, Hv]", beta);
  require(gamma.shape() == mx::Shape{b, t, hv} || gamma.shape() == mx::Shape{b, t, hv, dk},
          "gamma must be [B, T, Hv] or [B, T, Hv, Dk]", gamma);
  if (state) require(state->shape() == mx::Shape{b, hv, dv, dk}, "initialState must be [B, Hv, Dv, Dk]", *state);
  if (mask) require(mask->shape() == mx::Shape{b, t}, "mask must be [B, T]", *mask);
  if (t == 0) {
    // No steps: MLX would fail stacking zero outputs; the state passes through unchanged.
    mx::Dtype out_type = mx::issubdtype(v.dtype(), mx::floating) ? v.dtype() : mx::float32;
    return {mx::zeros({b, 0, hv, dv}, out_type, s), state ? mx::astype(*state, mx::float32, s) : mx::zeros({b, hv, dv, dk}, mx::float32, s)};
  }
  return mx::fast::gated_delta_update(q, k, v, gamma, beta, state, mask, s);
}

}  // namespace mlxts::support
