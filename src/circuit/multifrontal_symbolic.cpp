// Symbolic analysis of the multifrontal reduction: dissection tree, fronts,
// index maps and workspace sizes (see include/xbarmc/circuit/multifrontal.h).
#include <algorithm>
#include <string>

#include "xbarmc/circuit/multifrontal.h"
#include "xbarmc/util/error.h"

namespace xbarmc::circuit {

Multifrontal::Multifrontal(const TileTopology& topo, MultifrontalOptions options)
    : rows_(topo.rows()), cols_(topo.cols()), opt_(options) {
  if (opt_.leaf_dim < 1 || opt_.panel < 1 || opt_.blocked_min_order < 1)
    throw InputError("Multifrontal: leaf_dim, panel and blocked_min_order must be >= 1");
  analyse(topo);
}

// Recursive bisection of the cell rectangle along its longer side. The fronts
// vector is filled in postorder, so a parent always follows its children.
int Multifrontal::build_tree(int r0, int r1, int c0, int c1, int depth) {
  Front f;
  f.r0 = r0, f.r1 = r1, f.c0 = c0, f.c1 = c1, f.depth = depth;
  const int h = r1 - r0;
  const int w = c1 - c0;
  if (h > opt_.leaf_dim || w > opt_.leaf_dim) {
    if (w >= h) {
      const int cm = c0 + w / 2;
      f.child[0] = build_tree(r0, r1, c0, cm, depth + 1);
      f.child[1] = build_tree(r0, r1, cm, c1, depth + 1);
    } else {
      const int rm = r0 + h / 2;
      f.child[0] = build_tree(r0, rm, c0, c1, depth + 1);
      f.child[1] = build_tree(rm, r1, c0, c1, depth + 1);
    }
  }
  fronts_.push_back(std::move(f));
  const int id = static_cast<int>(fronts_.size()) - 1;
  for (int c : fronts_[id].child)
    if (c >= 0) fronts_[c].parent = id;
  return id;
}

void Multifrontal::analyse(const TileTopology& topo) {
  build_tree(0, rows_, 0, cols_, 0);
  const int nf = num_fronts();
  std::vector<int> leaf_of(static_cast<std::size_t>(rows_) * cols_, -1);
  for (int id = 0; id < nf; ++id) {
    const Front& f = fronts_[id];
    if (f.child[0] >= 0) continue;
    for (int i = f.r0; i < f.r1; ++i)
      for (int j = f.c0; j < f.c1; ++j) leaf_of[static_cast<std::size_t>(i) * cols_ + j] = id;
  }
  auto lca = [&](int x, int y) {
    while (fronts_[x].depth > fronts_[y].depth) x = fronts_[x].parent;
    while (fronts_[y].depth > fronts_[x].depth) y = fronts_[y].parent;
    while (x != y) x = fronts_[x].parent, y = fronts_[y].parent;
    return x;
  };
  // Every element belongs to the leaf of its cell (for a wire segment: the cell
  // farther from the driver or nearer the sense end), so a separator is a single
  // line of wire nodes. A node is eliminated in the lowest front whose subtree
  // holds all its elements; terminals are never eliminated.
  const int nn = topo.num_nodes();
  std::vector<int> elim_front(nn, -1);
  for (const Element& e : topo.elements()) {
    const int leaf = leaf_of[static_cast<std::size_t>(e.i) * cols_ + e.j];
    fronts_[leaf].stamps.push_back(
        {e.a, e.b, e.kind == ElementKind::Device ? e.i : -1,
         e.kind == ElementKind::Device ? e.j : -1,
         e.kind == ElementKind::Device ? 0.0 : topo.fixed_conductance_uS(e.kind)});
    for (int v : {e.a, e.b}) elim_front[v] = elim_front[v] < 0 ? leaf : lca(elim_front[v], leaf);
  }
  for (int v = 0; v < nn; ++v)
    if (topo.is_terminal(v)) elim_front[v] = -1;

  std::vector<int> pos(nn, -1);
  std::vector<int> mark(nn, -1);
  std::size_t stack_top = 0;
  std::size_t stack_max = 0;
  std::vector<double> chain(nf, 0.0);  // rounding chain up to each front's update matrix
  for (int id = 0; id < nf; ++id) {
    Front& f = fronts_[id];
    std::vector<int> cand;
    auto add = [&](int v) {
      if (mark[v] != id) mark[v] = id, cand.push_back(v);
    };
    for (int c : f.child)
      if (c >= 0)
        for (std::size_t k = fronts_[c].n_elim; k < fronts_[c].nodes.size(); ++k)
          add(fronts_[c].nodes[k]);
    for (const Stamp& s : f.stamps) add(s.a), add(s.b);
    std::sort(cand.begin(), cand.end());
    std::stable_partition(cand.begin(), cand.end(), [&](int v) { return elim_front[v] == id; });
    f.n_elim = static_cast<int>(
        std::count_if(cand.begin(), cand.end(), [&](int v) { return elim_front[v] == id; }));
    f.nodes = std::move(cand);
    // Update matrices live on a stack: a parent pops its two children's (pushed
    // last, in order) and pushes its own.
    if (f.child[0] >= 0) stack_top = fronts_[f.child[0]].update_offset;
    f.update_offset = stack_top;
    const std::size_t fn = f.nodes.size();
    const std::size_t un = fn - f.n_elim;
    stack_top += un * un;
    stack_max = std::max(stack_max, stack_top);
    max_front_ = std::max(max_front_, static_cast<int>(fn));
    // Cost model of the elimination (see eliminate()): each pivot k updates the
    // lower triangle of the fn-k-1 remaining rows/columns.
    for (int k = 0; k < f.n_elim; ++k) {
      const double r = static_cast<double>(fn) - k - 1;
      flops_ += r * r + 2 * r;
    }
    // Rounding chain (see rounding_chain()): the longest child chain, one extend-add
    // (or stamp) addition, then per pivot k the pivot sum of at most fn-k-1 terms
    // (fn-k-2 additions, one more counted), its square root, the reciprocal or
    // division, the scaling of the two factors (one counted), their product and the
    // addition to the entry: (fn - k - 1) + 5.
    for (int c : f.child)
      if (c >= 0) chain[id] = std::max(chain[id], chain[c]);
    chain[id] += 1.0;
    for (int k = 0; k < f.n_elim; ++k) chain[id] += static_cast<double>(fn) - k - 1 + 5;
  }
  rounding_chain_ = chain.back();
  // Order each front's update nodes as they appear in its parent's front (top
  // down), so every child map is increasing: the extend-add then maps the
  // child's lower triangle onto the parent's lower triangle without swaps.
  for (int id = nf - 1; id >= 0; --id) {
    const Front& f = fronts_[id];
    for (std::size_t k = 0; k < f.nodes.size(); ++k) pos[f.nodes[k]] = static_cast<int>(k);
    for (int c : f.child)
      if (c >= 0)
        std::sort(fronts_[c].nodes.begin() + fronts_[c].n_elim, fronts_[c].nodes.end(),
                  [&](int x, int y) { return pos[x] < pos[y]; });
  }
  for (int id = 0; id < nf; ++id) {
    Front& f = fronts_[id];
    for (std::size_t k = 0; k < f.nodes.size(); ++k) pos[f.nodes[k]] = static_cast<int>(k);
    for (int s = 0; s < 2; ++s) {
      if (f.child[s] < 0) continue;
      const Front& ch = fronts_[f.child[s]];
      for (std::size_t k = ch.n_elim; k < ch.nodes.size(); ++k)
        f.child_map[s].push_back(pos[ch.nodes[k]]);
      const std::vector<int>& map = f.child_map[s];
      for (int p = 0; p < static_cast<int>(map.size()); ++p) {
        std::vector<Run>& runs = f.child_runs[s];
        if (!runs.empty() && runs.back().a0 + runs.back().len == map[p])
          ++runs.back().len;
        else
          runs.push_back({p, map[p], 1});
      }
    }
    for (Stamp& st : f.stamps) st.a = pos[st.a], st.b = pos[st.b];
  }
  const Front& root = fronts_.back();
  for (std::size_t k = root.n_elim; k < root.nodes.size(); ++k)
    if (!topo.is_terminal(root.nodes[k]))
      throw InputError("Multifrontal: internal error, non-terminal node " +
                       std::to_string(root.nodes[k]) + " left at the root");
  for (std::size_t k = 0; k < root.nodes.size(); ++k) pos[root.nodes[k]] = static_cast<int>(k);
  auto root_pos = [&](int v) {
    if (mark[v] != nf - 1)
      throw InputError("Multifrontal: internal error, terminal " + std::to_string(v) +
                       " missing at the root");
    return pos[v];
  };
  for (int i = 0; i < rows_; ++i) root_input_pos_.push_back(root_pos(topo.input_node(i)));
  for (int j = 0; j < cols_; ++j) root_output_pos_.push_back(root_pos(topo.output_node(j)));
  stack_size_ = std::max<std::size_t>(stack_max, 1);
}

}  // namespace xbarmc::circuit
