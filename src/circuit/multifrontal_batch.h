#pragma once
// Internal to src/circuit: the schedule and workspace of the batched multifrontal
// reduction (Multifrontal::effective_batch), shared by its symbolic part
// (multifrontal_batch_plan.cpp) and its numeric part (multifrontal_batch.cpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

#include "xbarmc/circuit/multifrontal.h"

namespace xbarmc::circuit {

namespace batch {
constexpr int L = Multifrontal::kBatchLanes;
constexpr int kGroup = 8;
// A pivot joins a group unless that makes the group's trailing update cost more
// products than updating separately (multifrontal_batch_plan.cpp).
constexpr double kGroupWaste = 1.0;                               // pivots per trailing update
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
}  // namespace batch

struct Multifrontal::BatchPlan {
  using Vec = batch::Vec;
  using VecVector = batch::VecVector;
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

}  // namespace xbarmc::circuit

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
