// The linalg family's guards for MLX defects (each seen in MLX 0.32.4; linalg.h names them). Every op is
// built by MLX as usual (its shape and dtype checks run); for inputs that would crash the process the
// outputs are then made without a kernel, or computed from a safe stand-in, and intermediates the
// result-size check does not see are checked against the memory limit. Delete a guard once MLX checks
// the case itself.
#include <cmath>

#include "runtime.h"
#include "support/linalg.h"

namespace mlxts::support {

namespace {

// inv, tri_inv, cholesky_inv, lu, lu_factor, solve and solve_triangular divide by the matrix size and
// trap (SIGFPE) when the matrix has an empty row or column axis.
bool empty_matrix(const mx::array& a) { return a.ndim() >= 2 && (a.shape(-1) == 0 || a.shape(-2) == 0); }

// Every op's CPU kernel counts the matrices of a batch as size / (M * N) with M * N in 32 bits: an empty
// batch of 2^32-element matrices ([0, 65536, 65536]) divides by zero (SIGFPE; eigh: SIGSEGV).
bool empty_batch(const mx::array& a) { return a.ndim() > 2 && a.size() == 0 && a.shape(-1) > 0 && a.shape(-2) > 0; }

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

// For the ops whose kernels trap on empty matrices.
template <class Out>
Out guarded(const mx::array& a, Out out) {
  return empty_matrix(a) || empty_batch(a) ? empty_outputs(out) : out;
}

// For the ops that compute empty matrices correctly (det of a 0 x 0 matrix is 1).
template <class Out>
Out batch_guarded(const mx::array& a, Out out) {
  return empty_batch(a) ? empty_outputs(out) : out;
}

// eig and eigvals of a matrix with an infinite entry corrupt the heap in LAPACK's geev (SIGABRT), and
// a NaN entry fails with LAPACK error -4. Per matrix of a batch: true where every entry is finite
// (shape [..., 1, 1]).
mx::array finite_matrices(const mx::array& a, mx::StreamOrDevice s) {
  return mx::all(mx::isfinite(a, s), std::vector<int>{-2, -1}, true, s);
}

mx::array finite_or_zeros(const mx::array& finite, const mx::array& a, mx::StreamOrDevice s) {
  return mx::where(finite, a, mx::zeros_like(a, s), s);
}

mx::array nan_where_not(const mx::array& finite, const mx::array& out, mx::StreamOrDevice s) {
  return mx::where(finite, out, mx::array(std::nanf("")), s);
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

mx::array cholesky(const mx::array& a, bool upper, mx::StreamOrDevice s) {
  return batch_guarded(a, mx::linalg::cholesky(a, upper, s));
}

mx::array det(const mx::array& a, mx::StreamOrDevice s) { return batch_guarded(a, mx::linalg::det(a, s)); }

std::pair<mx::array, mx::array> slogdet(const mx::array& a, mx::StreamOrDevice s) {
  return batch_guarded(a, mx::linalg::slogdet(a, s));
}

mx::array pinv(const mx::array& a, mx::StreamOrDevice s) {
  // MLX's pinv takes the full SVD: U [M, M] and Vt [N, N] per matrix, whatever the rank, which the
  // result-size check does not see (a [1, 40000] input made a 6.4 GB Vt for a 160 KB result).
  if (a.ndim() >= 2 && a.size() > 0) {
    long double m = a.shape(-2), n = a.shape(-1), matrices = a.size() / (m * n);
    require_fits_in_memory(matrices * (m * m + n * n + 2 * m * n) * a.itemsize(), "pinv's full SVD and its working set");
  }
  return batch_guarded(a, mx::linalg::pinv(a, s));
}

std::pair<mx::array, mx::array> qr(const mx::array& a, mx::StreamOrDevice s) { return batch_guarded(a, mx::linalg::qr(a, s)); }

std::vector<mx::array> svd(const mx::array& a, bool compute_uv, mx::StreamOrDevice s) {
  return batch_guarded(a, mx::linalg::svd(a, compute_uv, s));
}

std::pair<mx::array, mx::array> eigh(const mx::array& a, const std::string& uplo, mx::StreamOrDevice s) {
  return batch_guarded(a, mx::linalg::eigh(a, uplo, s));
}

mx::array eigvalsh(const mx::array& a, const std::string& uplo, mx::StreamOrDevice s) {
  return batch_guarded(a, mx::linalg::eigvalsh(a, uplo, s));
}

std::pair<mx::array, mx::array> eig(const mx::array& a, mx::StreamOrDevice s) {
  if (a.ndim() < 2) return mx::linalg::eig(a, s);  // MLX's own error
  auto finite = finite_matrices(a, s);
  auto [w, v] = batch_guarded(a, mx::linalg::eig(finite_or_zeros(finite, a, s), s));
  return {nan_where_not(mx::squeeze(finite, -1, s), w, s), nan_where_not(finite, v, s)};
}

mx::array eigvals(const mx::array& a, mx::StreamOrDevice s) {
  if (a.ndim() < 2) return mx::linalg::eigvals(a, s);
  auto finite = finite_matrices(a, s);
  auto w = batch_guarded(a, mx::linalg::eigvals(finite_or_zeros(finite, a, s), s));
  return nan_where_not(mx::squeeze(finite, -1, s), w, s);
}

}  // namespace mlxts::support
