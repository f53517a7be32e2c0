#pragma once
//! \file circuit/multifrontal.h
//! Exact effective conductance matrix of a tile by Kron reduction (Schur
//! complement) of its resistive network onto the input and output terminals.
//!
//! Method (docs/line-resistance.md): multifrontal Gaussian elimination (Duff &
//! Reid, ACM TOMS 9, 302, 1983; Liu, SIAM Review 34, 82, 1992) with a geometric
//! nested-dissection ordering of the tile's grid (George, SIAM J. Numer. Anal.
//! 10, 345, 1973): the tile is bisected recursively along its longer side, each
//! separator being one column (or row) of row-wire (column-wire) nodes. The
//! symbolic analysis (tree, fronts, index maps, workspace) is done once per tile
//! shape and resistance pattern. Each front is eliminated in the form of Kron
//! reduction of a graph Laplacian, keeping only the (positive) branch
//! conductances and taking each pivot as the sum of its node's remaining branch
//! conductances, as in the GTH algorithm (Grassmann, Taksar & Heyman, Oper. Res.
//! 33, 1107, 1985): no subtraction occurs anywhere, so every entry of G_eff is
//! obtained to high relative accuracy however strong the IR drop.

#include <cstddef>
#include <memory>
#include <span>
#include <vector>
#include "xbarmc/util/eigen.h"

#include "xbarmc/circuit/params.h"
#include "xbarmc/circuit/topology.h"

namespace xbarmc::circuit {

//! Tuning of the multifrontal reduction (results do not depend on it beyond rounding).
struct MultifrontalOptions {
  int leaf_dim = 4;            //!< leaves of the dissection tree have <= leaf_dim^2 cells
  int blocked_min_order = 64;  //!< fronts of this order or more use the blocked elimination
  int panel = 32;              //!< columns per panel of the blocked elimination
  //! effective_batch(): fronts below this order whose subtrees are all below it too are
  //! eliminated for all tiles of the batch at once, one tile per SIMD lane.
  int batch_max_order = 400;
};

//! Symbolic structure and workspace of the multifrontal reduction of one tile.
class Multifrontal {
 public:
  //! Symbolic analysis of `topo`'s network.
  explicit Multifrontal(const TileTopology& topo, MultifrontalOptions options = {});
  ~Multifrontal();
  Multifrontal(Multifrontal&&) noexcept;             //!< movable
  Multifrontal& operator=(Multifrontal&&) noexcept;  //!< movable

  //! Tiles that effective_batch() eliminates together: one per lane of a 64-byte
  //! vector of floats (AVX-512).
  static constexpr int kBatchLanes = 16;
  //! Float G_eff of up to kBatchLanes tiles of this shape at once
  //! (src/circuit/multifrontal_batch.cpp): the small fronts of the dissection tree
  //! are eliminated for all tiles together, tile t in SIMD lane t, with a sparsity
  //! schedule fixed by the topology; the large fronts then per tile as effective().
  //! g_uS[t] and geff_uS[t] are rows x cols (uS); geff_uS[t] is resized if needed.
  //! Float elimination whatever the precision of the caller's params; results agree
  //! with effective(.., Precision::Float) to rounding (same error bound,
  //! rounding_chain()), not bitwise. Runtime dispatch: an AVX-512 kernel where the CPU
  //! has it (CPUID), otherwise the same code for the build's baseline target.
  void effective_batch(std::span<const Eigen::MatrixXf* const> g_uS,
                       std::span<Eigen::MatrixXf* const> geff_uS);
  //! Schedule and workspace of effective_batch() (opaque; multifrontal_batch.cpp).
  struct BatchPlan;

  //! Effective matrix geff_uS [rows x cols] (I_out[j] = sum_i geff(i,j) V_in[i])
  //! for device conductances g_uS [rows x cols], uS, eliminated in double.
  void effective(const Eigen::Ref<const Eigen::MatrixXd>& g_uS,
                 Eigen::Ref<Eigen::MatrixXd> geff_uS);
  //! Float input/output variant; the elimination runs in `arithmetic` precision.
  void effective(const Eigen::Ref<const Eigen::MatrixXf>& g_uS, Eigen::Ref<Eigen::MatrixXf> geff_uS,
                 Precision arithmetic);
  //! Allocates the workspace of one precision now. effective() does it on its first
  //! call in that precision and allocates nothing after that.
  void reserve(Precision arithmetic);

  [[nodiscard]] int num_fronts() const { return static_cast<int>(fronts_.size()); }  //!< tree size
  [[nodiscard]] int max_front() const { return max_front_; }  //!< largest front order
  //! Floating-point operations of one numeric reduction (multiply-adds count 2).
  [[nodiscard]] double flops() const { return flops_; }
  //! Rounded operations on the longest dependency chain from the conductances to an
  //! entry of G_eff (a sum of m terms counts m - 1, in any order). Every operation
  //! combines positive numbers, so each adds at most u (2^-24 in float) to the
  //! relative error of what it forms: u * rounding_chain() bounds the relative error
  //! of every entry to first order in u, with the errors of a product's two factors
  //! counted once (docs/line-resistance.md, "Precision").
  [[nodiscard]] double rounding_chain() const { return rounding_chain_; }

 private:
  struct Stamp {        // one element of a leaf, in front-local indices
    int a = 0;          // local index of one end
    int b = 0;          // local index of the other end
    int i = -1;         // device cell row, -1 for a fixed element
    int j = -1;         // device cell column
    double g_uS = 0.0;  // conductance of a fixed element
  };
  struct Run {  // child update rows p0..p0+len-1 go to front rows a0..a0+len-1
    int p0 = 0;
    int a0 = 0;
    int len = 0;
  };
  struct Front {
    int r0 = 0, r1 = 0, c0 = 0, c1 = 0;  // cells [r0,r1) x [c0,c1)
    int child[2] = {-1, -1};
    int parent = -1;
    int depth = 0;
    std::vector<int> nodes;  // global node ids: eliminated first, then update nodes
    int n_elim = 0;
    std::vector<int> child_map[2];   // front-local index of each child update node
    std::vector<Run> child_runs[2];  // child_map split into runs of consecutive indices
    std::vector<Stamp> stamps;       // leaves only
    std::size_t update_offset = 0;   // of this front's update matrix in update_stack_
  };

  // Numeric workspace of one scalar type. Buffers are aligned to Eigen's largest
  // vector alignment, so that the vectorised kernels take the same path (and round
  // the same way) in every solver object: results are bitwise reproducible across
  // threads and runs.
  template <class Scalar>
  struct Workspace {
    std::vector<Scalar, Eigen::aligned_allocator<Scalar>> work;  // front, padded max_front_^2
    std::vector<Scalar, Eigen::aligned_allocator<Scalar>> update_stack;  // updates for parents
    std::vector<Scalar, Eigen::aligned_allocator<Scalar>> panel_sums;    // 2 * panel sums
  };

  void build_batch_plan();
  // Copies lane `lane`'s update matrix of batched front `id` onto `stack` at the
  // front's update_offset if the front is the root of a batched subtree; returns
  // true if front `id` is batched (so the per-tile reduction skips it).
  bool inject_lane(int id, int lane, float* stack) const;
  // Per-tile part of effective_batch(): reduce() of the fronts not batched, then G_eff.
  void finish_lane(const Eigen::MatrixXf& g_uS, Eigen::MatrixXf& geff_uS, int lane);

  int build_tree(int r0, int r1, int c0, int c1, int depth);
  void analyse(const TileTopology& topo);
  template <class Scalar>
  Workspace<Scalar>& workspace();
  template <class Scalar, class GMatrix>
  void reduce(const GMatrix& g_uS, Workspace<Scalar>& ws, int batch_lane = -1);
  template <class Scalar, class In, class Out>
  void solve(const In& g_uS, Out& geff_uS);

  int rows_;
  int cols_;
  MultifrontalOptions opt_;
  std::vector<Front> fronts_;         // postorder: children before parents, root last
  std::vector<int> root_input_pos_;   // root-front index of input terminal i
  std::vector<int> root_output_pos_;  // root-front index of output terminal j
  Workspace<float> float_ws_;         // allocated on first use (reserve or effective)
  Workspace<double> double_ws_;       // likewise
  std::size_t stack_size_ = 1;        // elements of the update stack
  int max_front_ = 0;
  double flops_ = 0.0;
  double rounding_chain_ = 0.0;
  struct BatchPlanDeleter {
    void operator()(BatchPlan* plan) const;
  };
  std::unique_ptr<BatchPlan, BatchPlanDeleter> batch_;  // built on the first effective_batch()
};

}  // namespace xbarmc::circuit
