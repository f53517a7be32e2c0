#include "xbarmc/stats/summary.h"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <cmath>

namespace xbarmc::stats {

double quantile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double h = (static_cast<double>(sorted.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

Summary summarize(std::span<const double> values) {
  std::vector<double> v;
  v.reserve(values.size());
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  Summary s;
  s.n = v.size();
  s.quantiles.assign(std::size(QUANTILE_LEVELS), std::nan(""));
  if (v.empty()) {
    s.mean = s.std = s.sem = s.min = s.max = std::nan("");
    return s;
  }
  std::sort(v.begin(), v.end());
  // Two-pass mean and variance in a fixed (sorted) order: deterministic and stable.
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
  s.sem = s.std / std::sqrt(static_cast<double>(v.size()));
  s.min = v.front();
  s.max = v.back();
  for (std::size_t i = 0; i < std::size(QUANTILE_LEVELS); ++i)
    s.quantiles[i] = quantile_sorted(v, QUANTILE_LEVELS[i]);
  return s;
}

std::vector<std::uint64_t> histogram(std::span<const double> values, double lo, double hi,
                                     int bins) {
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(std::max(bins, 1)), 0);
  const double width = (hi - lo) / static_cast<double>(counts.size());
  for (double x : values) {
    if (!(x >= lo && x <= hi)) continue;
    auto b = static_cast<std::size_t>((x - lo) / width);
    if (b >= counts.size()) b = counts.size() - 1;
    ++counts[b];
  }
  return counts;
}

Interval clopper_pearson(std::uint64_t successes, std::uint64_t n, double confidence) {
  Interval ci;
  if (n == 0) return ci;
  const double alpha = 1.0 - confidence;
  const auto k = static_cast<double>(successes);
  const auto nn = static_cast<double>(n);
  ci.lo = successes == 0
              ? 0.0
              : boost::math::quantile(boost::math::beta_distribution<double>(k, nn - k + 1.0),
                                      alpha / 2.0);
  ci.hi = successes == n
              ? 1.0
              : boost::math::quantile(boost::math::beta_distribution<double>(k + 1.0, nn - k),
                                      1.0 - alpha / 2.0);
  return ci;
}

Yield yield_at(std::span<const double> accuracies, double threshold, double confidence) {
  Yield y;
  y.threshold = threshold;
  for (double a : accuracies) {
    if (!std::isfinite(a)) continue;
    ++y.n;
    if (a >= threshold) ++y.passed;
  }
  y.fraction = y.n ? static_cast<double>(y.passed) / static_cast<double>(y.n) : std::nan("");
  y.interval = clopper_pearson(y.passed, y.n, confidence);
  return y;
}

}  // namespace xbarmc::stats
