// Batched exact solve (Multifrontal::effective_batch, TileSolver::effective_batch):
// up to 16 tiles eliminated together, one per SIMD lane, in float. Checked against
// the dense double solve (itself checked against ngspice in test_ngspice.cpp) within
// the float rounding bound of the elimination, as the per-tile float solve is.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tile_helpers.h"
#include "xbarmc/circuit/multifrontal.h"
#include "xbarmc/circuit/reference.h"
#include "xbarmc/circuit/tile_solver.h"
#include "xbarmc/util/error.h"

namespace xbarmc::circuit {
namespace {

using test::max_rel_error;
using test::params;
using test::random_tile;
using test::rel_error;

struct Batch {
  std::vector<Eigen::MatrixXf> g, out;
  std::vector<const Eigen::MatrixXf*> gp;
  std::vector<Eigen::MatrixXf*> op;
  Batch(int rows, int cols, int count, std::uint64_t seed, double lo = 1.0, double hi = 100.0) {
    for (int t = 0; t < count; ++t)
      g.push_back(random_tile(rows, cols, seed + t, lo, hi).cast<float>());
    out.resize(count);
    for (int t = 0; t < count; ++t) gp.push_back(&g[t]), op.push_back(&out[t]);
  }
};

// Largest element-wise relative error of every tile of the batch against the double
// elimination of the same (float) conductances (equal to the dense solve to 1e-9:
// Exact.MatchesDenseSolve...), and of the first and last tile against the dense solve
// itself on small tiles, within the bound u * rounding_chain().
void expect_within_bound(int rows, int cols, const CircuitParams& p, int count, std::uint64_t seed,
                         MultifrontalOptions opt = {}, double lo = 1.0, double hi = 100.0) {
  SCOPED_TRACE(::testing::Message() << rows << "x" << cols << " r_row=" << p.r_wire_row_ohm
                                    << " r_col=" << p.r_wire_col_ohm << " r_drv=" << p.r_driver_ohm
                                    << " r_sense=" << p.r_sense_ohm << " count=" << count
                                    << " batch_max_order=" << opt.batch_max_order);
  Multifrontal mf(TileTopology(rows, cols, p), opt);
  Batch b(rows, cols, count, seed, lo, hi);
  mf.effective_batch(b.gp, b.op);
  const double bound = mf.rounding_chain() * std::ldexp(1.0, -24);
  Multifrontal reference(TileTopology(rows, cols, p));
  for (int t = 0; t < count; ++t) {
    Eigen::MatrixXd ref(rows, cols);
    reference.effective(b.g[t].cast<double>(), ref);
    ASSERT_EQ(b.out[t].rows(), rows);
    ASSERT_EQ(b.out[t].cols(), cols);
    EXPECT_LE(max_rel_error(b.out[t].cast<double>(), ref), bound) << "tile " << t;
    EXPECT_LE(rel_error(b.out[t].cast<double>(), ref), 1e-5) << "tile " << t;
    if ((t == 0 || t == count - 1) && rows * cols <= 1024) {
      const Eigen::MatrixXd dense = dense_effective_uS(b.g[t].cast<double>(), p);
      EXPECT_LE(max_rel_error(b.out[t].cast<double>(), dense), bound) << "tile " << t;
    }
  }
}

struct Case {
  int rows, cols;
  double row, col, drv, sense;
};

TEST(Batch, MatchesDenseSolveForShapesAndResistancePatterns) {
  // The shapes and resistance patterns of Exact.MatchesDenseSolve..., plus tiles
  // whose root front is too large to batch (the per-tile part runs too).
  const std::vector<Case> cases = {
      {8, 8, 2.0, 2.0, 0, 0},    {8, 8, 1.0, 3.0, 50, 20},   {5, 11, 0.5, 10.0, 10, 0},
      {13, 6, 10.0, 0.5, 0, 30}, {8, 8, 0, 2.0, 0, 0},       {8, 8, 2.0, 0, 0, 0},
      {7, 9, 0, 2.0, 100, 0},    {9, 7, 2.0, 0, 0, 100},     {8, 8, 0, 0, 100, 100},
      {1, 12, 4.0, 4.0, 10, 10}, {12, 1, 4.0, 4.0, 10, 10},  {1, 1, 1.0, 1.0, 0, 0},
      {17, 23, 1.0, 1.5, 5, 5},  {24, 24, 3.0, 3.0, 0, 0},   {8, 8, 0, 0, 0, 100},
      {40, 33, 1.0, 2.0, 0, 0},  {48, 48, 1.0, 1.0, 20, 20},
  };
  std::uint64_t seed = 100;
  for (const Case& c : cases) {
    const CircuitParams p = params(c.row, c.col, c.drv, c.sense);
    expect_within_bound(c.rows, c.cols, p, Multifrontal::kBatchLanes, seed += 20);
  }
}

TEST(Batch, PartialBatchesAndEveryBatchThreshold) {
  const CircuitParams p = params(2.0, 1.0, 20, 10);
  // 1 and 5 tiles (unused lanes), and the batched part from nothing (threshold 1:
  // the per-tile code does all) to everything (threshold 10^4: the root too).
  for (int count : {1, 5})
    for (int threshold : {1, 16, 40, 64, 10000}) {
      MultifrontalOptions opt;
      opt.batch_max_order = threshold;
      expect_within_bound(20, 28, p, count, 7 + count, opt);
    }
}

TEST(Batch, StrongIrDropWithinRoundingBound) {
  // r g N^2 = 1.64 and 5 on 32x32 tiles, as Precision.FloatEliminationWithinRoundingBound.
  const int n = 32;
  for (double strength : {1.64, 5.0}) {
    const double r = strength / (100e-6 * n * n);
    const CircuitParams p = params(r, r, 0, 0);
    Batch probe(n, n, 1, 300, 50.0, 100.0);
    const Eigen::MatrixXd ref = dense_effective_uS(probe.g[0].cast<double>(), p);
    EXPECT_GT(rel_error(probe.g[0].cast<double>(), ref), 0.3) << "IR drop is not strong";
    expect_within_bound(n, n, p, Multifrontal::kBatchLanes, 300, {}, 50.0, 100.0);
  }
}

TEST(Batch, ZeroConductancesAndDifferentTilesPerLane) {
  // Devices at 0 uS (stuck off) in different cells of different lanes: the schedule
  // is structural, so their zero products must simply add nothing.
  const int rows = 24, cols = 20;
  for (const CircuitParams& p : {params(1.0, 1.0, 0, 0), params(2.0, 0, 30, 0)}) {
    Batch b(rows, cols, Multifrontal::kBatchLanes, 900);
    for (int t = 0; t < Multifrontal::kBatchLanes; ++t)
      for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
          if ((i * 7 + j * 3 + t) % 4 == 0) b.g[t](i, j) = 0.0f;
    Multifrontal mf(TileTopology(rows, cols, p));
    mf.effective_batch(b.gp, b.op);
    const double bound = mf.rounding_chain() * std::ldexp(1.0, -24);
    for (int t = 0; t < Multifrontal::kBatchLanes; ++t) {
      Eigen::MatrixXd ref(rows, cols);
      mf.effective(b.g[t].cast<double>(), ref);
      for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
          EXPECT_NEAR(b.out[t](i, j), ref(i, j), bound * std::abs(ref(i, j)) + 1e-30)
              << "tile " << t << " cell " << i << "," << j;
    }
  }
}

TEST(Batch, AgreesWithPerTileSolveAndIsReproducible) {
  const CircuitParams p = params(1.0, 1.0, 0, 0);
  const int n = 64;
  const int count = TileSolver::kBatchTiles;
  TileSolver a(n, n, p);
  Multifrontal b(TileTopology(n, n, p));
  Batch x(n, n, count, 41), y(n, n, count, 41);
  a.effective_batch(x.gp, x.op);
  a.effective_batch(x.gp, x.op);  // reused solver
  b.effective_batch(y.gp, y.op);
  const double bound = b.rounding_chain() * std::ldexp(1.0, -24);
  for (int t = 0; t < count; ++t) {
    EXPECT_TRUE(x.out[t] == y.out[t]) << "not bitwise reproducible, tile " << t;
    Eigen::MatrixXf single(n, n);
    a.effective(x.g[t], single);
    EXPECT_LE(max_rel_error(x.out[t].cast<double>(), single.cast<double>()), 2 * bound);
  }
}

TEST(Batch, OtherModesLoopOverTiles) {
  // Double precision and the first-order mode give exactly the per-tile results.
  for (CircuitParams p : {params(1.0, 2.0, 0, 0, Precision::Double), params(1.0, 2.0, 0, 0)}) {
    if (p.precision == Precision::Float) p.solver = Solver::FirstOrder;
    TileSolver s(12, 10, p);
    Batch x(12, 10, 4, 5);
    s.effective_batch(x.gp, x.op);
    for (int t = 0; t < 4; ++t) {
      Eigen::MatrixXf single(12, 10);
      s.effective(x.g[t], single);
      EXPECT_TRUE(x.out[t] == single) << "tile " << t;
    }
  }
}

TEST(Batch, RejectsBadInput) {
  const CircuitParams p = params(1.0, 1.0, 0, 0);
  TileSolver s(6, 6, p);
  Batch x(6, 6, 17, 1);
  EXPECT_THROW(s.effective_batch(x.gp, x.op), InputError);  // more than 16 tiles
  std::span<const Eigen::MatrixXf* const> g2(x.gp.data(), 2);
  std::span<Eigen::MatrixXf* const> o1(x.op.data(), 1);
  EXPECT_THROW(s.effective_batch(g2, o1), InputError);  // counts differ
  x.g[1](2, 3) = -1.0f;
  std::span<Eigen::MatrixXf* const> o2(x.op.data(), 2);
  EXPECT_THROW(s.effective_batch(g2, o2), InputError);  // negative conductance
  x.g[1](2, 3) = std::nanf("");
  EXPECT_THROW(s.effective_batch(g2, o2), InputError);  // not finite
  Batch wrong(5, 6, 1, 2);
  EXPECT_THROW(s.effective_batch(wrong.gp, wrong.op), InputError);  // wrong shape
}

}  // namespace
}  // namespace xbarmc::circuit
