// Symbolic part of the batched multifrontal reduction (Multifrontal::effective_batch,
// docs/line-resistance.md "Batched exact solve"): which fronts are batched, the
// per-pivot row schedule from a symbolic elimination on each front's pattern, the
// extend-add and update-copy index lists, the zeroing runs and the stack layout.
// Built once per solver, on the first batch call.
#include <algorithm>
#include <memory>

#include "multifrontal_batch.h"

namespace xbarmc::circuit {

using namespace batch;

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
    // Pivots are taken in groups of up to kGroup: per group its size g, per pivot
    // the count n and the rows, then the union of the group's rows below it (the
    // rows and columns of its trailing update). A pivot joins the group unless the
    // group's products, (g + 1) |union|^2, would exceed kGroupWaste times those of
    // separate updates, sum n^2 (the union's products are zero where a row is not
    // one of the pivot's): sparse pivots of small fronts go alone or in small
    // groups, dense ones of large fronts in groups of kGroup.
    bf.sched = b->schedule.size();
    std::vector<int> in_union(fn, 0);  // row j is in the current group's union
    int stamp = 0;
    for (int k = 0; k < bf.ne;) {
      const std::size_t gat = b->schedule.size();
      b->schedule.push_back(0);
      ++stamp;
      int g = 0;
      double separate = 0;  // sum of the group's n^2
      std::vector<int> rows;
      while (k < bf.ne && g < kGroup) {
        rows.clear();
        for (int j = k + 1; j < fn; ++j)
          if (pat[j + static_cast<std::size_t>(k) * fn]) rows.push_back(j);
        const double n = static_cast<double>(rows.size());
        double grown = 0;  // union beyond k with this pivot's rows
        for (int j = k + 1; j < fn; ++j)
          if (in_union[j] == stamp) grown += 1;
        for (int j : rows) grown += in_union[j] == stamp ? 0 : 1;
        if (g > 0 && (g + 1) * grown * grown > kGroupWaste * (separate + n * n)) break;
        separate += n * n;
        b->schedule.push_back(static_cast<int>(rows.size()));
        for (int j : rows) b->schedule.push_back(j), in_union[j] = stamp;
        for (std::size_t x = 0; x < rows.size(); ++x)
          for (std::size_t y = x + 1; y < rows.size(); ++y)
            if (needed(rows[y], rows[x])) pat[rows[y] + static_cast<std::size_t>(rows[x]) * fn] = 1;
        ++g, ++k;
      }
      b->schedule[gat] = g;
      const std::size_t at = b->schedule.size();
      b->schedule.push_back(0);
      for (int j = k; j < fn; ++j)
        if (in_union[j] == stamp) b->schedule.push_back(j);
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

}  // namespace xbarmc::circuit
