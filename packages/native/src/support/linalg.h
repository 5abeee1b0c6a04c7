// The hand-written helpers that callees of the linalg family name (mlxts::support::*): one guard per op
// around MLX defects (guards_linalg.cc). Each op is built by MLX as usual (so its shape and dtype checks
// run), then the outputs of a matrix or batch that would crash the kernel are given without one.
// - Guard for an MLX defect (seen in MLX 0.32.4): the CPU kernels of inv, tri_inv, cholesky_inv, lu,
//   lu_factor, solve and solve_triangular divide by the matrix size and trap (SIGFPE, killing the
//   process) when the matrix `a` has an empty row or column axis.
// - Guard for an MLX defect (seen in MLX 0.32.4), for every op below: the CPU kernels count a batch's
//   matrices as size / (M * N) with M * N in 32 bits, so a matrix of 2^32 elements divides by zero
//   (SIGFPE; eigh: SIGSEGV); only an empty batch of such matrices ([0, 65536, 65536]) gets past the
//   memory limit.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "runtime.h"

namespace mlxts::support {

mx::array inv(const mx::array& a, mx::StreamOrDevice s);
mx::array tri_inv(const mx::array& a, bool upper, mx::StreamOrDevice s);
mx::array cholesky_inv(const mx::array& a, bool upper, mx::StreamOrDevice s);
std::vector<mx::array> lu(const mx::array& a, mx::StreamOrDevice s);
std::pair<mx::array, mx::array> lu_factor(const mx::array& a, mx::StreamOrDevice s);
mx::array solve(const mx::array& a, const mx::array& b, mx::StreamOrDevice s);
mx::array solve_triangular(const mx::array& a, const mx::array& b, bool upper, mx::StreamOrDevice s);
mx::array cholesky(const mx::array& a, bool upper, mx::StreamOrDevice s);
mx::array det(const mx::array& a, mx::StreamOrDevice s);
std::pair<mx::array, mx::array> slogdet(const mx::array& a, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): MLX's pinv takes the full SVD whatever the rank, which
// the result-size check does not see; a working set past the memory limit is refused.
mx::array pinv(const mx::array& a, mx::StreamOrDevice s);
std::pair<mx::array, mx::array> qr(const mx::array& a, mx::StreamOrDevice s);
std::vector<mx::array> svd(const mx::array& a, bool compute_uv, mx::StreamOrDevice s);
std::pair<mx::array, mx::array> eigh(const mx::array& a, const std::string& uplo, mx::StreamOrDevice s);
mx::array eigvalsh(const mx::array& a, const std::string& uplo, mx::StreamOrDevice s);
// Guard for an MLX defect (seen in MLX 0.32.4): eig and eigvals of a matrix with an infinite entry
// corrupt the heap in LAPACK's geev ("double free or corruption", SIGABRT), and a NaN entry fails with
// LAPACK error -4. Such a matrix is decomposed as zeros instead, and its eigenvalues and eigenvectors are
// NaN.
std::pair<mx::array, mx::array> eig(const mx::array& a, mx::StreamOrDevice s);
mx::array eigvals(const mx::array& a, mx::StreamOrDevice s);

}  // namespace mlxts::support
