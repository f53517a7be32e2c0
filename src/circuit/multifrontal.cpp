// Numeric multifrontal Kron reduction (see include/xbarmc/circuit/multifrontal.h).
// GCC 12's AVX-512 intrinsics, inlined from Eigen under -march=native, raise a
// false -Wmaybe-uninitialized (GCC bug 105593, `__m512d __Y = __Y;`).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "xbarmc/circuit/multifrontal.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "xbarmc/error.h"

namespace xbarmc::circuit {

namespace {

using FrontMap = Eigen::Map<Eigen::MatrixXd>;

// Kron reduction of the first `e` nodes of a front of order f. `w` holds, in its
// strictly lower triangle (column-major, leading dimension f), the branch
// conductances w(j,k) >= 0 between front nodes (the negated off-diagonal of the
// Laplacian); diagonals are never read. Eliminating node k replaces w(j,c) by
// w(j,c) + w(j,k) w(c,k) / d_k with d_k = sum_j w(j,k) over the remaining nodes
// (Kron 1939; d_k formed from branch conductances as in GTH). Written as a
// Cholesky-like factorisation with l(j,k) = w(j,k) / sqrt(d_k) > 0.
void eliminate_unblocked(double* w, int f, int e) {
  for (int k = 0; k < e; ++k) {
    double* colk = w + static_cast<std::ptrdiff_t>(k) * f;
    const double d = Eigen::Map<const Eigen::VectorXd>(colk + k + 1, f - k - 1).sum();
    if (!(d > 0.0) || !std::isfinite(d))
      throw InputError("circuit: network node without a conducting path to a terminal");
    const double inv = 1.0 / std::sqrt(d);
    for (int j = k + 1; j < f; ++j) colk[j] *= inv;
    for (int c = k + 1; c < f; ++c) {
      const double a = colk[c];
      if (a == 0.0) continue;  // leaf fronts are sparse
      double* colc = w + static_cast<std::ptrdiff_t>(c) * f;
      for (int j = c + 1; j < f; ++j) colc[j] += a * colk[j];
    }
  }
}

// Blocked right-looking form of eliminate_unblocked for large fronts: per panel
// of nb columns, (1) factor the nb x nb diagonal block, taking the part of each
// pivot that comes from rows below the panel from their column sums, updated
// without forming them: sigma_k = sum_{j below} l(j,k) obeys
// sigma_k = (s0_k + sum_{i<k} l(k,i) sigma_i) / l(k,k), all terms positive;
// (2) L21 = W21 M^-T (triangular solve) with M = [l(k,k) on the diagonal,
// -l(k,i) below]; (3) W22 += L21 L21^T (symmetric rank-nb update).
void eliminate_blocked(double* w, int f, int e, int nb, double* sums) {
  FrontMap m(w, f, f);
  for (int k0 = 0; k0 < e; k0 += nb) {
    const int kb = std::min(nb, e - k0);
    const int kend = k0 + kb;
    const int below = f - kend;
    double* s0 = sums;
    double* sigma = sums + nb;
    for (int k = 0; k < kb; ++k) s0[k] = m.col(k0 + k).tail(below).sum();
    for (int k = k0; k < kend; ++k) {
      double* colk = w + static_cast<std::ptrdiff_t>(k) * f;
      double d = s0[k - k0];
      for (int j = k + 1; j < kend; ++j) d += colk[j];
      for (int i = k0; i < k; ++i) d += m(k, i) * sigma[i - k0];
      if (!(d > 0.0) || !std::isfinite(d))
        throw InputError("circuit: network node without a conducting path to a terminal");
      const double lkk = std::sqrt(d);
      double sig = s0[k - k0];
      for (int i = k0; i < k; ++i) sig += m(k, i) * sigma[i - k0];
      sigma[k - k0] = sig / lkk;
      colk[k] = lkk;
      for (int j = k + 1; j < kend; ++j) colk[j] /= lkk;
      for (int c = k + 1; c < kend; ++c) {
        const double a = colk[c];
        double* colc = w + static_cast<std::ptrdiff_t>(c) * f;
        for (int j = c + 1; j < kend; ++j) colc[j] += a * colk[j];
      }
    }
    if (below == 0) continue;
    auto diag = m.block(k0, k0, kb, kb);
    for (int c = 0; c < kb; ++c) diag.col(c).tail(kb - c - 1) *= -1.0;
    auto l21 = m.block(kend, k0, below, kb);
    diag.triangularView<Eigen::Lower>().transpose().solveInPlace<Eigen::OnTheRight>(l21);
    m.bottomRightCorner(below, below).selfadjointView<Eigen::Lower>().rankUpdate(l21, 1.0);
  }
}

}  // namespace

template <class GMatrix>
void Multifrontal::reduce(const GMatrix& g_uS) {
  for (const Front& f : fronts_) {
    const int fn = static_cast<int>(f.nodes.size());
    FrontMap w(work_.data(), fn, fn);
    for (int c = 0; c < fn; ++c) w.col(c).tail(fn - c).setZero();
    // Extend-add the children's update matrices (strict lower triangles).
    for (int s = 0; s < 2; ++s) {
      if (f.child[s] < 0) continue;
      const std::vector<int>& map = f.child_map[s];
      const int un = static_cast<int>(map.size());
      const double* u = update_stack_.data() + fronts_[f.child[s]].update_offset;
      // map is increasing (symbolic analysis), so p > q lands in the lower
      // triangle; runs of consecutive targets are added as contiguous vectors.
      const std::vector<Run>& runs = f.child_runs[s];
      std::size_t first = 0;  // first run that reaches below row q
      for (int q = 0; q < un; ++q) {
        double* wcol = work_.data() + static_cast<std::ptrdiff_t>(map[q]) * fn;
        const double* ucol = u + static_cast<std::ptrdiff_t>(q) * un;
        while (runs[first].p0 + runs[first].len <= q + 1 && first + 1 < runs.size()) ++first;
        for (std::size_t r = first; r < runs.size(); ++r) {
          const int start = std::max(runs[r].p0, q + 1);
          const int len = runs[r].p0 + runs[r].len - start;
          double* dst = wcol + runs[r].a0 + (start - runs[r].p0);
          const double* src = ucol + start;
          for (int t = 0; t < len; ++t) dst[t] += src[t];
        }
      }
    }
    for (const Stamp& s : f.stamps) {
      const double g = s.i >= 0 ? static_cast<double>(g_uS(s.i, s.j)) : s.g_uS;
      w(std::max(s.a, s.b), std::min(s.a, s.b)) += g;
    }
    if (fn < opt_.blocked_min_order)
      eliminate_unblocked(work_.data(), fn, f.n_elim);
    else
      eliminate_blocked(work_.data(), fn, f.n_elim, opt_.panel, panel_sums_.data());
    if (&f == &fronts_.back()) break;  // the root's update stays in work_
    const int un = fn - f.n_elim;
    double* u = update_stack_.data() + f.update_offset;
    for (int q = 0; q < un; ++q)
      for (int p = q + 1; p < un; ++p)
        u[static_cast<std::ptrdiff_t>(q) * un + p] = w(f.n_elim + p, f.n_elim + q);
  }
}

namespace {
template <class Out>
void read_root(const double* work, int fn, const std::vector<int>& in_pos,
               const std::vector<int>& out_pos, Out& geff) {
  const FrontMap w(const_cast<double*>(work), fn, fn);
  for (std::size_t j = 0; j < out_pos.size(); ++j)
    for (std::size_t i = 0; i < in_pos.size(); ++i) {
      const int a = in_pos[i];
      const int b = out_pos[j];
      geff(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          static_cast<typename Out::Scalar>(w(std::max(a, b), std::min(a, b)));
    }
}
}  // namespace

void Multifrontal::effective(const Eigen::Ref<const Eigen::MatrixXd>& g_uS,
                             Eigen::Ref<Eigen::MatrixXd> geff_uS) {
  check_conductances(g_uS, rows_, cols_, "circuit exact solver");
  if (geff_uS.rows() != rows_ || geff_uS.cols() != cols_)
    throw InputError("circuit exact solver: output matrix has the wrong shape");
  reduce(g_uS);
  read_root(work_.data(), static_cast<int>(fronts_.back().nodes.size()), root_input_pos_,
            root_output_pos_, geff_uS);
}

void Multifrontal::effective(const Eigen::Ref<const Eigen::MatrixXf>& g_uS,
                             Eigen::Ref<Eigen::MatrixXf> geff_uS) {
  check_conductances(g_uS, rows_, cols_, "circuit exact solver");
  if (geff_uS.rows() != rows_ || geff_uS.cols() != cols_)
    throw InputError("circuit exact solver: output matrix has the wrong shape");
  reduce(g_uS);
  read_root(work_.data(), static_cast<int>(fronts_.back().nodes.size()), root_input_pos_,
            root_output_pos_, geff_uS);
}

}  // namespace xbarmc::circuit
