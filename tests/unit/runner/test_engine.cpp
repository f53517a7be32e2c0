#include <gtest/gtest.h>

#include <cmath>

#include "common/random_mlp.h"
#include "xbarmc/runner/runner.h"
#include "xbarmc/study/study.h"
#include "xbarmc/util/rng.h"

using namespace xbarmc;
using config::Json;

namespace {

//! A small random MLP 32-24-10 and a dataset labelled by the network itself, so the software
//! accuracy is 1 and every analog error shows up as a misclassification.
struct Fixture {
  nn::Network net;
  data::Dataset data;
};

Fixture make_fixture(std::size_t samples = 300) {
  RandomStream s(99, StreamId{});
  nn::Network net = test::random_mlp(s, "test_mlp", 32, 24, 10);
  data::Dataset data = test::self_labelled(s, net, samples);
  return Fixture{std::move(net), std::move(data)};
}

Json base_config() {
  return Json::parse(R"({
    "name": "engine_test", "seed": 7,
    "network": {"path": "unused.h5"},
    "dataset": {"format": "hdf5", "path": "unused.h5"},
    "mapping": {"tile_rows": 16, "tile_cols": 16, "g_min_uS": 1, "g_max_uS": 50},
    "device": {"g_min_uS": 1, "g_max_uS": 50,
               "programming": {"d2d": {"enabled": true, "form": "relative", "sigma_rel": 0.1},
                               "c2c": {"enabled": true, "form": "absolute", "sigma_uS": 1.0}},
               "faults": {"enabled": true, "stuck_at_g_min_rate": 0.01, "stuck_at_g_max_rate": 0.005},
               "drift": {"enabled": true, "nu_form": "normal", "nu_mean": 0.05, "nu_sigma": 0.01},
               "read_noise": {"enabled": true, "form": "relative", "sigma_rel": 0.02}},
    "circuit": {"r_wire_row_ohm": 2, "r_wire_col_ohm": 2},
    "periphery": {"dac": {"bits": 8}, "adc": {"bits": 8}},
    "monte_carlo": {"instances": 12, "cycles": 2, "times_s": [1, 3600], "batch_size": 128, "probe_size": 32},
    "statistics": {"thresholds": [0.9, 0.95]},
    "sweep": {"axes": [{"pointer": "/device/programming/d2d/sigma_rel", "values": [0.02, 0.1, 0.2]}]}
  })");
}

study::StudyResults run(const Json& cfg, const Fixture& f, int threads,
                        std::vector<std::size_t> order = {},
                        std::vector<std::uint64_t> instances = {}) {
  const study::Study study = study::parse_study(cfg, ".");
  runner::RunOptions o;
  o.threads = threads;
  o.quiet = true;
  o.point_order = std::move(order);
  o.instances = std::move(instances);
  return runner::run_study(study, f.net, f.data, o);
}

void expect_bit_identical(const study::StudyResults& a, const study::StudyResults& b) {
  ASSERT_EQ(a.points.size(), b.points.size());
  for (std::size_t p = 0; p < a.points.size(); ++p) {
    EXPECT_EQ(0, std::memcmp(a.points[p].accuracy.data(), b.points[p].accuracy.data(),
                             a.points[p].accuracy.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(a.points[p].layer_error.data(), b.points[p].layer_error.data(),
                             a.points[p].layer_error.size() * sizeof(float)));
    EXPECT_EQ(a.points[p].status, b.points[p].status);
  }
}

}  // namespace

TEST(Engine, BitIdenticalForThreadCountsAndPointOrder) {
  const Fixture f = make_fixture();
  const Json cfg = base_config();
  const auto one = run(cfg, f, 1);
  const auto two = run(cfg, f, 2);
  const auto reversed = run(cfg, f, 2, {2, 1, 0});
  expect_bit_identical(one, two);
  expect_bit_identical(one, reversed);
  for (const auto& p : one.points)
    for (auto s : p.status) EXPECT_EQ(s, static_cast<std::uint8_t>(study::InstanceStatus::Ok));
}

TEST(Engine, ReplayOfOneInstanceEqualsFullRun) {
  const Fixture f = make_fixture();
  const Json cfg = base_config();
  const auto full = run(cfg, f, 2);
  const auto replay = run(cfg, f, 1, {}, {5});
  const std::size_t per = 2 * 2;  // cycles x times
  for (std::size_t p = 0; p < full.points.size(); ++p)
    for (std::size_t k = 0; k < per; ++k)
      EXPECT_EQ(full.points[p].accuracy[5 * per + k], replay.points[p].accuracy[5 * per + k]);
}

// Every stage off, ideal DAC/ADC, no wire resistance: the analog network must give exactly
// the software predictions on every sample, for every instance (issue: analytic limits).
TEST(Engine, NoVariabilityReproducesSoftwarePredictions) {
  const Fixture f = make_fixture(500);
  Json cfg = base_config();
  cfg.erase("sweep");
  cfg["device"] = Json::parse(R"({"g_min_uS": 1, "g_max_uS": 50})");
  cfg["circuit"] = Json::object();
  cfg["periphery"] = Json::object();
  const auto r = run(cfg, f, 2);
  ASSERT_EQ(r.software_accuracy, 1.0);
  EXPECT_EQ(r.points[0].noise_free_accuracy, 1.0);
  for (float a : r.points[0].accuracy) EXPECT_EQ(a, 1.0f);
  for (float e : r.points[0].layer_error) EXPECT_LT(e, 1e-5f);  // float rounding only
}

// With quantisation and wire resistance but no device variability, every instance is the same
// chip: each equals the noise-free mapped accuracy.
TEST(Engine, ZeroVariabilityEqualsNoiseFreeMappedAccuracy) {
  const Fixture f = make_fixture();
  Json cfg = base_config();
  cfg.erase("sweep");
  cfg["device"] = Json::parse(R"({"g_min_uS": 1, "g_max_uS": 50})");
  cfg["circuit"] = Json::parse(R"({"r_wire_row_ohm": 20, "r_wire_col_ohm": 20})");
  cfg["periphery"] = Json::parse(R"({"dac": {"bits": 4}, "adc": {"bits": 4}})");
  cfg["monte_carlo"]["times_s"] = Json::array({1});
  const auto r = run(cfg, f, 2);
  EXPECT_LT(r.points[0].noise_free_accuracy, 1.0);  // the periphery and wires do cost accuracy
  for (float a : r.points[0].accuracy)
    EXPECT_EQ(a, static_cast<float>(r.points[0].noise_free_accuracy));
}

// Common random numbers: the same instance sees the same draws at every sigma, so the mean
// accuracy falls monotonically with the D2D sigma (0.02 -> 0.1 -> 0.2), and no instance
// improves by more than the read-noise jitter between neighbouring points.
TEST(Engine, AccuracyFallsWithSigmaUnderCommonRandomNumbers) {
  const Fixture f = make_fixture();
  Json cfg = base_config();
  cfg["monte_carlo"]["cycles"] = 1;
  cfg["monte_carlo"]["instances"] = 16;
  const auto r = run(cfg, f, 2);
  std::vector<double> mean(3, 0.0);
  for (std::size_t p = 0; p < 3; ++p)
    for (float a : r.points[p].accuracy)
      mean[p] += a / static_cast<double>(r.points[p].accuracy.size());
  EXPECT_GT(mean[0], mean[1]);
  EXPECT_GT(mean[1], mean[2]);
}

// A device stage is sweepable as a switch: sweeping /device/random_telegraph/enabled over
// [false, true] gives, at the point where it is off, the same bits as a study without the stage
// (its own stream shifts no other draw), and at the point where it is on, other accuracies.
TEST(Engine, DeviceStageSweepableAsSwitch) {
  const Fixture f = make_fixture(200);
  Json without = base_config();
  without["sweep"] = Json::object();
  without.erase("sweep");
  Json swept = without;
  swept["device"]["random_telegraph"] = Json::parse(R"({"amplitude_rel": 0.3, "occupancy": 0.5})");
  swept["sweep"] = Json::parse(
      R"({"axes": [{"pointer": "/device/random_telegraph/enabled", "values": [false, true]}]})");
  const study::StudyResults a = run(without, f, 2), b = run(swept, f, 2);
  ASSERT_EQ(b.points.size(), 2u);
  EXPECT_EQ(a.points[0].accuracy, b.points[0].accuracy);
  EXPECT_EQ(a.points[0].layer_error, b.points[0].layer_error);
  EXPECT_NE(b.points[0].layer_error, b.points[1].layer_error);
}
