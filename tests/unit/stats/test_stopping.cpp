#include <gtest/gtest.h>

#include <vector>

#include "xbarmc/stats/stopping.h"
#include "xbarmc/util/error.h"

using namespace xbarmc::stats;
using xbarmc::config::Diagnostics;
using xbarmc::config::Json;
using xbarmc::config::Node;

namespace {

StoppingRule rule(std::uint64_t batch, std::uint64_t max, std::optional<double> width,
                  std::optional<double> target) {
  StoppingRule r;
  r.enabled = true;
  r.batch = batch;
  r.max_instances = max;
  r.width = width;
  r.target_yield = target;
  r.confidence = 0.95;
  return r;
}

//! Parses {"stopping": section} as /monte_carlo; returns the rule and the issues.
std::pair<StoppingRule, std::vector<xbarmc::ConfigIssue>> parse(const Json& monte_carlo) {
  Diagnostics diag;
  Json resolved = Json::object();
  Node n(monte_carlo, "/monte_carlo", diag, &resolved);
  StoppingRule r = parse_stopping(n, {1000, 0.85, 0.95});
  n.finish();
  return {r, diag.issues()};
}

bool has_issue(const std::vector<xbarmc::ConfigIssue>& issues, const std::string& pointer) {
  for (const auto& i : issues)
    if (i.pointer == pointer) return true;
  return false;
}

}  // namespace

TEST(StoppingConfig, AbsentSectionIsOffWithDefaults) {
  auto [r, issues] = parse(Json::object());
  EXPECT_TRUE(issues.empty());
  EXPECT_FALSE(r.enabled);
  EXPECT_EQ(r.max_instances, 1000u);
  EXPECT_EQ(r.threshold, 0.85);
}

TEST(StoppingConfig, ReadsEveryKey) {
  auto [r, issues] = parse(Json::parse(R"({"stopping": {"batch": 64, "max_instances": 5000,
      "width": 0.05, "target_yield": 0.9, "threshold": 0.87, "confidence": 0.99}})"));
  EXPECT_TRUE(issues.empty());
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.batch, 64u);
  EXPECT_EQ(r.max_instances, 5000u);
  EXPECT_EQ(*r.width, 0.05);
  EXPECT_EQ(*r.target_yield, 0.9);
  EXPECT_EQ(r.threshold, 0.87);
  EXPECT_EQ(r.confidence, 0.99);
  auto [off, none] = parse(Json::parse(R"({"stopping": {"enabled": false}})"));
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(off.enabled);
}

TEST(StoppingConfig, ErrorsNameTheirPointers) {
  const auto check = [](const char* text, const std::string& pointer) {
    auto [r, issues] = parse(Json::parse(text));
    EXPECT_TRUE(has_issue(issues, pointer)) << text;
  };
  check(R"({"stopping": {"width": 0}})", "/monte_carlo/stopping/width");
  check(R"({"stopping": {"width": -0.1}})", "/monte_carlo/stopping/width");
  check(R"({"stopping": {"target_yield": 1}})", "/monte_carlo/stopping/target_yield");
  check(R"({"stopping": {"target_yield": 0}})", "/monte_carlo/stopping/target_yield");
  check(R"({"stopping": {"width": 0.1, "batch": 0}})", "/monte_carlo/stopping/batch");
  check(R"({"stopping": {"width": 0.1, "confidence": 1}})", "/monte_carlo/stopping/confidence");
  check(R"({"stopping": {"width": 0.1, "threshold": 1.5}})", "/monte_carlo/stopping/threshold");
  check(R"({"stopping": {"batch": 10}})", "/monte_carlo/stopping");  // no criterion
  check(R"({"stopping": 3})", "/monte_carlo/stopping");
  check(R"({"stopping": {"width": "a"}})", "/monte_carlo/stopping/width");
  check(R"({"stopping": {"width": 0.1, "max_instances": 0}})",
        "/monte_carlo/stopping/max_instances");
  auto [r, issues] = parse(Json::parse(R"({"stopping": {"widht": 0.1, "width": 0.1}})"));
  ASSERT_TRUE(has_issue(issues, "/monte_carlo/stopping/widht"));
  EXPECT_NE(issues[0].message.find("did you mean \"width\""), std::string::npos);
}

TEST(SequentialYield, ReasonsAndBatchOrder) {
  // All pass: decided above 0.5 early, before the width target.
  std::vector<std::uint8_t> all(1000, 1);
  const auto above = run_sequential(rule(10, 1000, 0.01, 0.5), all);
  EXPECT_EQ(above.reason, StopReason::DecidedAbove);
  EXPECT_EQ(above.n % 10, 0u);
  EXPECT_GE(above.interval.lo, 0.5);
  // The same decision one batch earlier is impossible: the interval did not exclude 0.5 then.
  EXPECT_LT(beta_mixture_interval(above.n - 10, above.n - 10, 0.95).lo, 0.5);

  std::vector<std::uint8_t> none(1000, 0);
  EXPECT_EQ(run_sequential(rule(10, 1000, std::nullopt, 0.5), none).reason,
            StopReason::DecidedBelow);
  // Width only: stops at the first batch whose interval is narrow enough.
  std::vector<std::uint8_t> half(4000);
  for (std::size_t i = 0; i < half.size(); ++i) half[i] = (i * 7919) % 13 < 6;
  const auto w = run_sequential(rule(100, 4000, 0.2, std::nullopt), half);
  EXPECT_EQ(w.reason, StopReason::Width);
  EXPECT_LE(w.interval.hi - w.interval.lo, 0.2);
  // Max: a cap that is not a multiple of the batch ends with a short batch.
  const auto m = run_sequential(rule(100, 250, 0.01, std::nullopt), half);
  EXPECT_EQ(m.reason, StopReason::MaxInstances);
  EXPECT_EQ(m.n, 250u);
  // Too few flags: no decision yet.
  EXPECT_EQ(run_sequential(rule(100, 4000, 0.01, std::nullopt), std::span(half).first(150)).reason,
            StopReason::Continue);
  EXPECT_STREQ(to_string(StopReason::DecidedBelow), "below");
}

TEST(SequentialYield, CountsAndFlagsAgreeAndBatchSizeIsEnforced) {
  const StoppingRule r = rule(50, 120, 0.01, 0.8);
  SequentialYield a(r), b(r);
  std::vector<std::uint8_t> flags(50, 0);
  for (int i = 0; i < 40; ++i) flags[i] = 1;
  EXPECT_EQ(a.next_batch_size(), 50u);
  a.add_batch(flags);
  b.add_batch(40, 50);
  EXPECT_EQ(a.outcome().interval.lo, b.outcome().interval.lo);
  EXPECT_EQ(a.outcome().passed, 40u);
  EXPECT_EQ(a.next_instance(), 50u);
  EXPECT_THROW(a.add_batch(10, 20), xbarmc::InputError);
  a.add_batch(flags);
  EXPECT_EQ(a.next_batch_size(), 20u);  // the cap cuts the last batch
  a.add_batch(20, 20);
  EXPECT_TRUE(a.outcome().stopped());
  EXPECT_EQ(a.next_batch_size(), 0u);
  EXPECT_THROW(a.add_batch(0, 0), xbarmc::InputError);
}
