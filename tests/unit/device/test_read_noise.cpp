#include "helpers.h"
#include "xbarmc/device/read_noise.h"
#include "xbarmc/device/stages.h"

using namespace test_device;

// The output-referred sampler against a per-device simulation (small sizes): for each
// output, both sample means match V G and both sample variances match sum_i V^2 sigma^2.
// n = 20000 reads: mean se = sqrt(var/n), variance se = var sqrt(2/n); 5-se bands.
TEST(ReadNoise, OutputReferredMatchesPerDevice) {
  const int batch = 3, rows = 8, cols = 4, n = 20000;
  Eigen::MatrixXf v(batch, rows), g(rows, cols), sigma(rows, cols);
  RandomStream setup(1, StreamId{});
  for (Eigen::Index k = 0; k < v.size(); ++k)
    v.data()[k] = static_cast<float>(0.2 * setup.uniform01());
  for (Eigen::Index k = 0; k < g.size(); ++k)
    g.data()[k] = static_cast<float>(1 + 20 * setup.uniform01());
  for (Eigen::Index k = 0; k < g.size(); ++k)
    sigma.data()[k] = static_cast<float>(0.05 * g.data()[k]);
  const Eigen::MatrixXd ideal = (v * g).cast<double>();
  const Eigen::MatrixXd var =
      (v.array().square().matrix() * sigma.array().square().matrix()).cast<double>();

  Eigen::MatrixXd s_out = Eigen::MatrixXd::Zero(batch, cols), s2_out = s_out, s_dev = s_out,
                  s2_dev = s_out;
  RandomStream out_stream(2, StreamId{0, Purpose::ReadNoise, 0, 0, 0, 0});
  RandomStream dev_stream(3, StreamId{});
  RowMajorXf i_out(batch, cols);
  Eigen::MatrixXf g_noisy(rows, cols);
  for (int r = 0; r < n; ++r) {
    i_out = v * g;
    add_read_noise(v, sigma, out_stream, i_out);
    for (Eigen::Index k = 0; k < g.size(); ++k)
      g_noisy.data()[k] = static_cast<float>(g.data()[k] + sigma.data()[k] * dev_stream.normal());
    const Eigen::MatrixXd i_dev = (v * g_noisy).cast<double>();
    const Eigen::MatrixXd d_out = i_out.cast<double>() - ideal, d_dev = i_dev - ideal;
    s_out += d_out;
    s2_out += d_out.array().square().matrix();
    s_dev += d_dev;
    s2_dev += d_dev.array().square().matrix();
  }
  for (int b = 0; b < batch; ++b)
    for (int j = 0; j < cols; ++j) {
      const double m_out = s_out(b, j) / n, m_dev = s_dev(b, j) / n;
      const double v_out = s2_out(b, j) / n - m_out * m_out,
                   v_dev = s2_dev(b, j) / n - m_dev * m_dev;
      const double se_m = std::sqrt(var(b, j) / n), se_v = var(b, j) * std::sqrt(2.0 / n);
      EXPECT_NEAR(m_out, 0.0, 5 * se_m + 1e-6);
      EXPECT_NEAR(m_dev, 0.0, 5 * se_m + 1e-6);
      EXPECT_NEAR(v_out, var(b, j), 5 * se_v);
      EXPECT_NEAR(v_dev, var(b, j), 5 * se_v);
      EXPECT_NEAR(v_out, v_dev, 5 * std::sqrt(2.0) * se_v);
    }
}

// read_sigma: relative form and the PCM 1/f formula of Nandakumar 2019 (aihwkit).
TEST(ReadNoise, SigmaFormulas) {
  const DeviceParams rel =
      parse(R"({"g_min_uS": 0, "g_max_uS": 25, "read_noise": {"sigma_rel": 0.02}})");
  TileDevices dev;
  Eigen::MatrixXf target(2, 2);
  target << 0.0f, 5.0f, 12.5f, 25.0f;
  dev.draw_instance(rel, TileKey{}, target);
  dev.program(rel, TileKey{}, 0);
  Eigen::MatrixXf s(2, 2);
  dev.read_sigma(rel, 10.0, target, s);
  EXPECT_TRUE(s.isApprox(0.02f * target));

  const DeviceParams pcm =
      parse(R"({"preset": "pcm_ibm", "programming": {"c2c": {"enabled": false}}})");
  dev.draw_instance(pcm, TileKey{}, target);
  dev.program(pcm, TileKey{}, 0);
  const double t = 3600.0;
  Eigen::MatrixXf g_t = 0.8f * target;
  dev.read_sigma(pcm, t, g_t, s);
  for (Eigen::Index k = 0; k < s.size(); ++k) {
    const double x = std::max(target.data()[k] / 25.0, 1e-3);
    const double q = std::min(0.0088 / std::pow(x, 0.65), 0.2);
    const double expect = g_t.data()[k] * q * std::sqrt(std::log((t + 20 + 250e-9) / (2 * 250e-9)));
    EXPECT_NEAR(s.data()[k], expect, 1e-5 * (1 + expect));
  }
  DeviceParams off = pcm;
  off.read_noise.enabled = false;
  dev.read_sigma(off, t, g_t, s);
  EXPECT_EQ(s.cwiseAbs().maxCoeff(), 0.0f);
}
