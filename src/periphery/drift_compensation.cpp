// Drift compensation as the engine runs it (docs/models.md, "Drift compensation"). Global drift
// compensation after Joshi et al., Nat. Commun. 11, 2473 (2020): right after programming (t0)
// a constant read drives every row of the tile at the read voltage and the column currents are
// stored; at read time t the same read is repeated and the outputs are scaled digitally by the
// ratio of the two (aihwkit's GlobalDriftCompensation likewise reads an all-ones vector). The
// read voltage cancels in the ratio, so the currents are taken as column sums of G_eff (uS).
#include <algorithm>
#include <string>

#include "xbarmc/periphery/periphery.h"
#include "xbarmc/util/error.h"

namespace xbarmc::periphery {

namespace {

void check_same(const Eigen::VectorXf& a, const Eigen::VectorXf& b) {
  if (a.size() != b.size())
    throw InputError("drift compensation: reference reads at t0 and t have different sizes (" +
                     std::to_string(a.size()) + " and " + std::to_string(b.size()) + ")");
}

}  // namespace

void reference_read(const Eigen::MatrixXf& geff_uS, Eigen::VectorXf& column_sums_uS) {
  column_sums_uS = geff_uS.colwise().sum().transpose();
}

float drift_factor_global(const Eigen::VectorXf& ref_t0, const Eigen::VectorXf& ref_t) {
  check_same(ref_t0, ref_t);
  return ref_t0.sum() / std::max(ref_t.sum(), COMPENSATION_FLOOR);
}

void drift_factors_per_column(const Eigen::VectorXf& ref_t0, const Eigen::VectorXf& ref_t,
                              mapping::Scheme scheme, const mapping::TileSpec& tile,
                              Eigen::VectorXf& factors) {
  check_same(ref_t0, ref_t);
  factors.resize(tile.weight_cols);
  for (int j = 0; j < tile.weight_cols; ++j) {
    const mapping::ColumnPair c = mapping::pair_columns(scheme, tile, j);
    factors[j] = (ref_t0[c.plus] + ref_t0[c.minus]) /
                 std::max(ref_t[c.plus] + ref_t[c.minus], COMPENSATION_FLOOR);
  }
}

}  // namespace xbarmc::periphery
