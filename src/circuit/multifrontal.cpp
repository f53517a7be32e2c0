// Numeric multifrontal Kron reduction (see include/xbarmc/circuit/multifrontal.h),
// one code path templated on the scalar of the elimination (float or double).
#include "xbarmc/circuit/multifrontal.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <type_traits>
#include "xbarmc/util/eigen.h"

#include "xbarmc/circuit/simd_runs.h"
#include "xbarmc/util/error.h"

namespace xbarmc::circuit {

namespace {

using simd::add_run;
using simd::copy_run;
using simd::pivot_sum;
using simd::Vec64;
#if defined(__AVX512F__)
using simd::nonzero_lanes;
#endif

template <class Scalar>
using FrontMap = Eigen::Map<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>, Eigen::Unaligned,
                            Eigen::OuterStride<>>;
template <class Scalar>
FrontMap<Scalar> front_map(Scalar* w, int f, int ld) {
  return FrontMap<Scalar>(w, f, f, Eigen::OuterStride<>(ld));
}

// Scalars per 64-byte vector. Front columns start on 64-byte boundaries (the
// leading dimension is a multiple of it), so the rank-1 updates run over whole
// aligned vectors with no remainder loop.
template <class Scalar>
constexpr int kLanes = 64 / static_cast<int>(sizeof(Scalar));

// Leading dimension of a front of order f: f rounded up to whole vectors.
template <class Scalar>
int leading_dim(int f) {
  return (f + kLanes<Scalar> - 1) / kLanes<Scalar> * kLanes<Scalar>;
}

template <class Scalar>
using VectorMap = Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>;

template <class Scalar>
void check_pivot(Scalar d) {
  if (!(d > Scalar(0)) || !std::isfinite(d))
    throw InputError("circuit: network node without a conducting path to a terminal");
}

// Kron reduction of the first `e` nodes of a front of order f. `w` holds, in its
// strictly lower triangle (column-major, leading dimension f), the branch
// conductances w(j,k) >= 0 between front nodes (the negated off-diagonal of the
// Laplacian); diagonals are never read. Eliminating node k replaces w(j,c) by
// w(j,c) + w(j,k) w(c,k) / d_k with d_k = sum_j w(j,k) over the remaining nodes
// (Kron 1939; d_k formed from branch conductances as in GTH). Written as a
// Cholesky-like factorisation with l(j,k) = w(j,k) / sqrt(d_k) > 0.
// Columns have leading dimension ld (leading_dim(f)); the update of column c runs
// from the vector holding row c+1 to the end of the last vector holding rows < f:
// the extra rows are the unused upper triangle and the padding, zeroed with the
// front, so every entry that is ever read gets exactly the operations of a loop
// over rows c+1..f-1.
template <class Scalar>
void eliminate_unblocked(Scalar* w, int f, int ld, int e) {
  constexpr int V = kLanes<Scalar>;
  const int j_end = leading_dim<Scalar>(f);
  for (int k = 0; k < e; ++k) {
    Scalar* colk = w + static_cast<std::ptrdiff_t>(k) * ld;
    const Scalar d = VectorMap<Scalar>(colk + k + 1, f - k - 1).sum();
    check_pivot(d);
    const Scalar inv = Scalar(1) / std::sqrt(d);
    for (int j = k + 1; j < f; ++j) colk[j] *= inv;
    for (int c = k + 1; c < f; ++c) {
      const Scalar a = colk[c];
      if (a == Scalar(0)) continue;  // leaf fronts are sparse
      Scalar* colc = w + static_cast<std::ptrdiff_t>(c) * ld;
      for (int j0 = (c + 1) / V * V; j0 < j_end; j0 += V)
        for (int t = 0; t < V; ++t) colc[j0 + t] += a * colk[j0 + t];
    }
  }
}

// eliminate_unblocked for a front whose leading dimension NV * kLanes is known at
// compile time (the small fronts, where loop overhead, not arithmetic, dominates):
// the scaled pivot column is copied to a local array, so the compiler keeps it in
// registers across the column updates, and each column update is a fixed run of
// whole vectors from the one holding row k+1. Every entry that is ever read (the
// strict lower triangle) gets exactly the operations of eliminate_unblocked, so the
// results are bitwise the same; only unread upper-triangle entries differ (the
// scaling of whole vectors scales them too).
template <class Scalar, int NV>
void eliminate_small(Scalar* w, int f, int e) {
  constexpr int V = kLanes<Scalar>;
  constexpr int LD = NV * V;
  using Vec = typename Vec64<Scalar>::type;
  Vec lk[NV];
  for (int k = 0; k < e; ++k) {
    Scalar* colk = w + static_cast<std::ptrdiff_t>(k) * LD;
    const int v0 = (k + 1) / V;
    const Scalar d = pivot_sum(colk, v0, NV, k + 1 - v0 * V, f - k - 1);
    check_pivot(d);
    const Scalar inv = Scalar(1) / std::sqrt(d);
    for (int v = v0; v < NV; ++v) {
      std::memcpy(&lk[v], colk + v * V, sizeof(Vec));
      lk[v] *= inv;
      std::memcpy(colk + v * V, &lk[v], sizeof(Vec));
    }
    auto update = [&](int c) {
      const Vec av = Vec{} + colk[c];
      Scalar* colc = w + static_cast<std::ptrdiff_t>(c) * LD;
      for (int v = v0; v < NV; ++v) {
        Vec x;
        std::memcpy(&x, colc + v * V, sizeof(Vec));
        x += av * lk[v];
        std::memcpy(colc + v * V, &x, sizeof(Vec));
      }
    };
    // Leaf fronts are sparse: only columns c > k with l(c,k) != 0 are updated
    // (rows >= f are zero padding). With AVX-512 the nonzero rows of the pivot
    // column come from one vector compare each, so no branch per column.
#if defined(__AVX512F__)
    for (int v = v0; v < NV; ++v) {
      unsigned bits = nonzero_lanes(lk[v]);
      if (v == v0) bits &= ~0u << (k + 1 - v0 * V);
      for (; bits != 0; bits &= bits - 1) update(v * V + std::countr_zero(bits));
    }
#else
    for (int c = k + 1; c < f; ++c)
      if (colk[c] != Scalar(0)) update(c);
#endif
  }
}

// Dispatch of eliminate_small on the number of vectors per column; false if ld is
// too wide for it.
template <class Scalar>
bool eliminate_small_dispatch(Scalar* w, int f, int ld, int e) {
  switch (ld / kLanes<Scalar>) {
    case 1:
      eliminate_small<Scalar, 1>(w, f, e);
      return true;
    case 2:
      eliminate_small<Scalar, 2>(w, f, e);
      return true;
    case 3:
      eliminate_small<Scalar, 3>(w, f, e);
      return true;
    case 4:
      eliminate_small<Scalar, 4>(w, f, e);
      return true;
    case 5:
      eliminate_small<Scalar, 5>(w, f, e);
      return true;
    case 6:
      eliminate_small<Scalar, 6>(w, f, e);
      return true;
    case 7:
      eliminate_small<Scalar, 7>(w, f, e);
      return true;
    case 8:
      eliminate_small<Scalar, 8>(w, f, e);
      return true;
    default:
      return false;
  }
}

// Blocked right-looking form of eliminate_unblocked for large fronts: per panel
// of nb columns, (1) factor the nb x nb diagonal block, taking the part of each
// pivot that comes from rows below the panel from their column sums, updated
// without forming them: sigma_k = sum_{j below} l(j,k) obeys
// sigma_k = (s0_k + sum_{i<k} l(k,i) sigma_i) / l(k,k), all terms positive;
// (2) L21 = W21 M^-T (triangular solve) with M = [l(k,k) on the diagonal,
// -l(k,i) below]; (3) W22 += L21 L21^T (symmetric rank-nb update).
template <class Scalar>
void eliminate_blocked(Scalar* w, int f, int ld, int e, int nb, Scalar* sums) {
  FrontMap<Scalar> m = front_map(w, f, ld);
  for (int k0 = 0; k0 < e; k0 += nb) {
    const int kb = std::min(nb, e - k0);
    const int kend = k0 + kb;
    const int below = f - kend;
    Scalar* s0 = sums;
    Scalar* sigma = sums + nb;
    for (int k = 0; k < kb; ++k) s0[k] = m.col(k0 + k).tail(below).sum();
    for (int k = k0; k < kend; ++k) {
      Scalar* colk = w + static_cast<std::ptrdiff_t>(k) * ld;
      Scalar d = s0[k - k0];
      for (int j = k + 1; j < kend; ++j) d += colk[j];
      for (int i = k0; i < k; ++i) d += m(k, i) * sigma[i - k0];
      check_pivot(d);
      const Scalar lkk = std::sqrt(d);
      Scalar sig = s0[k - k0];
      for (int i = k0; i < k; ++i) sig += m(k, i) * sigma[i - k0];
      sigma[k - k0] = sig / lkk;
      colk[k] = lkk;
      for (int j = k + 1; j < kend; ++j) colk[j] /= lkk;
      for (int c = k + 1; c < kend; ++c) {
        const Scalar a = colk[c];
        Scalar* colc = w + static_cast<std::ptrdiff_t>(c) * ld;
        for (int j = c + 1; j < kend; ++j) colc[j] += a * colk[j];
      }
    }
    if (below == 0) continue;
    auto diag = m.block(k0, k0, kb, kb);
    for (int c = 0; c < kb; ++c) diag.col(c).tail(kb - c - 1) *= Scalar(-1);
    auto l21 = m.block(kend, k0, below, kb);
    diag.template triangularView<Eigen::Lower>()
        .transpose()
        .template solveInPlace<Eigen::OnTheRight>(l21);
    m.bottomRightCorner(below, below)
        .template selfadjointView<Eigen::Lower>()
        .rankUpdate(l21, Scalar(1));
  }
}

}  // namespace

// The workspace of one precision, allocated on its first use.
template <class Scalar>
Multifrontal::Workspace<Scalar>& Multifrontal::workspace() {
  Workspace<Scalar>* ws = nullptr;
  if constexpr (std::is_same_v<Scalar, float>)
    ws = &float_ws_;
  else
    ws = &double_ws_;
  if (ws->work.empty()) {
    ws->work.assign(static_cast<std::size_t>(leading_dim<Scalar>(max_front_)) * max_front_,
                    Scalar(0));
    ws->update_stack.assign(stack_size_, Scalar(0));
    ws->panel_sums.assign(2 * static_cast<std::size_t>(opt_.panel), Scalar(0));
  }
  return *ws;
}

template <class Scalar, class GMatrix>
void Multifrontal::reduce(const GMatrix& g_uS, Workspace<Scalar>& ws, int batch_lane) {
  Scalar* const work = ws.work.data();
  for (const Front& f : fronts_) {
    if constexpr (std::is_same_v<Scalar, float>)  // effective_batch(): skip batched fronts
      if (batch_lane >= 0 &&
          inject_lane(static_cast<int>(&f - fronts_.data()), batch_lane, ws.update_stack.data()))
        continue;
    const int fn = static_cast<int>(f.nodes.size());
    const int ld = leading_dim<Scalar>(fn);
    FrontMap<Scalar> w = front_map(work, fn, ld);
    std::fill(work, work + static_cast<std::ptrdiff_t>(ld) * fn, Scalar(0));
    // Extend-add the children's update matrices (strict lower triangles).
    for (int s = 0; s < 2; ++s) {
      if (f.child[s] < 0) continue;
      const std::vector<int>& map = f.child_map[s];
      const int un = static_cast<int>(map.size());
      const Scalar* u = ws.update_stack.data() + fronts_[f.child[s]].update_offset;
      // map is increasing (symbolic analysis), so p > q lands in the lower
      // triangle; runs of consecutive targets are added as contiguous vectors.
      const std::vector<Run>& runs = f.child_runs[s];
      std::size_t first = 0;  // first run that reaches below row q
      for (int q = 0; q < un; ++q) {
        Scalar* wcol = work + static_cast<std::ptrdiff_t>(map[q]) * ld;
        const Scalar* ucol = u + static_cast<std::ptrdiff_t>(q) * un;
        while (runs[first].p0 + runs[first].len <= q + 1 && first + 1 < runs.size()) ++first;
        for (std::size_t r = first; r < runs.size(); ++r) {
          const int start = std::max(runs[r].p0, q + 1);
          const int len = runs[r].p0 + runs[r].len - start;
          Scalar* dst = wcol + runs[r].a0 + (start - runs[r].p0);
          const Scalar* src = ucol + start;
          add_run(dst, src, len);
        }
      }
    }
    for (const Stamp& s : f.stamps) {
      const Scalar g = s.i >= 0 ? static_cast<Scalar>(g_uS(s.i, s.j)) : static_cast<Scalar>(s.g_uS);
      w(std::max(s.a, s.b), std::min(s.a, s.b)) += g;
    }
    if (fn < opt_.blocked_min_order) {
      if (!eliminate_small_dispatch(work, fn, ld, f.n_elim))
        eliminate_unblocked(work, fn, ld, f.n_elim);
    } else
      eliminate_blocked(work, fn, ld, f.n_elim, opt_.panel, ws.panel_sums.data());
    if (&f == &fronts_.back()) break;  // the root's update stays in the front buffer
    const int un = fn - f.n_elim;
    Scalar* u = ws.update_stack.data() + f.update_offset;
    for (int q = 0; q + 1 < un; ++q)  // rows q+1..un-1 of column q, contiguous in the front
      copy_run(u + static_cast<std::ptrdiff_t>(q) * un + q + 1, &w(f.n_elim + q + 1, f.n_elim + q),
               un - q - 1);
  }
}

// Checks, reduction in Scalar, and G_eff(i, j) = w(in_i, out_j) read off the root front.
template <class Scalar, class In, class Out>
void Multifrontal::solve(const In& g_uS, Out& geff_uS) {
  check_conductances(g_uS, rows_, cols_, "circuit exact solver");
  if (geff_uS.rows() != rows_ || geff_uS.cols() != cols_)
    throw InputError("circuit exact solver: output matrix has the wrong shape");
  Workspace<Scalar>& ws = workspace<Scalar>();
  reduce(g_uS, ws);
  const int fn = static_cast<int>(fronts_.back().nodes.size());
  const FrontMap<Scalar> w = front_map(ws.work.data(), fn, leading_dim<Scalar>(fn));
  for (std::size_t j = 0; j < root_output_pos_.size(); ++j)
    for (std::size_t i = 0; i < root_input_pos_.size(); ++i) {
      const int a = root_input_pos_[i];
      const int b = root_output_pos_[j];
      geff_uS(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          static_cast<typename Out::Scalar>(w(std::max(a, b), std::min(a, b)));
    }
}

void Multifrontal::effective(const Eigen::Ref<const Eigen::MatrixXd>& g_uS,
                             Eigen::Ref<Eigen::MatrixXd> geff_uS) {
  solve<double>(g_uS, geff_uS);
}

void Multifrontal::effective(const Eigen::Ref<const Eigen::MatrixXf>& g_uS,
                             Eigen::Ref<Eigen::MatrixXf> geff_uS, Precision arithmetic) {
  if (arithmetic == Precision::Float)
    solve<float>(g_uS, geff_uS);
  else
    solve<double>(g_uS, geff_uS);
}

void Multifrontal::finish_lane(const Eigen::MatrixXf& g_uS, Eigen::MatrixXf& geff_uS, int lane) {
  Workspace<float>& ws = workspace<float>();
  reduce(g_uS, ws, lane);
  const int fn = static_cast<int>(fronts_.back().nodes.size());
  const FrontMap<float> w = front_map(ws.work.data(), fn, leading_dim<float>(fn));
  for (std::size_t j = 0; j < root_output_pos_.size(); ++j)
    for (std::size_t i = 0; i < root_input_pos_.size(); ++i) {
      const int a = root_input_pos_[i];
      const int b = root_output_pos_[j];
      geff_uS(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          w(std::max(a, b), std::min(a, b));
    }
}

void Multifrontal::reserve(Precision arithmetic) {
  if (arithmetic == Precision::Float)
    workspace<float>();
  else
    workspace<double>();
}

}  // namespace xbarmc::circuit
