// Batched multifrontal Kron reduction (Multifrontal::effective_batch, see
// include/xbarmc/circuit/multifrontal.h and docs/line-resistance.md): every tile of
// one shape and resistance set has the same network, so the small fronts of the
// dissection tree (most of the fronts, little of the arithmetic but most of the
// overhead of the per-tile code) are eliminated for up to 16 tiles at once, tile t
// in lane t of a 64-byte float vector, in a structure-of-arrays front where every
// entry is one vector. The sparsity of each pivot column is fixed by the topology,
// so a schedule computed once (symbolic elimination on the pattern) lists the rows
// each pivot touches: no zero tests, no padding, no remainder loops. The large
// fronts then run per tile through the ordinary reduce(), fed with each lane's
// update matrices. Same GTH (subtraction-free) arithmetic as the per-tile code, with
// the pivot applied as one reciprocal instead of two square-root scalings.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
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

#include "xbarmc/circuit/multifrontal.h"
#include "xbarmc/error.h"

namespace xbarmc::circuit {

namespace {
constexpr int L = Multifrontal::kBatchLanes;
constexpr int kGroup = 8;                                         // pivots per trailing update
using Vec = float __attribute__((vector_size(64), aligned(64)));  // one float per tile
using IVec =
    std::int32_t __attribute__((vector_size(64), aligned(64)));  // lane masks of comparisons
// 64-byte aligned storage whatever the build's baseline (there a 64-byte vector
// type may only be 16-byte aligned, while the AVX-512 kernel uses aligned moves).
template <class T>
struct Aligned64 {
  using value_type = T;
  Aligned64() = default;
  template <class U>
  explicit Aligned64(const Aligned64<U>& /*other*/) {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64}));
  }
  void deallocate(T* p, std::size_t /*n*/) { ::operator delete (p, std::align_val_t{64}); }
  template <class U>
  bool operator==(const Aligned64<U>& /*other*/) const {
    return true;
  }
};
using VecVector = std::vector<Vec, Aligned64<Vec>>;
}  // namespace

struct Multifrontal::BatchPlan {
  struct BStamp {
    int dst = 0;   // lower-triangle index r + c * fn in the front
    int cell = 0;  // device cell i * cols + j, or -1 for a fixed element
    float g_uS = 0.0f;
  };
  struct BFront {
    int id = 0;  // index in fronts_
    int fn = 0;  // order
    int ne = 0;  // eliminated nodes
    int un = 0;  // update order
    // Update entries that the parent reads (front-local lower-triangle indices), in
    // the order they are stored in the batch stack (not for batched-subtree roots).
    std::vector<int> out_src;
    std::vector<int> child_dst[2];  // lower-triangle front index of each child update entry
    std::ptrdiff_t child_off[2] = {-1, -1};
    std::vector<BStamp> stamps;
    std::ptrdiff_t out_off = 0;  // update matrix in stack (or roots when to_roots)
    bool to_roots = false;       // root of a batched subtree: update kept for finish_lane
    bool full_zero = true;       // zero the whole front, else only zero_runs
    std::vector<std::pair<int, int>> zero_runs;  // (first index, length) to zero
    int in0 = 0;  // front-local: inputs are [in0, out0), outputs [out0, fn)
    int out0 = 0;
    std::vector<int> term_global;  // accumulate: input i / output j of local in0 + x
    std::size_t sched = 0;         // start in BatchPlan::schedule
  };
  std::vector<BFront> fronts;               // batched fronts, postorder
  std::vector<std::ptrdiff_t> root_offset;  // per fronts_ id: update in roots, -1 if none
  std::vector<char> batched;                // per fronts_ id
  // Per batched front, per pivot k: count n, then the n rows j > k with w(j,k) != 0
  // (front-local, increasing).
  std::vector<int> schedule;
  bool whole_tree = false;  // the root itself is batched: G_eff read off the batch front
  // Whole tree batched and terminals last in every front: input-output entries are
  // not carried in the fronts; each pivot's products go straight into gacc.
  bool accumulate = false;
  int cols = 0;    // of the tile
  struct GStamp {  // an element joining input i and output j directly
    int dst = 0;   // i * cols + j
    int cell = 0;  // device cell, or -1 for a fixed element
    float g_uS = 0.0f;
  };
  std::vector<GStamp> gstamps;
  VecVector gacc;         // G_eff being accumulated, [i * cols + j]
  std::vector<int> gidx;  // per position of a group's row union: global terminal index
  int max_fn = 0;
  VecVector front, stack, roots, gv, lk;
  std::vector<int> pos;
};

void Multifrontal::BatchPlanDeleter::operator()(BatchPlan* plan) const { delete plan; }
Multifrontal::~Multifrontal() = default;
Multifrontal::Multifrontal(Multifrontal&&) noexcept = default;
Multifrontal& Multifrontal::operator=(Multifrontal&&) noexcept = default;

void Multifrontal::build_batch_plan() {
  std::unique_ptr<BatchPlan, BatchPlanDeleter> b(new BatchPlan);
  const int nf = num_fronts();
  b->batched.assign(nf, 0);
  b->root_offset.assign(nf, -1);
  for (int id = 0; id < nf; ++id) {  // postorder: children are decided first
    const Front& f = fronts_[id];
    bool ok = static_cast<int>(f.nodes.size()) < opt_.batch_max_order;
    for (int c : f.child)
      if (c >= 0) ok = ok && b->batched[c];
    b->batched[id] = ok;
  }
  b->whole_tree = b->batched[nf - 1] != 0;
  b->cols = cols_;
  std::vector<int> bindex(nf, -1);
  std::vector<char> node_kind;  // 0 internal, 1 input, 2 output
  {
    int max_node = 0;
    for (const Front& f : fronts_)
      for (int v : f.nodes) max_node = std::max(max_node, v);
    node_kind.assign(static_cast<std::size_t>(max_node) + 1, 0);
    const Front& root = fronts_.back();
    for (int p : root_input_pos_) node_kind[root.nodes[p]] = 1;
    for (int p : root_output_pos_) node_kind[root.nodes[p]] = 2;
  }
  std::vector<std::vector<char>> upattern(nf);  // update pattern of each batched front
  // Terminals are never eliminated and come last in every front, inputs before
  // outputs (the root's order, inherited by every child); checked here. Where it
  // holds, input-input and output-output entries are skipped (never read); where it
  // holds in every front and the whole tree is batched, input-output entries are
  // accumulated into G_eff directly instead of being carried up the tree.
  std::vector<int> in0(nf, 0), out0(nf, 0);
  std::vector<char> suffix_ok(nf, 0);
  b->accumulate = b->whole_tree;
  for (int id = 0; id < nf; ++id) {
    if (!b->batched[id]) continue;
    const Front& f = fronts_[id];
    int x = static_cast<int>(f.nodes.size());
    while (x > 0 && node_kind[f.nodes[x - 1]] == 2) --x;
    out0[id] = x;
    while (x > 0 && node_kind[f.nodes[x - 1]] == 1) --x;
    in0[id] = x;
    bool ok = in0[id] >= f.n_elim;
    for (int y = 0; y < in0[id]; ++y) ok = ok && node_kind[f.nodes[y]] == 0;
    suffix_ok[id] = ok;
    b->accumulate = b->accumulate && ok;
  }
  std::vector<int> global_of(node_kind.size(), -1);  // input i or output j of a node
  {
    const Front& root = fronts_.back();
    for (int i = 0; i < rows_; ++i) global_of[root.nodes[root_input_pos_[i]]] = i;
    for (int j = 0; j < cols_; ++j) global_of[root.nodes[root_output_pos_[j]]] = j;
  }
  for (int id = 0; id < nf; ++id) {
    if (!b->batched[id]) continue;
    const Front& f = fronts_[id];
    BatchPlan::BFront bf;
    bf.id = id;
    bf.fn = static_cast<int>(f.nodes.size());
    bf.ne = f.n_elim;
    bf.un = bf.fn - bf.ne;
    const int fn = bf.fn;
    bf.in0 = suffix_ok[id] ? in0[id] : fn;
    bf.out0 = suffix_ok[id] ? out0[id] : fn;
    if (b->accumulate)
      for (int x = bf.in0; x < fn; ++x) bf.term_global.push_back(global_of[f.nodes[x]]);
    // Whether entry (r, c), r > c, is kept in the front: not input-input nor
    // output-output (never read), nor input-output when accumulated into G_eff.
    auto needed = [&](int r, int c) {
      return c < bf.in0 || (!b->accumulate && c < bf.out0 && r >= bf.out0);
    };
    std::vector<char> pat(static_cast<std::size_t>(fn) * fn, 0);  // pat[r + c * fn], r > c
    for (int s = 0; s < 2; ++s) {
      if (f.child[s] < 0) continue;
      BatchPlan::BFront& ch = b->fronts[bindex[f.child[s]]];
      const std::vector<int>& map = f.child_map[s];
      for (int q = 0; q < ch.un; ++q)
        for (int p = q + 1; p < ch.un; ++p)
          if (upattern[f.child[s]][static_cast<std::size_t>(q) * ch.un + p]) {
            const int dst = map[p] + map[q] * fn;
            ch.out_src.push_back((ch.ne + p) + (ch.ne + q) * ch.fn);
            bf.child_dst[s].push_back(dst);
            pat[dst] = 1;
          }
      upattern[f.child[s]].clear();
    }
    for (const Stamp& st : f.stamps) {
      const int lo = std::min(st.a, st.b), hi = std::max(st.a, st.b);
      if (b->accumulate && lo >= bf.in0) {  // input lo -- output hi, straight into G_eff
        b->gstamps.push_back({bf.term_global[lo - bf.in0] * cols_ + bf.term_global[hi - bf.in0],
                              st.i >= 0 ? st.i * cols_ + st.j : -1, static_cast<float>(st.g_uS)});
        continue;
      }
      const int dst = hi + lo * fn;
      bf.stamps.push_back({dst, st.i >= 0 ? st.i * cols_ + st.j : -1, static_cast<float>(st.g_uS)});
      pat[dst] = 1;
    }
    // Symbolic elimination: pivot k touches rows nz = {j > k : w(j,k) != 0} and
    // fills every (nz[b], nz[a]).
    // Pivots are taken in groups of kGroup; after a group's pivots comes the union
    // of their rows below the group (the rows and columns of its trailing update).
    bf.sched = b->schedule.size();
    for (int k0 = 0; k0 < bf.ne; k0 += kGroup) {
      const int kend = std::min(k0 + kGroup, bf.ne);
      std::vector<char> in_union(fn, 0);
      for (int k = k0; k < kend; ++k) {
        const std::size_t at = b->schedule.size();
        b->schedule.push_back(0);
        for (int j = k + 1; j < fn; ++j)
          if (pat[j + static_cast<std::size_t>(k) * fn]) {
            b->schedule.push_back(j);
            if (j >= kend) in_union[j] = 1;
          }
        const int n = static_cast<int>(b->schedule.size() - at - 1);
        b->schedule[at] = n;
        for (int x = 0; x < n; ++x)
          for (int y = x + 1; y < n; ++y)
            if (needed(b->schedule[at + 1 + y], b->schedule[at + 1 + x]))
              pat[b->schedule[at + 1 + y] +
                  static_cast<std::size_t>(b->schedule[at + 1 + x]) * fn] = 1;
      }
      const std::size_t at = b->schedule.size();
      b->schedule.push_back(0);
      for (int j = kend; j < fn; ++j)
        if (in_union[j]) b->schedule.push_back(j);
      b->schedule[at] = static_cast<int>(b->schedule.size() - at - 1);
    }
    upattern[id].assign(static_cast<std::size_t>(bf.un) * bf.un, 0);
    for (int q = 0; q < bf.un; ++q)
      for (int p = q + 1; p < bf.un; ++p)
        upattern[id][static_cast<std::size_t>(q) * bf.un + p] =
            pat[(bf.ne + p) + static_cast<std::size_t>(bf.ne + q) * fn];
    bf.to_roots = f.parent >= 0 && !b->batched[f.parent];
    // Only entries in the final pattern are ever read, so only they are zeroed, and
    // not those the first child's extend-add assigns. Entries outside the pattern
    // keep finite values of earlier fronts, to which the trailing updates add exact
    // zeros. Fronts whose whole update leaves the batch (and the root) are zeroed
    // entirely.
    bf.full_zero = bf.to_roots || f.parent < 0;
    if (!bf.full_zero) {
      std::vector<char> assigned(static_cast<std::size_t>(fn) * fn, 0);
      for (int dst : bf.child_dst[0]) assigned[dst] = 1;
      for (int c = 0; c < fn; ++c)
        for (int r = c + 1; r < fn; ++r) {
          const int idx = r + c * fn;
          if (!pat[idx] || assigned[idx]) continue;
          if (!bf.zero_runs.empty() &&
              bf.zero_runs.back().first + bf.zero_runs.back().second == idx)
            ++bf.zero_runs.back().second;
          else
            bf.zero_runs.emplace_back(idx, 1);
        }
    }
    b->max_fn = std::max(b->max_fn, fn);
    bindex[id] = static_cast<int>(b->fronts.size());
    b->fronts.push_back(std::move(bf));
  }
  // Stack discipline as in the per-tile reduction (a parent pops its children's
  // updates, pushed last); the batch stack holds only the entries the parent reads.
  // Roots of batched subtrees keep their whole updates in `roots` until the per-tile
  // part reads them.
  std::ptrdiff_t top = 0, top_max = 0, roots_top = 0;
  for (BatchPlan::BFront& bf : b->fronts) {
    const Front& f = fronts_[bf.id];
    for (int s = 0; s < 2; ++s)
      if (f.child[s] >= 0) bf.child_off[s] = b->fronts[bindex[f.child[s]]].out_off;
    if (f.child[0] >= 0) top = bf.child_off[0];
    if (bf.to_roots) {
      bf.out_off = roots_top;
      b->root_offset[bf.id] = roots_top;
      roots_top += static_cast<std::ptrdiff_t>(bf.un) * bf.un;
    } else {
      bf.out_off = top;
      top += static_cast<std::ptrdiff_t>(bf.out_src.size());
      top_max = std::max(top_max, top);
    }
  }
  b->front.assign(static_cast<std::size_t>(b->max_fn) * b->max_fn, Vec{});
  b->stack.assign(static_cast<std::size_t>(std::max<std::ptrdiff_t>(top_max, 1)), Vec{});
  b->roots.assign(static_cast<std::size_t>(std::max<std::ptrdiff_t>(roots_top, 1)), Vec{});
  b->gv.assign(static_cast<std::size_t>(rows_) * cols_, Vec{});
  b->lk.assign(2 * kGroup * static_cast<std::size_t>(std::max(b->max_fn, 1)), Vec{});
  b->gidx.assign(static_cast<std::size_t>(std::max(b->max_fn, 1)), 0);
  if (b->accumulate) b->gacc.assign(static_cast<std::size_t>(rows_) * cols_, Vec{});
  b->pos.assign(static_cast<std::size_t>(std::max(b->max_fn, 1)), 0);
  batch_ = std::move(b);
}

bool Multifrontal::inject_lane(int id, int lane, float* stack) const {
  if (!batch_->batched[id]) return false;
  const std::ptrdiff_t off = batch_->root_offset[id];
  if (off >= 0) {
    const Front& f = fronts_[id];
    const int un = static_cast<int>(f.nodes.size()) - f.n_elim;
    const Vec* src = batch_->roots.data() + off;
    float* dst = stack + f.update_offset;
    for (int q = 0; q < un; ++q)
      for (int p = q + 1; p < un; ++p) dst[q * un + p] = src[q * un + p][lane];
  }
  return true;
}

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
    for (int k0 = 0; k0 < f.ne; k0 += kGroup) {
      const int g = std::min(kGroup, f.ne - k0);
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
