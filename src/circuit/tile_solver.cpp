#include "xbarmc/circuit/tile_solver.h"

#include <string>

#include "xbarmc/circuit/first_order.h"
#include "xbarmc/circuit/multifrontal.h"
#include "xbarmc/circuit/topology.h"
#include "xbarmc/util/error.h"

namespace xbarmc::circuit {

TileSolver::TileSolver(int rows, int cols, const CircuitParams& p)
    : rows_(rows), cols_(cols), p_(p) {
  const TileTopology topo(rows, cols, p);  // validates sizes and resistances
  if (p.ideal()) return;
  if (p.solver == Solver::Exact) {
    exact_ = std::make_unique<Multifrontal>(topo);
    exact_->reserve(p.precision);  // the engine's (float) path allocates nothing later
  } else {
    g_scratch_.resize(rows, cols);
    geff_scratch_.resize(rows, cols);
  }
}

TileSolver::~TileSolver() = default;
TileSolver::TileSolver(TileSolver&&) noexcept = default;
TileSolver& TileSolver::operator=(TileSolver&&) noexcept = default;

void TileSolver::effective(const Eigen::Ref<const Eigen::MatrixXf>& g_uS,
                           Eigen::Ref<Eigen::MatrixXf> geff_uS) {
  if (exact_) return exact_->effective(g_uS, geff_uS, p_.precision);
  check_conductances(g_uS, rows_, cols_, "TileSolver::effective");
  if (geff_uS.rows() != rows_ || geff_uS.cols() != cols_)
    throw InputError("TileSolver::effective: output matrix has the wrong shape");
  if (p_.ideal()) {
    geff_uS = g_uS;
    return;
  }
  g_scratch_ = g_uS.cast<double>();
  first_order_effective(g_scratch_, p_, geff_scratch_);
  geff_uS = geff_scratch_.cast<float>();
}

void TileSolver::effective(const Eigen::Ref<const Eigen::MatrixXd>& g_uS,
                           Eigen::Ref<Eigen::MatrixXd> geff_uS) {
  if (exact_) return exact_->effective(g_uS, geff_uS);
  check_conductances(g_uS, rows_, cols_, "TileSolver::effective");
  if (geff_uS.rows() != rows_ || geff_uS.cols() != cols_)
    throw InputError("TileSolver::effective: output matrix has the wrong shape");
  if (p_.ideal()) {
    geff_uS = g_uS;
    return;
  }
  first_order_effective(g_uS, p_, geff_uS);
}

void TileSolver::effective_batch(std::span<const Eigen::MatrixXf* const> g_uS,
                                 std::span<Eigen::MatrixXf* const> geff_uS) {
  static_assert(kBatchTiles == Multifrontal::kBatchLanes);
  if (g_uS.size() > static_cast<std::size_t>(kBatchTiles) || geff_uS.size() != g_uS.size())
    throw InputError("TileSolver::effective_batch: at most " + std::to_string(kBatchTiles) +
                     " tiles and as many outputs");
  if (g_uS.empty()) return;
  // A batch costs the same whatever the number of tiles in it, about 3-6 per-tile
  // solves' worth (docs/benchmarks-circuit.md), so small batches go tile by tile.
  if (exact_ && p_.precision == Precision::Float && g_uS.size() >= kMinBatchTiles)
    return exact_->effective_batch(g_uS, geff_uS);
  for (std::size_t t = 0; t < g_uS.size(); ++t) {
    geff_uS[t]->resize(rows_, cols_);
    effective(*g_uS[t], *geff_uS[t]);
  }
}

Eigen::VectorXd column_currents_A(const Eigen::MatrixXd& g_uS, const Eigen::VectorXd& v_in_V,
                                  const CircuitParams& p) {
  if (v_in_V.size() != g_uS.rows())
    throw InputError("column_currents_A: " + std::to_string(v_in_V.size()) +
                     " input voltages for a tile of " + std::to_string(g_uS.rows()) + " rows");
  CircuitParams exact = p;
  exact.solver = Solver::Exact;
  TileSolver solver(static_cast<int>(g_uS.rows()), static_cast<int>(g_uS.cols()), exact);
  Eigen::MatrixXd geff(g_uS.rows(), g_uS.cols());
  solver.effective(g_uS, geff);
  return 1e-6 * (geff.transpose() * v_in_V);  // uS * V = uA -> A
}

}  // namespace xbarmc::circuit
