// Numeric part of the batched multifrontal Kron reduction
// (Multifrontal::effective_batch; schedule: multifrontal_batch_plan.cpp; method:
// docs/line-resistance.md, "Batched exact solve"). Every tile of one shape and
// resistance set has the same network, so the fronts are eliminated for up to 16
// tiles at once, tile t in lane t of a 64-byte float vector, every front entry one
// vector. The rows each pivot touches come from the schedule: no zero tests, no
// padding, no remainder loops. Pivots go in groups of kGroup: one after the other on
// the group's own columns, then one trailing update adds the group's products to
// every remaining entry. Same GTH (subtraction-free) arithmetic as the per-tile
// code, with the pivot applied as one reciprocal instead of two square-root
// scalings. Fronts too large to batch (tiles above 128x128) run per tile through the
// ordinary reduce(), fed with each lane's update matrices.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <utility>

#include "multifrontal_batch.h"
#include "xbarmc/circuit/multifrontal.h"
#include "xbarmc/util/error.h"

namespace xbarmc::circuit {

using namespace batch;

namespace {

// Trailing update of one pivot group: w(rr[y], rr[a]) += sum_t p_t(y) s_t(a) for
// G pivots t, with p_t the packed pivot columns and s_t = p_t / d_t, over the union
// rr[0..nr) of the group's rows; column a gets rows y > a (internal columns,
// a < r_in) or y >= r_out (input columns), output columns nothing. Pairs of columns
// share the loads of p_t; one load and store of w per G products.
struct Trailing {
  Vec* w;  // destination: column a is w + rr[a] * fn, row y is entry rr[y]
  int fn;
  const int* rr;
  int nr;
  const Vec* pk;
  const Vec* sk;
  std::ptrdiff_t mf;  // stride between the packed columns of pk and sk

  template <int G>
  [[gnu::always_inline]] inline void pair(int a, int y0) const {
    Vec s0[G], s1[G];
    for (int t = 0; t < G; ++t) s0[t] = sk[t * mf + a], s1[t] = sk[t * mf + a + 1];
    Vec* c0 = w + rr[a] * fn;
    Vec* c1 = w + rr[a + 1] * fn;
    if (y0 == a + 1) {
      Vec x = c0[rr[a + 1]];
      for (int t = 0; t < G; ++t) x += pk[t * mf + a + 1] * s0[t];
      c0[rr[a + 1]] = x;
      y0 = a + 2;
    }
    for (int y = y0; y < nr; ++y) {
      const int j = rr[y];
      Vec x0 = c0[j], x1 = c1[j];
      for (int t = 0; t < G; ++t) {
        const Vec pv = pk[t * mf + y];
        x0 += pv * s0[t];
        x1 += pv * s1[t];
      }
      c0[j] = x0, c1[j] = x1;
    }
  }
  template <int G>
  [[gnu::always_inline]] inline void single(int a, int y0) const {
    Vec s0[G];
    for (int t = 0; t < G; ++t) s0[t] = sk[t * mf + a];
    Vec* c0 = w + rr[a] * fn;
    for (int y = y0; y < nr; ++y) {
      Vec x = c0[rr[y]];
      for (int t = 0; t < G; ++t) x += pk[t * mf + y] * s0[t];
      c0[rr[y]] = x;
    }
  }
  template <int G>
  [[gnu::always_inline]] inline void internal(int r_in) const {
    int a = 0;
    for (; a + 1 < r_in; a += 2) pair<G>(a, a + 1);
    if (a < r_in) single<G>(a, a + 1);
  }
  template <int G>
  [[gnu::always_inline]] inline void inputs(int r_in, int r_out) const {
    int a = r_in;
    for (; a + 1 < r_out; a += 2) pair<G>(a, r_out);
    if (a < r_out) single<G>(a, r_out);
  }
};

// The numeric batch phase: all batched fronts for all lanes. Returns false if a
// pivot of a lane < lanes is not positive and finite. Inlined into one function per
// instruction set (below), so the vector code is compiled for each.
[[gnu::always_inline]] inline bool batch_numeric(Multifrontal::BatchPlan& b) {
  using BF = Multifrontal::BatchPlan::BFront;
  Vec* const w = b.front.data();
  int* const gidx = b.gidx.data();
  const int cols = b.cols;
  if (b.accumulate) {
    std::fill(b.gacc.begin(), b.gacc.end(), Vec{});
    for (const auto& st : b.gstamps)
      b.gacc[st.dst] += st.cell >= 0 ? b.gv[st.cell] : Vec{} + st.g_uS;
  }
  Vec* const pk = b.lk.data();             // kGroup packed pivot columns
  Vec* const sk = pk + kGroup * b.max_fn;  // the same scaled by 1/d
  int* const pos = b.pos.data();
  IVec bad{};
  const Vec inf = Vec{} + std::numeric_limits<float>::infinity();
  for (const BF& f : b.fronts) {
    const int fn = f.fn;
    if (f.full_zero) {
      for (int c = 0; c < fn; ++c)
        for (int r = c + 1; r < fn; ++r) w[r + c * fn] = Vec{};
    } else {
      for (const auto& [first, len] : f.zero_runs)
        for (int t = 0; t < len; ++t) w[first + t] = Vec{};
    }
    for (int s = 0; s < 2; ++s) {
      if (f.child_off[s] < 0) continue;
      const Vec* u = b.stack.data() + f.child_off[s];
      const std::size_t n = f.child_dst[s].size();
      const int* dst = f.child_dst[s].data();
      if (s == 0 && !f.full_zero)
        for (std::size_t t = 0; t < n; ++t) w[dst[t]] = u[t];
      else
        for (std::size_t t = 0; t < n; ++t) w[dst[t]] += u[t];
    }
    for (const auto& st : f.stamps) w[st.dst] += st.cell >= 0 ? b.gv[st.cell] : Vec{} + st.g_uS;
    const int* sched = b.schedule.data() + f.sched;
    for (int k0 = 0, g = 0; k0 < f.ne; k0 += g) {
      g = *sched++;  // pivots in this group (schedule)
      const int kend = k0 + g;
      const int* prow[kGroup];
      int pn[kGroup];
      Vec inv[kGroup];
      // Pivots of the group one after the other, each updating the group's later
      // columns (all their rows): w(j,c) += w(j,k) w(c,k) / d_k (GTH form).
      for (int t = 0; t < g; ++t) {
        const int k = k0 + t;
        const int n = *sched++;
        const int* rows = sched;
        sched += n;
        prow[t] = rows, pn[t] = n;
        const Vec* colk = w + k * fn;
        Vec d{};
        for (int x = 0; x < n; ++x) d += colk[rows[x]];
        bad |= ~(d > Vec{}) | ~(d < inf);
        inv[t] = (Vec{} + 1.0f) / d;
        for (int x = 0; x < n && rows[x] < kend; ++x) {
          const Vec s = colk[rows[x]] * inv[t];
          Vec* colc = w + rows[x] * fn;
          for (int y = x + 1; y < n; ++y) colc[rows[y]] += colk[rows[y]] * s;
        }
      }
      // Trailing update of the union R of the group's rows below it, kGroup pivots
      // per pass over w (one load and store of w(j,c) per kGroup products).
      const int nr = *sched++;
      const int* rr = sched;
      sched += nr;
      if (nr == 0) continue;
      for (int x = 0; x < nr; ++x) pos[rr[x]] = x;
      for (int t = 0; t < g; ++t) {
        Vec* pt = pk + t * b.max_fn;
        Vec* st = sk + t * b.max_fn;
        for (int x = 0; x < nr; ++x) pt[x] = Vec{}, st[x] = Vec{};
        const Vec* colk = w + (k0 + t) * fn;
        for (int x = 0; x < pn[t]; ++x) {
          const int j = prow[t][x];
          if (j < kend) continue;
          pt[pos[j]] = colk[j];
          st[pos[j]] = colk[j] * inv[t];
        }
      }
      // Internal columns [0, r_in) get every row below; input columns [r_in, r_out)
      // only the output rows; output columns nothing: input-input and output-output
      // entries are never read (terminals are never eliminated and G_eff is the
      // input-output block).
      int r_in = 0;
      while (r_in < nr && rr[r_in] < f.in0) ++r_in;
      int r_out = r_in;
      while (r_out < nr && rr[r_out] < f.out0) ++r_out;
      const Trailing tr{w, fn, rr, nr, pk, sk, b.max_fn};
      // Input-output products go to G_eff directly when accumulating (columns are
      // inputs i, rows outputs j: gacc[i * cols + j]).
      if (b.accumulate)
        for (int y = r_in; y < nr; ++y) gidx[y] = f.term_global[rr[y] - f.in0];
      const Trailing tg{b.accumulate ? b.gacc.data() : w,
                        b.accumulate ? cols : fn,
                        b.accumulate ? gidx : rr,
                        nr,
                        pk,
                        sk,
                        b.max_fn};
      switch (g) {
#define XBARMC_TRAILING_CASE(G) \
  case G:                       \
    tr.internal<G>(r_in);       \
    tg.inputs<G>(r_in, r_out);  \
    break;
        XBARMC_TRAILING_CASE(1)
        XBARMC_TRAILING_CASE(2)
        XBARMC_TRAILING_CASE(3)
        XBARMC_TRAILING_CASE(4)
        XBARMC_TRAILING_CASE(5)
        XBARMC_TRAILING_CASE(6)
        XBARMC_TRAILING_CASE(7)
#undef XBARMC_TRAILING_CASE
        default:
          tr.internal<kGroup>(r_in);
          tg.inputs<kGroup>(r_in, r_out);
          break;
      }
    }
    if (b.whole_tree && &f == &b.fronts.back()) break;  // G_eff is read off the front
    if (f.to_roots) {
      Vec* out = b.roots.data() + f.out_off;
      for (int q = 0; q < f.un; ++q)
        for (int p = q + 1; p < f.un; ++p) out[q * f.un + p] = w[(f.ne + p) + (f.ne + q) * fn];
    } else {
      Vec* out = b.stack.data() + f.out_off;
      const std::size_t n = f.out_src.size();
      const int* src = f.out_src.data();
      for (std::size_t t = 0; t < n; ++t) out[t] = w[src[t]];
    }
  }
  int any = 0;
  for (int l = 0; l < L; ++l) any |= bad[l];
  return any == 0;
}

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))) bool batch_avx512(
    Multifrontal::BatchPlan& b) {
  return batch_numeric(b);
}

bool batch_portable(Multifrontal::BatchPlan& b) { return batch_numeric(b); }

}  // namespace

void Multifrontal::effective_batch(std::span<const Eigen::MatrixXf* const> g_uS,
                                   std::span<Eigen::MatrixXf* const> geff_uS) {
  const int count = static_cast<int>(g_uS.size());
  if (count < 1 || count > kBatchLanes || geff_uS.size() != g_uS.size())
    throw InputError("effective_batch: 1 to " + std::to_string(kBatchLanes) +
                     " tiles and as many outputs, got " + std::to_string(count) + " and " +
                     std::to_string(geff_uS.size()));
  for (int t = 0; t < count; ++t) {
    check_conductances(*g_uS[t], rows_, cols_, "circuit exact solver (batch)");
    geff_uS[t]->resize(rows_, cols_);
  }
  if (!batch_) build_batch_plan();
  BatchPlan& b = *batch_;
  // Lanes past `count` repeat tile 0 (valid conductances, results unused).
  for (int j = 0; j < cols_; ++j)
    for (int i = 0; i < rows_; ++i) {
      Vec& v = b.gv[static_cast<std::size_t>(i) * cols_ + j];
      for (int t = 0; t < L; ++t) v[t] = (*g_uS[t < count ? t : 0])(i, j);
    }
  static const bool avx512 =
      __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512vl") != 0 &&
      __builtin_cpu_supports("avx512bw") != 0 && __builtin_cpu_supports("avx512dq") != 0;
  if (!(avx512 ? batch_avx512(b) : batch_portable(b)))
    throw InputError("circuit: network node without a conducting path to a terminal");
  if (b.accumulate) {
    for (int t = 0; t < count; ++t)
      for (int j = 0; j < cols_; ++j)
        for (int i = 0; i < rows_; ++i)
          (*geff_uS[t])(i, j) = b.gacc[static_cast<std::size_t>(i) * cols_ + j][t];
    return;
  }
  if (b.whole_tree) {
    const int fn = b.fronts.back().fn;
    for (int t = 0; t < count; ++t)
      for (int j = 0; j < cols_; ++j)
        for (int i = 0; i < rows_; ++i) {
          const int a = root_input_pos_[i];
          const int c = root_output_pos_[j];
          (*geff_uS[t])(i, j) = b.front[std::max(a, c) + std::min(a, c) * fn][t];
        }
    return;
  }
  for (int t = 0; t < count; ++t) finish_lane(*g_uS[t], *geff_uS[t], t);
}

}  // namespace xbarmc::circuit
