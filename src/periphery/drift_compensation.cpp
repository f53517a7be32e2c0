// Drift compensation (Joshi et al., Nat. Commun. 11, 2473, 2020; aihwkit
// GlobalDriftCompensation): a fixed reference input batch is read right after
// programming (t0) and again at t; outputs at t are scaled by mean|y_t0| / mean|y_t|.
#include <cmath>
#include <string>

#include "xbarmc/util/error.h"
#include "xbarmc/periphery/periphery.h"

namespace xbarmc::periphery {

namespace {

void check_same(const Eigen::Ref<const Eigen::MatrixXf>& a,
                const Eigen::Ref<const Eigen::MatrixXf>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw InputError("drift compensation: reference reads at t0 and t have different shapes");
}

double mean_abs(const Eigen::Ref<const Eigen::MatrixXf>& y) {
  double s = 0;
  for (Eigen::Index c = 0; c < y.cols(); ++c)
    for (Eigen::Index r = 0; r < y.rows(); ++r) s += std::abs(static_cast<double>(y(r, c)));
  return y.size() > 0 ? s / static_cast<double>(y.size()) : 0.0;
}

}  // namespace

float drift_factor_global(const Eigen::Ref<const Eigen::MatrixXf>& y_t0,
                          const Eigen::Ref<const Eigen::MatrixXf>& y_t) {
  check_same(y_t0, y_t);
  const double at_t = mean_abs(y_t);
  return at_t > 0 ? static_cast<float>(mean_abs(y_t0) / at_t) : 1.0f;
}

Eigen::VectorXf drift_factor_per_column(const Eigen::Ref<const Eigen::MatrixXf>& y_t0,
                                        const Eigen::Ref<const Eigen::MatrixXf>& y_t) {
  check_same(y_t0, y_t);
  Eigen::VectorXf f(y_t.cols());
  for (Eigen::Index j = 0; j < y_t.cols(); ++j) {
    const double at_t = mean_abs(y_t.col(j));
    f(j) = at_t > 0 ? static_cast<float>(mean_abs(y_t0.col(j)) / at_t) : 1.0f;
  }
  return f;
}

void apply_column_factors(const Eigen::Ref<const Eigen::VectorXf>& factors,
                          Eigen::Ref<Eigen::MatrixXf> y) {
  if (factors.size() != y.cols())
    throw InputError("apply_column_factors: " + std::to_string(factors.size()) + " factors for " +
                     std::to_string(y.cols()) + " columns");
  for (Eigen::Index j = 0; j < y.cols(); ++j) y.col(j) *= factors(j);
}

}  // namespace xbarmc::periphery
