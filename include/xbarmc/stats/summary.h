#pragma once
//! \file stats/summary.h
//! Descriptive statistics of per-instance accuracies, histograms with fixed
//! edges (mergeable across shards), and yield with exact binomial intervals.

#include <cstdint>
#include <span>
#include <vector>

namespace xbarmc::stats {

//! Quantile levels reported for every point and time.
inline constexpr double QUANTILE_LEVELS[] = {0.01, 0.05, 0.50, 0.95, 0.99};

//! Moments and order statistics of a sample.
struct Summary {
  std::uint64_t n = 0;      //!< sample size (finite values only)
  double mean = 0;          //!< arithmetic mean
  double std = 0;           //!< sample standard deviation (n - 1 denominator; 0 when n < 2)
  double sem = 0;           //!< standard error of the mean, std / sqrt(n)
  double min = 0, max = 0;  //!< extremes
  std::vector<double>
      quantiles;  //!< at QUANTILE_LEVELS, linear interpolation (Hyndman & Fan type 7)
};

//! Summary of the finite values of `values` (NaN/Inf are skipped and not counted).
Summary summarize(std::span<const double> values);

//! Quantile at level q in [0, 1] of sorted data, Hyndman & Fan (1996) definition 7
//! (numpy's default): h = (n - 1) q, linear between order statistics.
double quantile_sorted(std::span<const double> sorted, double q);

//! Counts per bin for `bins` equal bins over [lo, hi]; the last bin is closed, values
//! outside [lo, hi] are not counted.
std::vector<std::uint64_t> histogram(std::span<const double> values, double lo, double hi,
                                     int bins);

//! A two-sided confidence interval.
struct Interval {
  double lo = 0;
  double hi = 1;
};

//! Exact (Clopper & Pearson, Biometrika 26, 404, 1934) two-sided interval for a
//! binomial proportion with `successes` out of `n` trials at `confidence` (e.g. 0.95):
//! lo = B^-1(alpha/2; k, n-k+1), hi = B^-1(1-alpha/2; k+1, n-k), with lo = 0 for k = 0 and
//! hi = 1 for k = n. For n = 0 returns [0, 1].
Interval clopper_pearson(std::uint64_t successes, std::uint64_t n, double confidence);

//! Yield at one threshold: fraction of instances whose accuracy is at least `threshold`.
struct Yield {
  double threshold = 0;      //!< accuracy threshold (fraction) actually applied
  std::uint64_t passed = 0;  //!< instances meeting it
  std::uint64_t n = 0;       //!< instances counted (finite accuracies)
  double fraction = 0;       //!< passed / n
  Interval interval;         //!< Clopper-Pearson interval of `fraction`
};

Yield yield_at(std::span<const double> accuracies, double threshold, double confidence);

}  // namespace xbarmc::stats
