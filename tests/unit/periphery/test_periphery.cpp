// GCC 12 reports false -Wmaybe-uninitialized inside Eigen 3.4's AVX-512 reductions
// under -march=native (the warning is in Eigen, not here).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <gtest/gtest.h>

#include <cmath>

#include "xbarmc/util/error.h"
#include "xbarmc/periphery/periphery.h"

using namespace xbarmc;
using namespace xbarmc::periphery;

TEST(Quantize, MidTreadLevelsAndSaturation) {
  // 3 bits over [-1, 1]: max code 3, step 1/3; zero is a level; beyond +-1 saturates.
  Eigen::MatrixXf x(1, 7);
  x << 0.0f, 0.1f, 0.17f, -0.5f, 0.99f, 1.7f, -5.0f;
  quantize(3, 1.0f, x);
  const float s = 1.0f / 3.0f;
  EXPECT_FLOAT_EQ(x(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(x(0, 1), 0.0f);
  EXPECT_FLOAT_EQ(x(0, 2), s);
  EXPECT_FLOAT_EQ(x(0, 3), -2 * s);  // -1.5 steps rounds to even: -2
  EXPECT_FLOAT_EQ(x(0, 4), 1.0f);
  EXPECT_FLOAT_EQ(x(0, 5), 1.0f);
  EXPECT_FLOAT_EQ(x(0, 6), -1.0f);
}

TEST(Quantize, ErrorBoundedByHalfStep) {
  Eigen::MatrixXf x(1, 2001), q;
  for (int k = 0; k <= 2000; ++k) x(0, k) = -2.0f + 0.002f * static_cast<float>(k);
  q = x;
  AdcParams adc;
  adc.bits = 8;
  quantize_adc(adc, 2.0f, q);
  const float step = 2.0f / 127.0f;
  for (int k = 0; k <= 2000; ++k) EXPECT_LE(std::abs(q(0, k) - x(0, k)), 0.5f * step * 1.0001f);
  DacParams ideal;  // bits = 0: no-op
  Eigen::MatrixXf y = x;
  quantize_dac(ideal, 1.0f, y);
  EXPECT_EQ(y, x);
}

TEST(Quantize, PerColumnRanges) {
  Eigen::MatrixXf y(2, 2);
  y << 0.9f, 9.0f, -3.0f, 30.0f;
  const Eigen::VectorXf r = calibrate_column_ranges(y);
  EXPECT_FLOAT_EQ(r(0), 3.0f);
  EXPECT_FLOAT_EQ(r(1), 30.0f);
  AdcParams adc;
  adc.bits = 2;  // codes -1, 0, 1
  quantize_adc(adc, r, y);
  EXPECT_FLOAT_EQ(y(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(y(1, 0), -3.0f);
  EXPECT_FLOAT_EQ(y(0, 1), 0.0f);
  EXPECT_FLOAT_EQ(y(1, 1), 30.0f);
  EXPECT_THROW(quantize_adc(adc, Eigen::VectorXf::Ones(3), y), InputError);
}

TEST(DriftCompensation, RecoversKnownScale) {
  Eigen::MatrixXf y0(3, 2), yt(3, 2);
  y0 << 1, -2, 3, 4, -5, 6;
  yt = y0;
  yt.col(0) *= 0.5f;
  yt.col(1) *= 0.8f;
  // Global: mean|y0| = 21/6, mean|yt| = (9*0.5 + 12*0.8)/6.
  EXPECT_NEAR(drift_factor_global(y0, yt), 21.0 / (4.5 + 9.6), 1e-6);
  const Eigen::VectorXf f = drift_factor_per_column(y0, yt);
  EXPECT_NEAR(f(0), 2.0, 1e-6);
  EXPECT_NEAR(f(1), 1.25, 1e-6);
  apply_column_factors(f, yt);
  EXPECT_TRUE(yt.isApprox(y0, 1e-6f));
}

namespace {
std::vector<ConfigIssue> parse(const std::string& text, PeripheryParams& p) {
  const config::Json j = config::Json::parse(text);
  config::Diagnostics diag;
  config::Node node(j, "/periphery", diag, nullptr);
  parse_periphery(node, p);
  return diag.issues();
}
}  // namespace

TEST(PeripheryConfig, ParsesAndReportsErrors) {
  PeripheryParams p;
  EXPECT_TRUE(parse(R"({"dac": {"bits": 8, "range_mode": "fixed", "range": 1.0},
                        "adc": {"bits": 6, "per_column": false}, "drift_compensation": "global",
                        "v_read_V": 0.1})",
                    p)
                  .empty());
  EXPECT_EQ(p.dac.bits, 8);
  EXPECT_EQ(p.dac.range_mode, RangeMode::Fixed);
  EXPECT_EQ(p.adc.range_mode, RangeMode::Calibrated);
  EXPECT_FALSE(p.adc.per_column);
  EXPECT_EQ(p.drift_compensation, DriftCompensation::Global);
  PeripheryParams q;
  const auto issues = parse(R"({"adc": {"bits": 1, "range": 2}, "drift_compensaton": "none"})", q);
  ASSERT_EQ(issues.size(), 3u);
  EXPECT_EQ(issues[0].pointer, "/periphery/adc/bits");
  EXPECT_EQ(issues[1].pointer, "/periphery/adc/range");
  EXPECT_EQ(issues[2].pointer, "/periphery/drift_compensaton");
  EXPECT_NE(issues[2].message.find("drift_compensation"), std::string::npos);
}
