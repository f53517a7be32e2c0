#pragma once
//! \file fit/estimators.h
//! Statistical estimators of `xbarmc fit` (formulas and sources: docs/device-fit.md):
//! the one-way random-effects ANOVA (variance components) with confidence intervals,
//! Wilson intervals of proportions, weighted polynomial least squares with AIC/BIC, the
//! Kolmogorov-Smirnov statistic against a normal, and SHA-256 of a file's bytes.

#include <cstddef>
#include <string>
#include <vector>

namespace xbarmc::fit {

//! A point estimate with a two-sided confidence interval [lo, hi].
struct Interval {
  double estimate = 0;  //!< point estimate
  double lo = 0;        //!< lower confidence bound
  double hi = 0;        //!< upper confidence bound
  //! True when lo <= v <= hi.
  [[nodiscard]] bool contains(double v) const { return lo <= v && v <= hi; }
};

//! Result of the one-way random-effects ANOVA y_ij = mu + a_i + e_ij,
//! a_i ~ N(0, s_a^2) (between groups), e_ij ~ N(0, s_e^2) (within groups).
struct OneWayAnova {
  std::size_t groups = 0;           //!< a: groups with at least one observation
  std::size_t n = 0;                //!< N: observations
  double df_between = 0;            //!< a - 1
  double df_within = 0;             //!< N - a
  double ms_between = 0;            //!< MSB = SSB / (a - 1)
  double ms_within = 0;             //!< MSW = SSW / (N - a)
  double n0 = 0;                    //!< effective group size (N - sum n_i^2 / N) / (a - 1)
  Interval mean;                    //!< grand mean (mean of group means), t interval
  Interval var_within;              //!< s_e^2 = MSW, exact chi-square interval
  Interval var_between;             //!< s_a^2 = (MSB - MSW)/n0 (raw, may be < 0), MLS interval
  Interval var_total;               //!< s_a^2 + s_e^2, Satterthwaite interval
  bool between_identified = false;  //!< a >= 2 and N - a >= 1
  bool within_identified = false;   //!< N - a >= 1
};

//! Fits the one-way model to `groups` (each a vector of observations; empty groups are
//! skipped) at two-sided confidence `level` (e.g. 0.95). Needs N >= 2.
OneWayAnova one_way_anova(const std::vector<std::vector<double>>& groups, double level);

//! Chi-square interval of a variance with `df` degrees of freedom and estimate `var`.
Interval chi_square_interval(double var, double df, double level);

//! Wilson score interval of a proportion k/n (Wilson, JASA 22, 209, 1927).
Interval wilson_interval(std::size_t k, std::size_t n, double level);

//! Weighted polynomial least squares y ~ sum_k c_k x^k.
struct PolyFit {
  std::vector<Interval> coeffs;  //!< c_0..c_p with Wald intervals
  double chi2 = 0;               //!< sum w (y - fit)^2
  double aic = 0;                //!< chi2 + 2 (p + 1)
  double bic = 0;                //!< chi2 + (p + 1) ln n
  [[nodiscard]] double eval(double x) const;
};

//! Fits order `order` with weights `w` (1/variance of y).
PolyFit poly_fit(const std::vector<double>& x, const std::vector<double>& y,
                 const std::vector<double>& w, int order, double level);

//! Chooses the order 0..max_order with the smallest AIC (`use_bic` false) or BIC.
PolyFit poly_fit_select(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<double>& w, int max_order, bool use_bic, double level);

//! Kolmogorov-Smirnov statistic D of `sample` against N(mean, sd^2) and the asymptotic
//! p-value of the Kolmogorov distribution (Marsaglia, Tsang & Wang, J. Stat. Softw. 8(18),
//! 2003, large-n form). Parameters estimated from the data make p conservative (Lilliefors).
struct KsResult {
  double d = 0;  //!< sup |F_n - F|
  double p = 1;  //!< asymptotic p-value
};
KsResult ks_normal(std::vector<double> sample, double mean, double sd);

//! Quantile of the standard normal.
double normal_quantile(double p);

//! SHA-256 (FIPS 180-4) of `bytes`, as 64 lowercase hex digits.
std::string sha256_hex(const std::string& bytes);

}  // namespace xbarmc::fit
