// Spec search and frontier on synthetic yield curves. Each "chip" k has a fixed uniform
// u_k (common random numbers: the same chips at every parameter value) and meets the spec
// at parameter x when u_k < y(x); the sequential rule then runs on these flags in index
// order, exactly as the engine will feed per-instance pass flags.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "xbarmc/stats/spec_search.h"
#include "xbarmc/util/error.h"

using namespace xbarmc::stats;
using xbarmc::config::Diagnostics;
using xbarmc::config::Json;
using xbarmc::config::Node;

namespace {

constexpr double kTarget = 0.9;

StoppingRule search_rule(std::uint64_t max) {
  StoppingRule r;
  r.enabled = true;
  r.batch = 100;
  r.max_instances = max;
  r.target_yield = kTarget;
  r.confidence = 0.99;
  return r;
}

//! A sequential point on the synthetic population at yield y(x).
struct Population {
  std::vector<double> u;
  explicit Population(std::size_t n, std::uint64_t seed) : u(n) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (auto& x : u) x = unit(rng);
  }
  SequentialOutcome run(const StoppingRule& r, double yield) const {
    std::vector<std::uint8_t> flags(u.size());
    for (std::size_t k = 0; k < u.size(); ++k) flags[k] = u[k] < yield;
    return run_sequential(r, flags);
  }
};

SearchSpec spec(double lo, double hi, SearchDirection d, double resolution) {
  SearchSpec s;
  s.lo = lo;
  s.hi = hi;
  s.direction = d;
  s.target_yield = kTarget;
  s.resolution = resolution;
  return s;
}

}  // namespace

// A steep monotone curve: yield 0.99 up to x* = 0.3137, 0.5 beyond. Every point is decided
// quickly and correctly, so the bracket contains x* and is within the resolution.
TEST(SpecSearch, FindsTheCrossingOfASteepCurve) {
  const Population pop(20000, 11);
  const StoppingRule r = search_rule(20000);
  const double x_star = 0.3137;
  const auto y = [&](double x) { return x <= x_star ? 0.99 : 0.5; };
  const SearchResult res = search_spec(spec(0.0, 1.0, SearchDirection::Largest, 0.001),
                                       [&](double x) { return pop.run(r, y(x)); });
  EXPECT_EQ(res.status, SearchStatus::Bracketed);
  EXPECT_LE(res.last_pass, x_star);
  EXPECT_GT(res.first_fail, x_star);
  EXPECT_LE(res.first_fail - res.last_pass, 0.001);
  EXPECT_LE(res.points.size(), max_evaluations(spec(0.0, 1.0, SearchDirection::Largest, 0.001)));
  EXPECT_TRUE(res.warnings.empty()) << res.warnings.front();
  // Common random numbers and decided points: far fewer instances than a grid at 0.001.
  EXPECT_LT(res.total_instances(), 1000u * 100u);
}

// A smooth linear curve y = 1 - x crossing 0.9 at x* = 0.1, searched in the increasing
// direction as y = x crossing at 0.9. Points within the indifference zone (where the
// interval at max_instances still contains 0.9) count as failing, so the bracket lies within
// that zone's half-width of x*, computed from the interval at the cap.
TEST(SpecSearch, FindsTheCrossingOfALinearCurveInBothDirections) {
  const std::uint64_t max = 20000;
  const Population pop(max, 12);
  const StoppingRule r = search_rule(max);
  const Interval at_cap = beta_mixture_interval(
      static_cast<std::uint64_t>(kTarget * static_cast<double>(max)), max, r.confidence);
  const double zone = at_cap.hi - at_cap.lo;  // yield units = parameter units here
  const double resolution = 0.002;

  const SearchResult dec = search_spec(spec(0.0, 0.5, SearchDirection::Largest, resolution),
                                       [&](double x) { return pop.run(r, 1.0 - x); });
  ASSERT_EQ(dec.status, SearchStatus::Bracketed);
  EXPECT_LE(dec.first_fail - dec.last_pass, resolution);
  EXPECT_LE(dec.last_pass, 0.1);  // a passing point's yield is >= 0.9 (99 % each)
  EXPECT_GT(dec.last_pass, 0.1 - zone - resolution);
  // The grid alternative at the same resolution, with the same sequential rule per point.
  std::uint64_t grid = 0;
  for (int i = 0; i <= 250; ++i) grid += pop.run(r, 1.0 - 0.002 * i).n;
  std::printf("linear search: [%.4f, %.4f] around 0.1 in %zu points, %llu instances; grid: %llu\n",
              dec.last_pass, dec.first_fail, dec.points.size(),
              static_cast<unsigned long long>(dec.total_instances()),
              static_cast<unsigned long long>(grid));
  EXPECT_LT(3 * dec.total_instances(), grid);

  const SearchResult inc = search_spec(spec(0.5, 1.0, SearchDirection::Smallest, resolution),
                                       [&](double x) { return pop.run(r, x); });
  ASSERT_EQ(inc.status, SearchStatus::Bracketed);
  EXPECT_LE(inc.last_pass - inc.first_fail, resolution);
  EXPECT_GE(inc.last_pass, 0.9);
  EXPECT_LT(inc.last_pass, 0.9 + zone + resolution);
  // Near the crossing the cap is reached: those points are reported as undecided.
  bool undecided = false;
  for (const auto& w : dec.warnings) undecided |= w.find("undecided") != std::string::npos;
  bool capped = false;
  for (const auto& p : dec.points) capped |= p.outcome.reason == StopReason::MaxInstances;
  EXPECT_TRUE(capped);
  EXPECT_EQ(capped, undecided);
}

TEST(SpecSearch, AllPassAndNonePass) {
  const Population pop(5000, 13);
  const StoppingRule r = search_rule(5000);
  const auto s = spec(0.0, 1.0, SearchDirection::Largest, 0.01);
  const SearchResult all = search_spec(s, [&](double) { return pop.run(r, 0.999); });
  EXPECT_EQ(all.status, SearchStatus::AllPass);
  EXPECT_EQ(all.last_pass, 1.0);
  EXPECT_TRUE(std::isnan(all.first_fail));
  EXPECT_EQ(all.points.size(), 2u);
  const SearchResult none = search_spec(s, [&](double) { return pop.run(r, 0.5); });
  EXPECT_EQ(none.status, SearchStatus::NonePass);
  EXPECT_EQ(none.first_fail, 0.0);
  EXPECT_TRUE(std::isnan(none.last_pass));
  EXPECT_EQ(none.points.size(), 1u);
  EXPECT_STREQ(to_string(SearchStatus::NonePass), "none_pass");
  EXPECT_THROW(search_spec(spec(-1e308, 1e308, SearchDirection::Largest, 0.1),
                           [&](double) { return pop.run(r, 0.5); }),
               xbarmc::InputError);
  EXPECT_EQ(max_evaluations(spec(0, 1, SearchDirection::Largest, 1e-300)), 2u + 997u);
  EXPECT_THROW(search_spec(spec(1.0, 1.0, SearchDirection::Largest, 0.1),
                           [&](double) { return pop.run(r, 0.5); }),
               xbarmc::InputError);
}

// Non-monotone curve: yield 0.99 below 0.2, 0.3 on [0.2, 0.75), 0.8 from 0.75. The search
// evaluates 0 (pass), 1 (0.8) and 0.5 (0.3): the yield at 0.5 is significantly below the
// yield at the larger value 1, which a monotone decreasing curve forbids.
TEST(SpecSearch, WarnsOnNonMonotoneObservations) {
  const Population pop(5000, 14);
  const StoppingRule r = search_rule(5000);
  const auto y = [](double x) { return x < 0.2 ? 0.99 : x < 0.75 ? 0.3 : 0.8; };
  const SearchResult res = search_spec(spec(0.0, 1.0, SearchDirection::Largest, 0.05),
                                       [&](double x) { return pop.run(r, y(x)); });
  ASSERT_FALSE(res.warnings.empty());
  EXPECT_NE(res.warnings.front().find("non-monotone yield: 0.5"), std::string::npos)
      << res.warnings.front();
  // The monotone part of the search is still answered: the crossing at 0.2.
  EXPECT_LE(res.last_pass, 0.2);
  EXPECT_GT(res.first_fail, 0.2 - 0.05);
  // A monotone curve gives no warning.
  const SearchResult ok = search_spec(spec(0.0, 1.0, SearchDirection::Largest, 0.05),
                                      [&](double x) { return pop.run(r, x < 0.2 ? 0.99 : 0.3); });
  EXPECT_TRUE(ok.warnings.empty());
  // Classification in the wrong order (listed points, not from a bisection): the failing
  // point is undecided (its interval contains the target), which is reported as well.
  std::vector<EvaluatedPoint> pts(2);
  pts[0].value = 1.0;
  pts[0].meets_spec = true;
  pts[0].outcome.interval = {0.91, 0.99};
  pts[1].value = 0.0;
  pts[1].meets_spec = false;
  pts[1].outcome.interval = {0.85, 0.95};
  const auto w = monotonicity_warnings(pts, SearchDirection::Largest, kTarget);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].find("non-monotone spec"), std::string::npos);
  EXPECT_NE(w[1].find("undecided (stopped by continue)"), std::string::npos) << w[1];
  const auto w_inc = monotonicity_warnings(pts, SearchDirection::Smallest, kTarget);
  ASSERT_EQ(w_inc.size(), 1u);
  EXPECT_NE(w_inc[0].find("undecided"), std::string::npos);
}

// Frontier over y(a, b) = 1 - a - b: the boundary b*(a) = 0.1 - a for a in {0, 0.02, 0.05}.
TEST(SpecSearch, FrontierFollowsTheKnownBoundary) {
  const Population pop(20000, 15);
  const StoppingRule r = search_rule(20000);
  const std::vector<double> outer = {0.0, 0.02, 0.05};
  const auto rows = search_frontier(spec(0.0, 0.5, SearchDirection::Largest, 0.005), outer,
                                    [&](double a, double b) { return pop.run(r, 1 - a - b); });
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    ASSERT_EQ(row.search.status, SearchStatus::Bracketed);
    EXPECT_LE(row.search.last_pass, 0.1 - row.outer);
    EXPECT_GT(row.search.last_pass, 0.1 - row.outer - 0.02);
  }
  EXPECT_GT(rows[0].search.last_pass, rows[2].search.last_pass);
}

// The per-chip premise: common uniforms give monotone flags; fresh uniforms per value do not.
TEST(SpecSearch, ChipMonotonicityDetectsNonCommonStreams) {
  const Population common(1000, 16), other(1000, 17);
  const auto flags = [](const Population& pop, double yield) {
    std::vector<std::uint8_t> f(pop.u.size());
    for (std::size_t k = 0; k < f.size(); ++k) f[k] = pop.u[k] < yield;
    return f;
  };
  const std::vector<double> values = {0.1, 0.2, 0.3};
  const std::vector<std::vector<std::uint8_t>> crn = {flags(common, 0.9), flags(common, 0.8),
                                                      flags(common, 0.7)};
  EXPECT_TRUE(chip_monotonicity(values, crn, SearchDirection::Largest).empty());
  // Read as increasing yield, every pair is violated.
  EXPECT_EQ(chip_monotonicity(values, crn, SearchDirection::Smallest).size(), 3u);
  const std::vector<std::vector<std::uint8_t>> mixed = {flags(common, 0.9), flags(other, 0.8),
                                                        flags(common, 0.7)};
  const auto v = chip_monotonicity(values, mixed, SearchDirection::Largest);
  ASSERT_EQ(v.size(), 2u);  // (0.1, 0.2) and (0.2, 0.3); (0.1, 0.3) share the stream
  EXPECT_EQ(v[0].higher, 0.1);
  EXPECT_EQ(v[0].lower, 0.2);
  EXPECT_EQ(v[0].chips, 1000u);
  // Independent streams: P(fail at 0.9, pass at 0.8) = 0.1 * 0.8 per chip.
  EXPECT_NEAR(static_cast<double>(v[0].violations), 80.0, 5 * std::sqrt(80.0 * 0.92));
  EXPECT_THROW(chip_monotonicity(values, std::span(crn).first(2), SearchDirection::Largest),
               xbarmc::InputError);
}
