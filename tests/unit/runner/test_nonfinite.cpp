// Numerical faults: instances whose outputs are NaN or Inf get status NonFinite, are counted,
// and the run stops only past both limits (/monte_carlo/max_nonfinite and
// /monte_carlo/max_nonfinite_fraction of the run's work items).
#include <gtest/gtest.h>

#include <cmath>

#include "common/random_mlp.h"
#include "xbarmc/runner/runner.h"
#include "xbarmc/study/study.h"
#include "xbarmc/util/rng.h"

using namespace xbarmc;
using config::Json;

namespace {

constexpr std::uint64_t kInstances = 8;

struct Fixture {
  nn::Network net;
  data::Dataset data;
};

Fixture make_fixture() {
  RandomStream s(5, StreamId{});
  nn::Network net = test::random_mlp(s, "nonfinite_mlp", 16, 12, 10);
  data::Dataset data = test::self_labelled(s, net, 64);
  return Fixture{std::move(net), std::move(data)};
}

//! Two points: sigma_rel 0.1 (finite) and 1e300 with the clamp at 1e300 uS: the programmed
//! conductances become +Inf (the float cast) or 0, so every instance of point 1 gives NaN/Inf
//! logits (Inf - Inf of the differential pair, 0 * Inf), every instance of point 0 is finite.
Json study_config(std::uint64_t max_nonfinite, double fraction) {
  Json j = Json::parse(R"({
    "name": "nonfinite_test", "seed": 3,
    "network": {"path": "unused.h5"},
    "dataset": {"format": "hdf5", "path": "unused.h5"},
    "mapping": {"tile_rows": 8, "tile_cols": 8, "g_min_uS": 1, "g_max_uS": 50},
    "device": {"g_min_uS": 1, "g_max_uS": 50,
               "programming": {"g_clamp_max_uS": 1e300,
                               "d2d": {"enabled": true, "form": "relative", "sigma_rel": 0.1}}},
    "monte_carlo": {"instances": 8, "cycles": 1, "times_s": [1], "batch_size": 64, "probe_size": 16},
    "sweep": {"axes": [{"pointer": "/device/programming/d2d/sigma_rel", "values": [0.1, 1e300]}]}
  })");
  j["monte_carlo"]["max_nonfinite"] = max_nonfinite;
  j["monte_carlo"]["max_nonfinite_fraction"] = fraction;
  return j;
}

study::StudyResults run(const Json& cfg, const Fixture& f, int threads) {
  const study::Study study = study::parse_study(cfg, ".");
  runner::RunOptions o;
  o.threads = threads;
  o.quiet = true;
  return runner::run_study(study, f.net, f.data, o);
}

std::size_t count_status(const study::StudyResults& r, study::InstanceStatus s) {
  std::size_t n = 0;
  for (const auto& p : r.points)
    for (auto st : p.status) n += st == static_cast<std::uint8_t>(s) ? 1 : 0;
  return n;
}

}  // namespace

TEST(NonFinite, LimitNeedsBothCountAndFraction) {
  study::MonteCarloParams mc;
  mc.max_nonfinite = 10;
  mc.max_nonfinite_fraction = 0.1;
  EXPECT_FALSE(runner::nonfinite_limit_exceeded(mc, 10, 20));   // count not above 10
  EXPECT_FALSE(runner::nonfinite_limit_exceeded(mc, 11, 110));  // 11 = 0.1 x 110, not above
  EXPECT_TRUE(runner::nonfinite_limit_exceeded(mc, 11, 109));
  mc.max_nonfinite_fraction = 1;  // never: the count cannot exceed the items
  EXPECT_FALSE(runner::nonfinite_limit_exceeded(mc, 50, 50));
  mc.max_nonfinite = 0;
  mc.max_nonfinite_fraction = 0;  // stop at the first one
  EXPECT_TRUE(runner::nonfinite_limit_exceeded(mc, 1, 1000));
  EXPECT_FALSE(runner::nonfinite_limit_exceeded(mc, 0, 1000));
  const std::string msg = runner::nonfinite_limit_message(mc, 3, 16);
  for (const char* part : {"3 instances", "/monte_carlo/max_nonfinite = 0",
                           "/monte_carlo/max_nonfinite_fraction = 0", "16 work items"})
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
}

TEST(NonFinite, ConfigKeysAreValidated) {
  Json j = study_config(5, 0.1);
  j["monte_carlo"]["max_nonfinite_fraction"] = 1.5;
  j["monte_carlo"]["max_nonfinite"] = -1;
  try {
    (void)study::parse_study(j, ".");
    FAIL() << "accepted an out-of-range limit";
  } catch (const ConfigError& e) {
    std::string pointers;
    for (const auto& issue : e.issues()) pointers += issue.pointer + " ";
    EXPECT_NE(pointers.find("/monte_carlo/max_nonfinite_fraction"), std::string::npos) << pointers;
    EXPECT_NE(pointers.find("/monte_carlo/max_nonfinite "), std::string::npos) << pointers;
  }
  Json plain = study_config(0, 0);
  plain["monte_carlo"].erase("max_nonfinite");
  plain["monte_carlo"].erase("max_nonfinite_fraction");
  const study::Study defaults = study::parse_study(plain, ".");
  EXPECT_EQ(defaults.monte_carlo.max_nonfinite, 100u);
  EXPECT_EQ(defaults.monte_carlo.max_nonfinite_fraction, 0.1);
}

// Below the limits: the run goes on to the end; every instance of the extreme point is
// NonFinite with NaN accuracy, every other one Ok, and the count is reported.
TEST(NonFinite, BelowTheLimitsTheRunCompletes) {
  const Fixture f = make_fixture();
  // 8 of 16 items are non-finite: not above 8 (count), and not above 0.5 x 16 (fraction).
  for (const Json& cfg : {study_config(kInstances, 0.0), study_config(0, 0.5)}) {
    const study::StudyResults r = run(cfg, f, 2);
    EXPECT_FALSE(r.nonfinite_limit);
    EXPECT_FALSE(r.interrupted);
    EXPECT_EQ(r.nonfinite, kInstances);
    EXPECT_EQ(r.evaluated_items, 2 * kInstances);
    for (std::uint64_t i = 0; i < kInstances; ++i) {
      EXPECT_EQ(r.points[0].status[i], static_cast<std::uint8_t>(study::InstanceStatus::Ok));
      EXPECT_TRUE(std::isfinite(r.points[0].accuracy[i]));
      EXPECT_EQ(r.points[1].status[i], static_cast<std::uint8_t>(study::InstanceStatus::NonFinite));
      EXPECT_TRUE(std::isnan(r.points[1].accuracy[i]));
    }
  }
}

// Above both limits: no item starts after the count passed them. With one thread no other
// item is in flight, so exactly max_nonfinite + 1 instances are NonFinite and the rest of
// the extreme point stays NotRun (a partial result). With two threads at most one more.
TEST(NonFinite, AboveTheLimitsTheRunStops) {
  const Fixture f = make_fixture();
  for (int threads : {1, 2}) {
    const study::StudyResults r = run(study_config(2, 0.1), f, threads);
    EXPECT_TRUE(r.nonfinite_limit);
    EXPECT_FALSE(r.interrupted);
    const std::size_t bad = count_status(r, study::InstanceStatus::NonFinite);
    EXPECT_EQ(bad, r.nonfinite);
    if (threads == 1) {
      EXPECT_EQ(bad, 3u);
    }
    EXPECT_GE(bad, 3u);
    EXPECT_LE(bad, 2u + static_cast<std::size_t>(threads));
    EXPECT_GT(count_status(r, study::InstanceStatus::NotRun), 0u);
  }
  // The fraction alone: 0.25 x 16 = 4, so the fifth non-finite instance stops the run.
  const study::StudyResults r = run(study_config(0, 0.25), f, 1);
  EXPECT_TRUE(r.nonfinite_limit);
  EXPECT_EQ(count_status(r, study::InstanceStatus::NonFinite), 5u);
}
