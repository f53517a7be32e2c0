// One-way random-effects ANOVA with confidence intervals (docs/device-fit.md, section 3).
// Estimator: Searle, Casella & McCulloch, Variance Components (Wiley 1992), ch. 3 (ANOVA
// estimator for unbalanced data, n0 as the effective group size). Intervals: chi-square for
// the within component; modified large-sample (MLS) interval of Ting, Burdick, Graybill,
// Jeyaratnam & Lu (J. Stat. Comput. Simul. 35, 135, 1990), as in Burdick & Graybill,
// Confidence Intervals on Variance Components (Dekker 1992), for the between component;
// Satterthwaite (Biometrics Bull. 2, 110, 1946) for the total.
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "math_policy.h"
#include "xbarmc/fit/estimators.h"
#include "xbarmc/util/error.h"

namespace xbarmc::fit {

namespace {

double chi2_quantile(double df, double p) {
  return boost::math::quantile(boost::math::chi_squared_distribution<double, QuietPolicy>(df), p);
}

// Upper-alpha point of F(n1, n2); n2 = inf when n2 <= 0.
double f_upper(double alpha, double n1, double n2) {
  if (n2 <= 0) return chi2_quantile(n1, 1 - alpha) / n1;
  return boost::math::quantile(boost::math::fisher_f_distribution<double, QuietPolicy>(n1, n2),
                               1 - alpha);
}

}  // namespace

Interval chi_square_interval(double var, double df, double level) {
  const double a = (1 - level) / 2;
  if (var == 0) return {0, 0, 0};
  if (!(df > 0) || !std::isfinite(df) || !std::isfinite(var)) return {var, NAN, NAN};
  return {var, df * var / chi2_quantile(df, 1 - a), df * var / chi2_quantile(df, a)};
}

OneWayAnova one_way_anova(const std::vector<std::vector<double>>& groups, double level) {
  OneWayAnova r;
  std::vector<double> means, sizes;
  double sum = 0, ssw = 0, sum_n2 = 0;
  for (const auto& g : groups) {
    if (g.empty()) continue;
    double m = 0;
    for (double v : g) m += v;
    m /= static_cast<double>(g.size());
    for (double v : g) ssw += (v - m) * (v - m);
    means.push_back(m);
    sizes.push_back(static_cast<double>(g.size()));
    sum += m * static_cast<double>(g.size());
    sum_n2 += static_cast<double>(g.size() * g.size());
    r.n += g.size();
  }
  r.groups = means.size();
  if (r.n < 2) throw InputError("variance components need at least two observations");
  const double n = static_cast<double>(r.n), a = static_cast<double>(r.groups);
  const double grand = sum / n;
  double ssb = 0;
  for (std::size_t i = 0; i < means.size(); ++i)
    ssb += sizes[i] * (means[i] - grand) * (means[i] - grand);
  r.df_between = a - 1;
  r.df_within = n - a;
  r.within_identified = r.df_within >= 1;
  r.between_identified = r.groups >= 2 && r.within_identified;
  r.ms_between = r.df_between > 0 ? ssb / r.df_between : 0;
  r.ms_within = r.df_within > 0 ? ssw / r.df_within : 0;
  r.n0 = r.df_between > 0 ? (n - sum_n2 / n) / r.df_between : 1;
  const double alpha = (1 - level) / 2;

  // Grand mean: mean of the group means, t interval from their spread (a - 1 df); with one
  // group, from the within spread (N - 1 df).
  double mg = 0;
  for (double m : means) mg += m;
  mg /= a;
  double se = 0, df = 0;
  if (r.groups >= 2) {
    double s2 = 0;
    for (double m : means) s2 += (m - mg) * (m - mg);
    se = std::sqrt(s2 / (a - 1) / a);
    df = a - 1;
  } else {
    se = std::sqrt(ssw / (n - 1) / n);
    df = n - 1;
  }
  const double t = boost::math::quantile(
      boost::math::students_t_distribution<double, QuietPolicy>(df), 1 - alpha);
  r.mean = {mg, mg - t * se, mg + t * se};

  r.var_within = chi_square_interval(r.ms_within, r.df_within, level);
  if (!r.between_identified) {
    // Only the total variance is estimable: the sample variance of all observations.
    const double var = (ssb + ssw) / (n - 1);
    r.var_total = chi_square_interval(var, n - 1, level);
    r.var_between = {NAN, NAN, NAN};
    if (!r.within_identified) r.var_within = {NAN, NAN, NAN};
    return r;
  }
  const double s1 = r.ms_between, s2 = r.ms_within, n1 = r.df_between, n2 = r.df_within;
  const double c = 1 / r.n0;
  const double theta = c * (s1 - s2);
  // MLS bounds of theta = c s1 - c s2 (Burdick & Graybill 1992, section 3.3).
  const double f_a_n1 = f_upper(alpha, n1, 0), f_1a_n1 = f_upper(1 - alpha, n1, 0);
  const double f_a_n2 = f_upper(alpha, n2, 0), f_1a_n2 = f_upper(1 - alpha, n2, 0);
  const double f_a12 = f_upper(alpha, n1, n2), f_1a12 = f_upper(1 - alpha, n1, n2);
  const double g1 = 1 - 1 / f_a_n1, h2 = 1 / f_1a_n2 - 1;
  const double g12 = ((f_a12 - 1) * (f_a12 - 1) - g1 * g1 * f_a12 * f_a12 - h2 * h2) / f_a12;
  const double h1 = 1 / f_1a_n1 - 1, g2 = 1 - 1 / f_a_n2;
  const double h12 = ((1 - f_1a12) * (1 - f_1a12) - h1 * h1 * f_1a12 * f_1a12 - g2 * g2) / f_1a12;
  const double vl = g1 * g1 * c * c * s1 * s1 + h2 * h2 * c * c * s2 * s2 + g12 * c * c * s1 * s2;
  const double vu = h1 * h1 * c * c * s1 * s1 + g2 * g2 * c * c * s2 * s2 + h12 * c * c * s1 * s2;
  r.var_between = {theta, std::max(0.0, theta - std::sqrt(std::max(0.0, vl))),
                   std::max(0.0, theta + std::sqrt(std::max(0.0, vu)))};

  // Total s_a^2 + s_e^2 = s1/n0 + (1 - 1/n0) s2, Satterthwaite degrees of freedom.
  const double t1 = c * s1, t2 = (1 - c) * s2, tot = t1 + t2;
  const double df_tot = tot * tot / (t1 * t1 / n1 + t2 * t2 / n2);
  r.var_total = chi_square_interval(tot, df_tot, level);
  return r;
}

Interval wilson_interval(std::size_t k, std::size_t n, double level) {
  if (n == 0) return {NAN, 0, 1};
  const double z = normal_quantile(1 - (1 - level) / 2);
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn;
  const double den = 1 + z * z / nn;
  const double mid = (p + z * z / (2 * nn)) / den;
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / den;
  return {p, std::max(0.0, mid - half), std::min(1.0, mid + half)};
}

}  // namespace xbarmc::fit
