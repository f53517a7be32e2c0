#include <gtest/gtest.h>

#include <boost/math/special_functions/beta.hpp>
#include <cmath>

#include "xbarmc/stats/confidence_sequence.h"
#include "xbarmc/util/error.h"

using namespace xbarmc::stats;

// Reference intervals computed independently with SciPy 1.10.1 (Debian 12): the roots of
// betaln(a+S, b+n-S) - betaln(a, b) - S log p - (n-S) log1p(-p) = log(1/alpha) found with
// scipy.optimize.brentq (xtol = rtol = 1e-15) on each side of S/n.
struct CsCase {
  std::uint64_t s, n;
  double confidence, a, b, lo, hi;
};
constexpr CsCase kCases[] = {
    {0, 10, 0.95, 0.5, 0.5, 0, 0.376987350991},
    {3, 10, 0.95, 0.5, 0.5, 0.0325151397881, 0.747587109915},
    {50, 100, 0.95, 0.5, 0.5, 0.338257552646, 0.661742447354},
    {97, 100, 0.95, 0.5, 0.5, 0.877051114391, 0.998120939368},
    {10, 10, 0.95, 0.5, 0.5, 0.623012649009, 1},
    {812, 1000, 0.99, 0.5, 0.5, 0.758425937708, 0.858718167704},
    {4500, 5000, 0.95, 0.5, 0.5, 0.882795579423, 0.915610446769},
    {1, 2, 0.90, 1, 1, 0.0169541084604, 0.98304589154},
    {30, 40, 0.95, 2, 3, 0.499431359406, 0.919890839302},
};

TEST(BetaMixtureCs, MatchesIndependentReference) {
  for (const auto& c : kCases) {
    const Interval ci = beta_mixture_interval(c.s, c.n, c.confidence, {c.a, c.b});
    EXPECT_NEAR(ci.lo, c.lo, 2e-11) << c.s << "/" << c.n;
    EXPECT_NEAR(ci.hi, c.hi, 2e-11) << c.s << "/" << c.n;
    // Rounded outwards: the ends are on or outside the level set, never inside.
    const double level = std::log(1 / (1 - c.confidence));
    if (ci.lo > 0) {
      EXPECT_GE(beta_mixture_log_martingale(c.s, c.n, ci.lo, {c.a, c.b}), level - 1e-12);
    }
    if (ci.hi < 1) {
      EXPECT_GE(beta_mixture_log_martingale(c.s, c.n, ci.hi, {c.a, c.b}), level - 1e-12);
    }
  }
}

// With S = 0 the upper end solves B(a, b+n)/B(a, b) / (1-p)^n = 1/alpha in closed form.
TEST(BetaMixtureCs, ZeroSuccessesClosedForm) {
  for (std::uint64_t n : {1u, 7u, 100u, 12345u}) {
    const double alpha = 0.05, a = 0.5, b = 0.5;
    const double lb = std::log(boost::math::beta(a, b + static_cast<double>(n))) -
                      std::log(boost::math::beta(a, b));
    const double hi = 1 - std::exp((lb + std::log(alpha)) / static_cast<double>(n));
    const Interval ci = beta_mixture_interval(0, n, 1 - alpha);
    EXPECT_EQ(ci.lo, 0.0);
    EXPECT_NEAR(ci.hi, hi, 1e-11) << n;
    // Symmetric prior: n successes mirror 0 successes.
    const Interval all = beta_mixture_interval(n, n, 1 - alpha);
    EXPECT_NEAR(all.lo, 1 - ci.hi, 1e-11);
    EXPECT_EQ(all.hi, 1.0);
  }
}

// The ends are where the mixture martingale crosses 1/alpha, and it is below inside.
TEST(BetaMixtureCs, EndsAreLevelCrossings) {
  const double conf = 0.95, level = std::log(1 / (1 - conf));
  for (auto [s, n] : {std::pair<std::uint64_t, std::uint64_t>{17, 40}, {999, 1000}, {3, 100000}}) {
    const Interval ci = beta_mixture_interval(s, n, conf);
    EXPECT_NEAR(beta_mixture_log_martingale(s, n, ci.lo), level, 1e-6);
    EXPECT_NEAR(beta_mixture_log_martingale(s, n, ci.hi), level, 1e-6);
    const double mid = static_cast<double>(s) / static_cast<double>(n);
    EXPECT_LT(beta_mixture_log_martingale(s, n, mid), 0.0);  // mixture <= max likelihood
  }
  EXPECT_TRUE(std::isinf(beta_mixture_log_martingale(1, 2, 0.0)));
}

TEST(BetaMixtureCs, EmptySampleAndBadArguments) {
  const Interval none = beta_mixture_interval(0, 0, 0.95);
  EXPECT_EQ(none.lo, 0.0);
  EXPECT_EQ(none.hi, 1.0);
  EXPECT_THROW(beta_mixture_interval(1, 2, 1.0), xbarmc::InputError);
  EXPECT_THROW(beta_mixture_interval(3, 2, 0.95), xbarmc::InputError);
  EXPECT_THROW(beta_mixture_interval(1, 2, 0.95, {0.0, 1.0}), xbarmc::InputError);
  EXPECT_THROW(BernoulliConfidenceSequence(0.0), xbarmc::InputError);
}

// Anytime validity costs width: at a fixed n the sequence is wider than Clopper-Pearson,
// and it shrinks as n grows.
TEST(BetaMixtureCs, WiderThanFixedSampleIntervalAndShrinks) {
  double previous = 1;
  for (std::uint64_t n : {100u, 1000u, 10000u, 100000u}) {
    const Interval cs = beta_mixture_interval(9 * n / 10, n, 0.95);
    const Interval cp = clopper_pearson(9 * n / 10, n, 0.95);
    EXPECT_LT(cs.lo, cp.lo);
    EXPECT_GT(cs.hi, cp.hi);
    EXPECT_LT(cs.hi - cs.lo, previous);
    previous = cs.hi - cs.lo;
  }
}

TEST(BernoulliConfidenceSequence, RunningIntersectionNeverWidens) {
  BernoulliConfidenceSequence seq(0.9);
  EXPECT_EQ(seq.interval().lo, 0.0);
  EXPECT_EQ(seq.interval().hi, 1.0);
  // Batches of 10 with 2..5 successes: the current interval moves, the reported one only shrinks.
  Interval last = seq.interval();
  bool current_was_wider = false;
  for (int k = 0; k < 30; ++k) {
    seq.add(2 + (k * 7) % 4, 10);
    EXPECT_GE(seq.interval().lo, last.lo);
    EXPECT_LE(seq.interval().hi, last.hi);
    EXPECT_LE(seq.current().lo, seq.interval().lo);
    EXPECT_GE(seq.current().hi, seq.interval().hi);
    current_was_wider |=
        seq.current().lo < seq.interval().lo || seq.current().hi > seq.interval().hi;
    last = seq.interval();
  }
  EXPECT_TRUE(current_was_wider);
  EXPECT_EQ(seq.n(), 300u);
  const Interval now = beta_mixture_interval(seq.successes(), 300, 0.9);
  EXPECT_EQ(seq.current().lo, now.lo);
  EXPECT_EQ(seq.current().hi, now.hi);
}

// A drifting (non-i.i.d.) sequence can empty the intersection; the current interval is then
// reported instead of an empty set.
TEST(BernoulliConfidenceSequence, EmptyIntersectionFallsBackToCurrent) {
  BernoulliConfidenceSequence seq(0.9);
  for (int k = 0; k < 10; ++k) seq.add(10, 10);
  Interval before = seq.interval();
  int steps = 0;
  while (seq.current().hi >= before.lo && steps < 100) {
    before = seq.interval();
    seq.add(0, 10);
    ++steps;
  }
  ASSERT_LT(steps, 100);  // 100 failures per 100 successes: the current interval moves below
  EXPECT_LT(seq.current().hi, before.lo);
  EXPECT_EQ(seq.interval().lo, seq.current().lo);
  EXPECT_EQ(seq.interval().hi, seq.current().hi);
}

// Both ends increase with the pass count at fixed n (used by the no-correction argument of
// the spec search, docs/statistics.md Sec. 4).
TEST(BetaMixtureCs, EndsIncreaseWithSuccesses) {
  for (std::uint64_t n : {1u, 2u, 5u, 10u, 50u, 200u, 1000u}) {
    Interval prev{-1, -1};
    for (std::uint64_t s = 0; s <= n; ++s) {
      const Interval ci = beta_mixture_interval(s, n, 0.95);
      EXPECT_GE(ci.lo, prev.lo) << s << "/" << n;
      EXPECT_GE(ci.hi, prev.hi) << s << "/" << n;
      if (s > 0) {
        EXPECT_GT(ci.lo, prev.lo);
      }
      prev = ci;
    }
  }
}
