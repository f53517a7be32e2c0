#include <gtest/gtest.h>

#include <cmath>

#include "xbarmc/stats/summary.h"

using namespace xbarmc::stats;

// Reference intervals computed independently with SciPy 1.10.1 (Debian 12,
// scipy.stats.beta.ppf), the textbook Clopper-Pearson formula:
// lo = beta.ppf(a/2, k, n-k+1), hi = beta.ppf(1-a/2, k+1, n-k).
// The k = 0 and k = n rows also have closed forms: hi = 1 - (a/2)^(1/n), lo = (a/2)^(1/n).
struct CpCase {
  std::uint64_t k, n;
  double confidence, lo, hi;
};
constexpr CpCase kCases[] = {
    {0, 10, 0.95, 0, 0.308497107819},
    {3, 10, 0.95, 0.0667395111777, 0.65245285006},
    {50, 100, 0.95, 0.398321129503, 0.601678870497},
    {97, 100, 0.95, 0.914823947026, 0.993770028462},
    {10, 10, 0.95, 0.691502892181, 1},
    {812, 1000, 0.99, 0.77820576093, 0.84276937468},
    {1, 2, 0.90, 0.0253205655191, 0.974679434481},
};

TEST(ClopperPearson, MatchesIndependentReference) {
  for (const auto& c : kCases) {
    const Interval ci = clopper_pearson(c.k, c.n, c.confidence);
    EXPECT_NEAR(ci.lo, c.lo, 1e-10) << c.k << "/" << c.n;
    EXPECT_NEAR(ci.hi, c.hi, 1e-10) << c.k << "/" << c.n;
  }
  EXPECT_NEAR(clopper_pearson(0, 10, 0.95).hi, 1.0 - std::pow(0.025, 0.1), 1e-12);
  const Interval none = clopper_pearson(0, 0, 0.95);
  EXPECT_EQ(none.lo, 0.0);
  EXPECT_EQ(none.hi, 1.0);
}

// numpy 1.24: np.quantile([.3,.1,.7,.2,.9,.5,.4], [.01,.05,.5,.95,.99]) and std(ddof=1).
TEST(Summary, MatchesNumpy) {
  const std::vector<double> x = {0.3, 0.1, 0.7, 0.2, 0.9, 0.5, 0.4};
  const Summary s = summarize(x);
  EXPECT_EQ(s.n, 7u);
  EXPECT_NEAR(s.mean, 3.1 / 7.0, 1e-15);
  EXPECT_NEAR(s.std, 0.2819996622760558, 1e-14);
  EXPECT_NEAR(s.sem, 0.2819996622760558 / std::sqrt(7.0), 1e-14);
  const double expected[] = {0.106, 0.13, 0.4, 0.84, 0.888};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(s.quantiles[i], expected[i], 1e-14);
  EXPECT_EQ(s.min, 0.1);
  EXPECT_EQ(s.max, 0.9);
}

TEST(Summary, SkipsNonFinite) {
  const std::vector<double> x = {0.5, std::nan(""), INFINITY, 0.7};
  const Summary s = summarize(x);
  EXPECT_EQ(s.n, 2u);
  EXPECT_NEAR(s.mean, 0.6, 1e-15);
}

TEST(Histogram, FixedEdgesCountEveryValueInRange) {
  const std::vector<double> x = {0.0, 0.05, 0.1, 0.55, 1.0, 1.5, -0.1};
  const auto h = histogram(x, 0.0, 1.0, 10);
  ASSERT_EQ(h.size(), 10u);
  EXPECT_EQ(h[0], 2u);  // 0.0, 0.05
  EXPECT_EQ(h[1], 1u);  // 0.1
  EXPECT_EQ(h[5], 1u);  // 0.55
  EXPECT_EQ(h[9], 1u);  // 1.0 (last bin closed)
  std::uint64_t total = 0;
  for (auto c : h) total += c;
  EXPECT_EQ(total, 5u);
}

TEST(Yield, CountsAtThreshold) {
  const std::vector<double> acc = {0.80, 0.85, 0.849, 0.9, std::nan("")};
  const Yield y = yield_at(acc, 0.85, 0.95);
  EXPECT_EQ(y.n, 4u);
  EXPECT_EQ(y.passed, 2u);
  EXPECT_DOUBLE_EQ(y.fraction, 0.5);
  EXPECT_LT(y.interval.lo, 0.5);
  EXPECT_GT(y.interval.hi, 0.5);
}
