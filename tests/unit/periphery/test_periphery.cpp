#include <gtest/gtest.h>

#include <cmath>

#include "xbarmc/periphery/periphery.h"
#include "xbarmc/periphery/quantizer.h"
#include "xbarmc/util/error.h"

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

namespace {

//! A tile of 3 rows and `weight_cols` weight columns under `scheme`.
mapping::TileSpec tile(int weight_cols, mapping::Scheme scheme) {
  mapping::TileSpec t;
  t.rows = 3;
  t.weight_cols = weight_cols;
  t.phys_cols = mapping::physical_columns(scheme, weight_cols);
  return t;
}

}  // namespace

// Closed form: every column k of G_eff scaled by s_k between t0 and t. The reference read is
// the column sums S_k; the global factor is sum S_k / sum s_k S_k and the per-column factor of
// pair (a, b) is (S_a + S_b) / (s_a S_a + s_b S_b).
TEST(DriftCompensation, ReferenceReadClosedForm) {
  Eigen::MatrixXf g0(3, 4);
  g0 << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
  const Eigen::Vector4f s(0.5f, 0.5f, 0.8f, 0.9f);
  const Eigen::MatrixXf gt = g0 * s.asDiagonal();
  Eigen::VectorXf r0, rt;
  reference_read(g0, r0);
  reference_read(gt, rt);
  EXPECT_FLOAT_EQ(r0(0), 15.0f);
  EXPECT_FLOAT_EQ(r0(3), 24.0f);
  const double S[4] = {15, 18, 21, 24};
  EXPECT_NEAR(drift_factor_global(r0, rt),
              (15.0 + 18 + 21 + 24) / (0.5 * 15 + 0.5 * 18 + 0.8 * 21 + 0.9 * 24), 1e-6);
  Eigen::VectorXf f;
  drift_factors_per_column(r0, rt, mapping::Scheme::Differential,
                           tile(2, mapping::Scheme::Differential), f);
  ASSERT_EQ(f.size(), 2);
  EXPECT_NEAR(f(0), 2.0, 1e-6);  // both devices of pair 0 lost half
  EXPECT_NEAR(f(1), (S[2] + S[3]) / (0.8 * S[2] + 0.9 * S[3]), 1e-6);
  // Offset scheme: 3 weight columns, column 3 is the reference of every pair.
  drift_factors_per_column(r0, rt, mapping::Scheme::Offset, tile(3, mapping::Scheme::Offset), f);
  ASSERT_EQ(f.size(), 3);
  for (int j = 0; j < 3; ++j)
    EXPECT_NEAR(f(j), (S[j] + S[3]) / (s(j) * S[j] + s(3) * S[3]), 1e-6) << j;
}

// One drift factor for every device (a uniform power law): compensation restores the weights
// exactly, w(t) f = w_per_uS (s G+ - s G-) / s = w.
TEST(DriftCompensation, UniformDriftRestoresWeights) {
  Eigen::MatrixXf g0(3, 4);
  g0 << 10, 2, 3, 14, 5, 16, 7, 8, 19, 1, 11, 2;
  const float s = 0.73f;
  const Eigen::MatrixXf gt = s * g0;
  Eigen::VectorXf r0, rt, f;
  reference_read(g0, r0);
  reference_read(gt, rt);
  drift_factors_per_column(r0, rt, mapping::Scheme::Differential,
                           tile(2, mapping::Scheme::Differential), f);
  const mapping::TileSpec t = tile(2, mapping::Scheme::Differential);
  for (int j = 0; j < 2; ++j) {
    const mapping::ColumnPair c = mapping::pair_columns(mapping::Scheme::Differential, t, j);
    const Eigen::VectorXf w0 = g0.col(c.plus) - g0.col(c.minus);
    const Eigen::VectorXf wt = f(j) * (gt.col(c.plus) - gt.col(c.minus));
    EXPECT_TRUE(wt.isApprox(w0, 1e-6f)) << j;
  }
  EXPECT_NEAR(drift_factor_global(r0, rt), 1.0 / s, 1e-6);
  // An all-zero read at t gives a large finite factor, not a division by zero.
  EXPECT_TRUE(std::isfinite(drift_factor_global(r0, Eigen::VectorXf::Zero(4))));
  EXPECT_THROW(drift_factor_global(r0, Eigen::VectorXf::Zero(3)), InputError);
}

// The scalar and AVX-512 forms of the one quantiser give the same bits, ties go to even, NaN
// passes through and values beyond full scale saturate.
TEST(Quantizer, VectorAndScalarFormsAgreeBitwise) {
  const int bits = 4;
  // Full scale 7/8: step 1/8 and its inverse are exact, so the ties below are exact ties.
  const float range = 0.875f, mc = max_code(bits), step = quantizer_step(bits, range);
  ASSERT_EQ(mc, 7.0f);
  ASSERT_EQ(step, 0.125f);
  std::vector<float> in;
  for (int k = -200; k <= 200; ++k) in.push_back(0.01f * static_cast<float>(k));
  in.push_back(std::nanf(""));
  in.push_back(2.5f * step);   // a tie: 2.5 steps -> 2 steps (to even)
  in.push_back(-3.5f * step);  // -3.5 steps -> -4 steps
  std::vector<float> out(in.size());
  quantize_values(in.data(), out.data(), static_cast<std::ptrdiff_t>(in.size()), step, mc);
  for (std::size_t k = 0; k < in.size(); ++k) {
    const float scalar = quantize_value(in[k], step, 1.0f / step, mc);
    if (std::isnan(in[k])) {
      EXPECT_TRUE(std::isnan(out[k]) && std::isnan(scalar));
      continue;
    }
    EXPECT_EQ(out[k], scalar) << in[k];
    EXPECT_LE(std::abs(out[k]), range * 1.000001f);
  }
  EXPECT_EQ(out[in.size() - 2], 2 * step);
  EXPECT_EQ(out[in.size() - 1], -4 * step);
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
