// Products whose MLX entry points need help to be safe or to broadcast like their documentation says.
#include "op_support.h"

namespace mlxts::support {

mx::array vecdot(const mx::array& a, const mx::array& b, int axis, mx::StreamOrDevice s) {
  // MLX normalizes `axis` against one operand's rank, so a 2-D tensor dotted with a 1-D one fails at the
  // default axis -1; broadcasting both to one shape first gives the NumPy semantics.
  if (a.ndim() == 0 || b.ndim() == 0) throw std::invalid_argument("inputs must be at least 1-D");
  std::vector<mx::array> both = mx::broadcast_arrays({a, b}, s);
  return mx::vecdot(both[0], both[1], axis, s);
}

mx::array segmented_mm(const mx::array& a, const mx::array& b, const mx::array& segments, mx::StreamOrDevice s) {
  // The kernel trusts its inputs: a contraction mismatch or a segment outside [0, K] reads past the
  // operands (OpenBLAS reports an illegal argument and the product is garbage), so both are made safe here.
  if (a.ndim() != 2 || b.ndim() != 2) {
    throw std::invalid_argument("a and b must be matrices, got " + std::to_string(a.ndim()) + "-D and " +
                     std::to_string(b.ndim()) + "-D");
  }
  if (a.shape(1) != b.shape(0)) {
    throw std::invalid_argument("a's columns (" + std::to_string(a.shape(1)) + ") must match b's rows (" +
                     std::to_string(b.shape(0)) + ")");
  }
  if (segments.ndim() == 0 || segments.shape(-1) != 2 || !mx::issubdtype(segments.dtype(), mx::integer)) {
    return mx::segmented_mm(a, b, segments, s);  // MLX rejects these with its own message
  }
  // Clamp each [start, end) into [0, K] and make a reversed segment empty.
  mx::array clamped = mx::astype(mx::clip(segments, mx::array(0), mx::array(a.shape(1)), s), mx::int32, s);
  std::vector<mx::array> parts = mx::split(clamped, 2, -1, s);
  mx::array ends = mx::maximum(parts[0], parts[1], s);
  return mx::segmented_mm(a, b, mx::concatenate({parts[0], ends}, -1, s), s);
}

}  // namespace mlxts::support
