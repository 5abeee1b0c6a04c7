// Guard for an MLX 0.32.4 defect (see op_support.h): the CPU kernels of inv, tri_inv, cholesky_inv, lu,
// lu_factor, solve and solve_triangular divide by the matrix size and trap (SIGFPE) when the matrix has
// an empty row or column axis. MLX builds the op as usual (its shape and dtype checks run); for such a
// matrix the outputs are then made without a kernel. Delete this file once MLX checks the size itself.
#include "op_support.h"

namespace mlxts::support {

namespace {

bool empty_matrix(const mx::array& a) { return a.ndim() >= 2 && (a.shape(-1) == 0 || a.shape(-2) == 0); }

mx::array empty_outputs(const mx::array& out) { return mx::zeros(out.shape(), out.dtype()); }

std::vector<mx::array> empty_outputs(const std::vector<mx::array>& outs) {
  std::vector<mx::array> replaced;
  for (const auto& out : outs) {
    // The one output of an empty matrix that has elements: lu's row indices of an [..., M, 0] matrix,
    // the identity order.
    if (out.size() > 0) {
      replaced.push_back(mx::broadcast_to(mx::arange(out.shape(-1), out.dtype()), out.shape()));
    } else {
      replaced.push_back(empty_outputs(out));
    }
  }
  return replaced;
}

std::pair<mx::array, mx::array> empty_outputs(const std::pair<mx::array, mx::array>& outs) {
  return {empty_outputs(outs.first), empty_outputs(outs.second)};
}

template <class Out>
Out guarded(const mx::array& a, Out out) {
  return empty_matrix(a) ? empty_outputs(out) : out;
}

}  // namespace

mx::array inv(const mx::array& a, mx::StreamOrDevice s) { return guarded(a, mx::linalg::inv(a, s)); }

mx::array tri_inv(const mx::array& a, bool upper, mx::StreamOrDevice s) { return guarded(a, mx::linalg::tri_inv(a, upper, s)); }

mx::array cholesky_inv(const mx::array& a, bool upper, mx::StreamOrDevice s) {
  return guarded(a, mx::linalg::cholesky_inv(a, upper, s));
}

std::vector<mx::array> lu(const mx::array& a, mx::StreamOrDevice s) { return guarded(a, mx::linalg::lu(a, s)); }

std::pair<mx::array, mx::array> lu_factor(const mx::array& a, mx::StreamOrDevice s) {
  return guarded(a, mx::linalg::lu_factor(a, s));
}

mx::array solve(const mx::array& a, const mx::array& b, mx::StreamOrDevice s) { return guarded(a, mx::linalg::solve(a, b, s)); }

mx::array solve_triangular(const mx::array& a, const mx::array& b, bool upper, mx::StreamOrDevice s) {
  return guarded(a, mx::linalg::solve_triangular(a, b, upper, s));
}

}  // namespace mlxts::support
