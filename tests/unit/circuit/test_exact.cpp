// Exact solver (multifrontal Kron reduction) against analytic cases and a dense
// direct solve of the nodal equations.
#include <gtest/gtest.h>

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

Eigen::MatrixXd exact(const Eigen::MatrixXd& g, const CircuitParams& p) {
  TileSolver s(static_cast<int>(g.rows()), static_cast<int>(g.cols()), p);
  Eigen::MatrixXd out(g.rows(), g.cols());
  s.effective(g, out);
  return out;
}

TEST(Exact, ZeroResistanceReproducesGExactly) {
  const Eigen::MatrixXd g = random_tile(9, 7, 1);
  EXPECT_TRUE(params(0, 0, 0, 0).ideal());
  EXPECT_EQ(exact(g, params(0, 0, 0, 0)), g);
  TileSolver s(9, 7, CircuitParams{});
  const Eigen::MatrixXf gf = g.cast<float>();
  Eigen::MatrixXf outf(9, 7);
  s.effective(gf, outf);
  EXPECT_EQ(outf, gf);
}

TEST(Exact, SingleCellIsSeriesCircuit) {
  Eigen::MatrixXd g(1, 1);
  g << 50.0;  // uS
  const CircuitParams p = params(3, 4, 1000, 2000);
  const double expect_uS = 1e6 / (1000 + 1e6 / 50.0 + 2000);  // wires carry no segment
  EXPECT_NEAR(exact(g, p)(0, 0), expect_uS, 1e-13 * expect_uS);
}

TEST(Exact, TwoCellRowMatchesHandSolution) {
  // One row, two cells, ideal driver and columns: cell 0 sees V, cell 1 sits
  // behind one row segment r, so it draws V / (r + 1/g1).
  Eigen::MatrixXd g(1, 2);
  g << 30.0, 80.0;
  const double r = 5000.0;
  const Eigen::MatrixXd geff = exact(g, params(r, 0, 0, 0));
  EXPECT_NEAR(geff(0, 0), 30.0, 1e-12 * 30.0);
  const double g1 = 1e6 / (r + 1e6 / 80.0);
  EXPECT_NEAR(geff(0, 1), g1, 1e-12 * g1);
}

struct Case {
  int rows, cols;
  double row, col, drv, sense;
};

TEST(Exact, MatchesDenseSolveForShapesAndResistancePatterns) {
  const std::vector<Case> cases = {
      {8, 8, 2.0, 2.0, 0, 0},    {8, 8, 1.0, 3.0, 50, 20},  {5, 11, 0.5, 10.0, 10, 0},
      {13, 6, 10.0, 0.5, 0, 30}, {8, 8, 0, 2.0, 0, 0},      {8, 8, 2.0, 0, 0, 0},
      {7, 9, 0, 2.0, 100, 0},    {9, 7, 2.0, 0, 0, 100},    {8, 8, 0, 0, 100, 100},
      {1, 12, 4.0, 4.0, 10, 10}, {12, 1, 4.0, 4.0, 10, 10}, {1, 1, 1.0, 1.0, 0, 0},
      {17, 23, 1.0, 1.5, 5, 5},  {24, 24, 3.0, 3.0, 0, 0},  {8, 8, 0, 0, 0, 100},
  };
  std::uint64_t seed = 10;
  for (const Case& c : cases) {
    const Eigen::MatrixXd g = random_tile(c.rows, c.cols, ++seed);
    const CircuitParams p = params(c.row, c.col, c.drv, c.sense);
    const Eigen::MatrixXd ref = dense_effective_uS(g, p);
    const Eigen::MatrixXd got = exact(g, p);
    SCOPED_TRACE(::testing::Message() << c.rows << "x" << c.cols << " r_row=" << c.row << " r_col="
                                      << c.col << " r_drv=" << c.drv << " r_sense=" << c.sense);
    EXPECT_LE(rel_error(got, ref), 1e-9);
    EXPECT_LE(max_rel_error(got, ref), 1e-9);
  }
}

TEST(Exact, StrongIrDropStaysAccurate) {
  // r * g * N^2 from 1 to 5 (g = 100 uS, N = 20): G_eff differs from G by
  // order one, and must still agree with the dense solve to 1e-9.
  const int n = 20;
  for (double strength : {1.0, 2.5, 5.0}) {
    const double r = strength / (100e-6 * n * n);
    const Eigen::MatrixXd g = random_tile(n, n, 99, 50.0, 100.0);
    const CircuitParams p = params(r, r, 0, 0);
    const Eigen::MatrixXd ref = dense_effective_uS(g, p);
    const Eigen::MatrixXd got = exact(g, p);
    EXPECT_GT(rel_error(g, ref), 0.3) << "IR drop is not strong at strength " << strength;
    EXPECT_LE(rel_error(got, ref), 1e-9) << "strength " << strength;
    EXPECT_LE(max_rel_error(got, ref), 1e-9) << "strength " << strength;
  }
}

TEST(Exact, BlockedEliminationMatchesDenseSolve) {
  // Small fronts switch to the blocked (panel + triangular solve + rank update)
  // elimination with several panels, so that path is checked on a small tile.
  const Eigen::MatrixXd g = random_tile(14, 18, 77);
  const CircuitParams p = params(2.0, 1.0, 20, 10);
  const TileTopology topo(14, 18, p);
  MultifrontalOptions opt;
  opt.blocked_min_order = 8;
  opt.panel = 5;
  Multifrontal mf(topo, opt);
  Eigen::MatrixXd got(14, 18);
  mf.effective(g, got);
  const Eigen::MatrixXd ref = dense_effective_uS(g, p);
  EXPECT_LE(rel_error(got, ref), 1e-9);
  EXPECT_LE(max_rel_error(got, ref), 1e-9);
}

TEST(Exact, FloatVariantAgreesWithDouble) {
  // Float in and out, eliminated in double (the float elimination: test_precision.cpp).
  const Eigen::MatrixXd g = random_tile(16, 12, 5);
  CircuitParams p = params(2, 2, 10, 10);
  p.precision = Precision::Double;
  TileSolver s(16, 12, p);
  Eigen::MatrixXd outd(16, 12);
  s.effective(g, outd);
  const Eigen::MatrixXf gf = g.cast<float>();
  Eigen::MatrixXf outf(16, 12);
  s.effective(gf, outf);
  // The inputs differ by float rounding (relative 6e-8); the map G -> G_eff is
  // well conditioned here, so 1e-6 is a safe bound.
  EXPECT_LE(max_rel_error(outf.cast<double>(), outd), 1e-6);
}

TEST(Exact, SolverIsReusableAcrossTiles) {
  const CircuitParams p = params(1, 2, 5, 5);
  TileSolver s(10, 10, p);
  Eigen::MatrixXd out(10, 10);
  for (std::uint64_t seed : {1, 2, 3}) {
    const Eigen::MatrixXd g = random_tile(10, 10, seed);
    s.effective(g, out);
    EXPECT_LE(rel_error(out, dense_effective_uS(g, p)), 1e-9);
  }
}

TEST(Exact, BitwiseReproducibleAcrossSolverObjects) {
  // Solvers in different threads have their buffers at different addresses; the
  // engine needs identical bits from each. 48x40 uses the blocked elimination.
  const Eigen::MatrixXd g = random_tile(48, 40, 8);
  const CircuitParams p = params(1, 1, 0, 0);
  Eigen::MatrixXd first(48, 40);
  TileSolver(48, 40, p).effective(g, first);
  for (int k = 0; k < 4; ++k) {
    std::vector<char> shift(static_cast<std::size_t>(8 * k + 1));  // perturb the heap
    TileSolver s(48, 40, p);
    Eigen::MatrixXd again(48, 40);
    s.effective(g, again);
    EXPECT_EQ(again, first);
  }
}

TEST(Exact, RejectsBadInput) {
  const CircuitParams p = params(1, 1, 0, 0);
  TileSolver s(4, 4, p);
  Eigen::MatrixXd out(4, 4);
  Eigen::MatrixXd g = random_tile(4, 4, 3);
  g(2, 1) = -1.0;
  EXPECT_THROW(s.effective(g, out), InputError);
  g(2, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(s.effective(g, out), InputError);
  EXPECT_THROW(s.effective(random_tile(4, 5, 3), out), InputError);
  Eigen::MatrixXd small(3, 4);
  EXPECT_THROW(s.effective(random_tile(4, 4, 3), small), InputError);
  EXPECT_THROW(TileSolver(0, 4, p), InputError);
  EXPECT_THROW(TileSolver(4, 4, params(-1, 0, 0, 0)), InputError);
}

}  // namespace
}  // namespace xbarmc::circuit
