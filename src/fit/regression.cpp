// Weighted polynomial least squares with AIC/BIC order selection (Akaike, IEEE TAC 19, 716,
// 1974; Schwarz, Ann. Stat. 6, 461, 1978) and the Kolmogorov-Smirnov statistic against a
// fitted normal (Stephens, JRSS B 32, 115, 1970, for the small-sample correction of the
// asymptotic p-value). See docs/device-fit.md.
#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "math_policy.h"
#include "xbarmc/fit/estimators.h"
#include "xbarmc/util/error.h"

namespace xbarmc::fit {

double normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double, QuietPolicy>(), p);
}

double PolyFit::eval(double x) const {
  double v = 0, xk = 1;
  for (const auto& c : coeffs) {
    v += c.estimate * xk;
    xk *= x;
  }
  return v;
}

PolyFit poly_fit(const std::vector<double>& x, const std::vector<double>& y,
                 const std::vector<double>& w, int order, double level) {
  const auto n = static_cast<Eigen::Index>(x.size());
  const Eigen::Index p = order + 1;
  if (order < 0 || n < p) throw InputError("polynomial fit: too few points for the order");
  Eigen::MatrixXd a(n, p);
  Eigen::VectorXd b(n), sw(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    sw(i) = std::sqrt(w[static_cast<std::size_t>(i)]);
    double xk = 1;
    for (Eigen::Index k = 0; k < p; ++k) {
      a(i, k) = sw(i) * xk;
      xk *= x[static_cast<std::size_t>(i)];
    }
    b(i) = sw(i) * y[static_cast<std::size_t>(i)];
  }
  const Eigen::MatrixXd ata = a.transpose() * a;
  const Eigen::VectorXd c = ata.ldlt().solve(a.transpose() * b);
  const Eigen::MatrixXd cov = ata.ldlt().solve(Eigen::MatrixXd::Identity(p, p));
  const double z = normal_quantile(1 - (1 - level) / 2);
  PolyFit f;
  for (Eigen::Index k = 0; k < p; ++k) {
    const double se = std::sqrt(std::max(0.0, cov(k, k)));
    f.coeffs.push_back({c(k), c(k) - z * se, c(k) + z * se});
  }
  f.chi2 = (a * c - b).squaredNorm();
  f.aic = f.chi2 + 2.0 * static_cast<double>(p);
  f.bic = f.chi2 + static_cast<double>(p) * std::log(static_cast<double>(n));
  return f;
}

PolyFit poly_fit_select(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<double>& w, int max_order, bool use_bic, double level) {
  const int top = std::min(max_order, static_cast<int>(x.size()) - 1);
  PolyFit best = poly_fit(x, y, w, 0, level);
  for (int k = 1; k <= top; ++k) {
    PolyFit f = poly_fit(x, y, w, k, level);
    if ((use_bic ? f.bic < best.bic : f.aic < best.aic)) best = f;
  }
  return best;
}

KsResult ks_normal(std::vector<double> s, double mean, double sd) {
  KsResult r;
  if (s.empty() || !(sd > 0) || !std::isfinite(sd) || !std::isfinite(mean)) return r;
  std::sort(s.begin(), s.end());
  const boost::math::normal_distribution<double, QuietPolicy> nd(mean, sd);
  const double n = static_cast<double>(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double f = boost::math::cdf(nd, s[i]);
    r.d = std::max({r.d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
  }
  const double lam = (std::sqrt(n) + 0.12 + 0.11 / std::sqrt(n)) * r.d;
  double q = 0;
  for (int k = 1; k <= 100; ++k)
    q += 2 * ((k % 2 == 1) ? 1 : -1) * std::exp(-2.0 * k * k * lam * lam);
  r.p = std::clamp(q, 0.0, 1.0);
  if (lam < 0.3) r.p = 1;  // the series converges slowly there; Q(lambda) ~ 1
  return r;
}

}  // namespace xbarmc::fit
