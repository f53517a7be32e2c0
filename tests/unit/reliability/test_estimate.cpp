// Pre-flight size estimate of a run (study/estimate.h): exact memory of the results arrays
// against a hand count, MACs of dense and convolutional networks against a hand count, and the
// refusal of absurd sizes with both estimates in the message.
#include "xbarmc/study/estimate.h"

#include <gtest/gtest.h>

#include "xbarmc/nn/layers.h"
#include "xbarmc/util/error.h"

namespace xbarmc::study {
namespace {

Study small_study(std::uint64_t instances, std::uint32_t cycles, std::size_t times,
                  std::size_t points) {
  config::Json raw = {
      {"network", {{"path", "n.h5"}}},
      {"dataset", {{"images", "a.gz"}, {"labels", "b.gz"}}},
      {"device", {{"g_min_uS", 1.0}, {"g_max_uS", 100.0}}},
      {"monte_carlo", {{"instances", instances}, {"cycles", cycles}}},
  };
  std::vector<double> t;
  for (std::size_t k = 0; k < times; ++k) t.push_back(1.0 + static_cast<double>(k));
  raw["monte_carlo"]["times_s"] = t;
  if (points > 1) {
    std::vector<double> values;
    for (std::size_t p = 0; p < points; ++p) values.push_back(0.1 * static_cast<double>(p));
    raw["sweep"] = {{"axes", {{{"pointer", "/circuit/r_wire_ohm"}, {"values", values}}}}};
  }
  return parse_study(raw, ".");
}

nn::Network mlp() {
  nn::Dense a, b;
  a.weight = Eigen::MatrixXf::Zero(784, 16);
  a.bias = Eigen::VectorXf::Zero(16);
  b.weight = Eigen::MatrixXf::Zero(16, 10);
  b.bias = Eigen::VectorXf::Zero(10);
  return nn::Network("mlp", {784}, {a, nn::ReLU{}, b});
}

TEST(Estimate, ResultsBytesAndMacsOfAnMlpMatchAHandCount) {
  const Study s = small_study(1000, 2, 3, 3);
  ASSERT_EQ(s.points.size(), 3u);
  const nn::Network net = mlp();
  EXPECT_DOUBLE_EQ(macs_per_sample(net), 784.0 * 16 + 16 * 10);
  const RunEstimate e = estimate_run(s, net, 500, 4);
  // 3 points x 1000 instances x 2 cycles x 3 times reads; each stores a float accuracy and a
  // float error per weight layer (2); one status byte per (point, instance).
  EXPECT_DOUBLE_EQ(e.evaluations, 18000.0);
  EXPECT_DOUBLE_EQ(e.results_bytes, 18000.0 * (4 + 4 * 2) + 3000.0);
  EXPECT_DOUBLE_EQ(e.macs, 18000.0 * 500 * (784.0 * 16 + 16 * 10));
  EXPECT_DOUBLE_EQ(e.time_s, e.macs / (MACS_PER_THREAD_SECOND * 4));
  EXPECT_EQ(e.threads, 4);
}

TEST(Estimate, ConvolutionCountsEveryOutputPosition) {
  // 1x8x8 input, 4 filters 3x3 with padding 1: 8x8 output positions, 9 MACs per filter each;
  // then a dense layer on the flattened 4x8x8 = 256 features.
  std::vector<float> w(4 * 1 * 3 * 3, 0.0f);
  nn::Dense d;
  d.weight = Eigen::MatrixXf::Zero(256, 10);
  d.bias = Eigen::VectorXf::Zero(10);
  const nn::Network net("cnn", {1, 8, 8},
                        {nn::conv2d_from_oihw(w, 4, 1, 3, 3, 1, 1, Eigen::VectorXf::Zero(4)),
                         nn::ReLU{}, nn::Flatten{}, d});
  EXPECT_DOUBLE_EQ(macs_per_sample(net), 9.0 * 4 * 64 + 256.0 * 10);
}

TEST(Estimate, TeraInstancesAreRefusedWithMemoryAndTime) {
  const Study s = small_study(1'000'000'000'000ULL, 1, 2, 1);
  const RunEstimate e = estimate_run(s, mlp(), 10000, 8);
  // No integer overflow: 10^12 x 2 reads x 12 bytes + 10^12 status bytes.
  EXPECT_DOUBLE_EQ(e.results_bytes, 2e12 * 12 + 1e12);
  try {
    check_run_size(e, 64.0 * (1ull << 30));
    FAIL() << "10^12 instances were not refused";
  } catch (const ConfigError& err) {
    ASSERT_EQ(err.issues().size(), 1u);
    EXPECT_EQ(err.issues()[0].pointer, "/monte_carlo/instances");
    const std::string& m = err.issues()[0].message;
    EXPECT_NE(m.find("results arrays 22.7 TiB"), std::string::npos) << m;
    EXPECT_NE(m.find("years on 8 threads"), std::string::npos) << m;
    EXPECT_NE(m.find("64 GiB of memory"), std::string::npos) << m;
  }
}

TEST(Estimate, LimitsAreHalfTheMemoryAndOneYear) {
  RunEstimate e;
  e.results_bytes = 1000;
  e.time_s = 3600;
  EXPECT_NO_THROW(check_run_size(e, 2000));  // exactly half: allowed
  EXPECT_THROW(check_run_size(e, 1999), ConfigError);
  EXPECT_NO_THROW(check_run_size(e, 0));  // unknown memory: no memory refusal
  e.time_s = 366 * 86400.0;
  EXPECT_THROW(check_run_size(e, 0), ConfigError);
  e.time_s = 364 * 86400.0;
  EXPECT_NO_THROW(check_run_size(e, 1e12));
  EXPECT_GT(physical_memory_bytes(), 1e6);
}

}  // namespace
}  // namespace xbarmc::study
