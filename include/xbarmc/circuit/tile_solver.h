#pragma once
//! \file circuit/tile_solver.h
//! Effective conductance matrix of a crossbar tile with line resistance: the
//! entry point used by the engine. One TileSolver per (thread, tile shape).

#include <memory>
#include <span>
#include "xbarmc/util/eigen.h"

#include "xbarmc/circuit/params.h"

namespace xbarmc::circuit {

class Multifrontal;

//! Computes G_eff of rows x cols tiles for one set of resistances. Holds the
//! symbolic analysis and all scratch; effective() allocates nothing itself.
//! Checked with a malloc probe: none up to 128x128; from 256x256 on, Eigen's
//! matrix-product kernels allocate packing buffers (32 malloc calls per solve).
//! The double variant allocates its workspace on its first call when
//! params().precision is float.
//! Not thread-safe: one solver per thread.
class TileSolver {
 public:
  //! Symbolic analysis for the tile shape and the resistances in `p` (their
  //! values and which of them are zero). Throws InputError on bad sizes/values.
  TileSolver(int rows, int cols, const CircuitParams& p);
  ~TileSolver();
  TileSolver(TileSolver&&) noexcept;             //!< movable
  TileSolver& operator=(TileSolver&&) noexcept;  //!< movable
  TileSolver(const TileSolver&) = delete;
  TileSolver& operator=(const TileSolver&) = delete;

  //! g_uS: device conductances [rows x cols] (row i = input line i, column j =
  //! output line j), uS. geff_uS: effective matrix [rows x cols], uS, such that
  //! I_out[j] = sum_i geff(i,j) V_in[i]. g_uS and geff_uS must not overlap.
  //! Ideal params copy g; Solver::FirstOrder gives first_order_effective(); the exact
  //! solve runs in params().precision.
  void effective(const Eigen::Ref<const Eigen::MatrixXf>& g_uS,
                 Eigen::Ref<Eigen::MatrixXf> geff_uS);
  //! Double-precision variant (tests, SPICE export): always eliminates in double.
  void effective(const Eigen::Ref<const Eigen::MatrixXd>& g_uS,
                 Eigen::Ref<Eigen::MatrixXd> geff_uS);

  //! Up to kBatchTiles tiles of this shape at once (g_uS[t] -> geff_uS[t], as
  //! effective(); geff_uS[t] is resized). The exact solve in float precision with at
  //! least kMinBatchTiles tiles runs Multifrontal::effective_batch() (one tile per SIMD
  //! lane: a full batch is 2.6-5x faster per tile); every other case loops over
  //! effective().
  void effective_batch(std::span<const Eigen::MatrixXf* const> g_uS,
                       std::span<Eigen::MatrixXf* const> geff_uS);
  //! Most tiles one effective_batch() call takes (Multifrontal::kBatchLanes).
  static constexpr int kBatchTiles = 16;
  //! Fewest tiles for which effective_batch() solves them as one batch: a batch costs
  //! about as much as 3-6 per-tile solves whatever its size (32x32 to 128x128).
  static constexpr std::size_t kMinBatchTiles = 8;

  [[nodiscard]] int rows() const { return rows_; }                  //!< input lines
  [[nodiscard]] int cols() const { return cols_; }                  //!< output lines
  [[nodiscard]] const CircuitParams& params() const { return p_; }  //!< resistances

 private:
  int rows_;
  int cols_;
  CircuitParams p_;
  std::unique_ptr<Multifrontal> exact_;  // null when ideal or first-order
  Eigen::MatrixXd g_scratch_;            // float -> double for the first-order mode
  Eigen::MatrixXd geff_scratch_;
};

//! Column currents [cols], A, for row voltages v_in_V [rows], V: the exact
//! solution (double) whatever p.solver says. g_uS: [rows x cols], uS.
Eigen::VectorXd column_currents_A(const Eigen::MatrixXd& g_uS, const Eigen::VectorXd& v_in_V,
                                  const CircuitParams& p);

}  // namespace xbarmc::circuit
