// Single-precision elimination of the exact solver against the double one, and the
// "/circuit/precision" switch.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tile_helpers.h"
#include "xbarmc/circuit/multifrontal.h"
#include "xbarmc/circuit/tile_solver.h"

namespace xbarmc::circuit {
namespace {

using test::max_rel_error;
using test::params;
using test::random_tile;
using test::rel_error;

struct FloatVsDouble {
  double max_rel = 0.0;   // largest element-wise relative difference
  double frob_rel = 0.0;  // Frobenius-norm relative difference
  double bound = 0.0;     // the rounding-error bound of the float elimination
  double ir_drop = 0.0;   // |G_eff - G| / |G|: how strong the IR drop is
  bool differs = false;   // the float result is not the double one rounded to float
};

// The same float conductances eliminated in float and in double; double is the
// reference (its own error, about 1e-14 relative, is negligible here).
FloatVsDouble compare(const Eigen::MatrixXd& g, const CircuitParams& p,
                      MultifrontalOptions opt = {}) {
  const int rows = static_cast<int>(g.rows()), cols = static_cast<int>(g.cols());
  Multifrontal mf(TileTopology(rows, cols, p), opt);
  const Eigen::MatrixXf gf = g.cast<float>();
  Eigen::MatrixXf out_f(rows, cols), out_d(rows, cols);
  mf.effective(gf, out_f, Precision::Float);
  Eigen::MatrixXd ref(rows, cols);
  mf.effective(gf.cast<double>(), ref);
  mf.effective(gf, out_d, Precision::Double);
  FloatVsDouble r;
  r.max_rel = max_rel_error(out_f.cast<double>(), ref);
  r.frob_rel = rel_error(out_f.cast<double>(), ref);
  r.bound = mf.rounding_chain() * std::ldexp(1.0, -24);
  r.ir_drop = rel_error(gf.cast<double>(), ref);
  r.differs = out_f != out_d;
  return r;
}

TEST(Precision, FloatEliminationWithinRoundingBound) {
  // Strong IR drop (r g N^2 = 1.64 as in the benchmark's 128x128 tiles at 1 ohm and
  // 100 uS, and 5), non-square tiles with driver and sense resistance, and the
  // blocked elimination (fronts of order >= 64 in 32x32 tiles).
  const int n = 32;
  for (double strength : {1.64, 5.0}) {
    const double r = strength / (100e-6 * n * n);
    const FloatVsDouble c =
        compare(random_tile(n, n, 11, 50.0, 100.0), params(r, r, 0, 0, Precision::Float));
    EXPECT_GT(c.ir_drop, 0.3) << "IR drop is not strong at strength " << strength;
    EXPECT_LE(c.max_rel, c.bound) << "strength " << strength;
    EXPECT_TRUE(c.differs) << "the float elimination was not used";
  }
  const FloatVsDouble c =
      compare(random_tile(24, 40, 12), params(2.0, 1.0, 20, 10, Precision::Float));
  EXPECT_LE(c.max_rel, c.bound);
  MultifrontalOptions blocked;  // several panels on a small tile
  blocked.blocked_min_order = 8;
  blocked.panel = 5;
  const FloatVsDouble b =
      compare(random_tile(14, 18, 77), params(2.0, 1.0, 20, 10, Precision::Float), blocked);
  EXPECT_LE(b.max_rel, b.bound);
}

TEST(Precision, TileSolverFollowsPrecision) {
  const Eigen::MatrixXf g = random_tile(20, 24, 3).cast<float>();
  Eigen::MatrixXf via_solver(20, 24), direct(20, 24);
  for (Precision prec : {Precision::Float, Precision::Double}) {
    const CircuitParams p = params(1, 1, 5, 5, prec);
    TileSolver(20, 24, p).effective(g, via_solver);
    Multifrontal(TileTopology(20, 24, p)).effective(g, direct, prec);
    EXPECT_EQ(via_solver, direct);
  }
}

TEST(Precision, FloatBitwiseReproducibleAcrossSolverObjects) {
  // As Exact.BitwiseReproducibleAcrossSolverObjects, for the float elimination.
  const Eigen::MatrixXf g = random_tile(48, 40, 8).cast<float>();
  const CircuitParams p = params(1, 1, 0, 0, Precision::Float);
  Eigen::MatrixXf first(48, 40);
  TileSolver(48, 40, p).effective(g, first);
  for (int k = 0; k < 4; ++k) {
    std::vector<char> shift(static_cast<std::size_t>(4 * k + 1));  // perturb the heap
    TileSolver s(48, 40, p);
    Eigen::MatrixXf again(48, 40);
    s.effective(g, again);
    EXPECT_EQ(again, first);
  }
}

}  // namespace
}  // namespace xbarmc::circuit
