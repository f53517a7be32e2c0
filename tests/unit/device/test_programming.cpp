#include "helpers.h"
#include "xbarmc/device/stages.h"

using namespace test_device;

namespace {

// Programmed tile at a constant target with only the given component enabled.
Eigen::MatrixXf programmed_error(const DeviceParams& p, double g0, std::uint64_t instance = 0) {
  TileDevices dev;
  const Eigen::MatrixXf target = Eigen::MatrixXf::Constant(N_SIDE, N_SIDE, static_cast<float>(g0));
  dev.draw_instance(p, TileKey{11, instance, 0, 0}, target);
  dev.program(p, TileKey{11, instance, 0, 0}, 0);
  return dev.programmed_uS() - target;
}

std::string device_json(const std::string& stage, const std::string& model) {
  return R"({"g_min_uS": 2.0, "g_max_uS": 40.0, "programming": {")" + stage + R"(": )" + model +
         "}}";
}

struct FormCase {
  std::string model;
  double g0;
  double sigma;  // expected sigma at g0 from the form's formula
};

}  // namespace

// Each Gaussian form, as D2D and as C2C: sampled mean 0 and sd = model sigma.
TEST(Programming, GaussianFormsMatchModel) {
  const std::vector<FormCase> cases = {
      {R"({"form": "absolute", "sigma_uS": 0.7})", 20.0, 0.7},
      {R"({"form": "relative", "sigma_rel": 0.05})", 20.0, 1.0},
      {R"({"form": "range", "sigma_rel": 0.02})", 20.0, 0.76},
      {R"({"form": "polynomial", "coeffs_uS": [0.2, 1.5, -0.5], "g_ref_uS": 40.0})", 20.0,
       0.2 + 0.75 - 0.125},
  };
  for (const auto& stage : {"d2d", "c2c"}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(std::string(stage) + " " + c.model);
      const DeviceParams p = parse(device_json(stage, c.model));
      expect_gaussian_moments(moments(programmed_error(p, c.g0)), 0.0, c.sigma);
    }
  }
}

// Lognormal in resistance: ln(R/R0) = -ln(G/G0) ~ N(0, s^2), s interpolated linearly in R
// between R_on = 1/g_max (s = 0.1) and R_off = 1/g_min (s = 0.5).
TEST(Programming, LognormalParametersRecovered) {
  const DeviceParams p = parse(device_json(
      "d2d", R"({"form": "lognormal", "log_sigma_r_on": 0.1, "log_sigma_r_off": 0.5})"));
  for (const double g0 : {40.0, 4.0}) {
    SCOPED_TRACE(g0);
    const double r_on = 1 / 40.0, r_off = 1 / 2.0, r = 1 / g0;
    const double s = 0.1 + (r - r_on) / (r_off - r_on) * 0.4;
    EXPECT_NEAR(lognormal_log_sigma(p.programming.d2d, g0, 2.0, 40.0), s, 1e-12);
    TileDevices dev;
    const Eigen::MatrixXf target =
        Eigen::MatrixXf::Constant(N_SIDE, N_SIDE, static_cast<float>(g0));
    dev.draw_instance(p, TileKey{5, 1, 0, 0}, target);
    Eigen::MatrixXf log_r = (dev.d2d_uS().array() / static_cast<float>(g0)).log() * -1.0f;
    expect_gaussian_moments(moments(log_r), 0.0, s);
  }
}

// The PCM preset reproduces sigma_prog = 0.26348 + 1.9650 x - 1.1731 x^2 uS (Nandakumar
// 2019): 0.6096 uS at x = 0.2 and 1.0554 uS at x = 1 (the 0.61 / 1.06 of device-models.md).
TEST(Programming, PcmPresetSigmaProg) {
  const DeviceParams p = parse(R"({"preset": "pcm_ibm", "drift": {"enabled": false}})");
  for (const auto& [x, sigma] : {std::pair{0.2, 0.609556}, std::pair{1.0, 1.05538}}) {
    SCOPED_TRACE(x);
    EXPECT_NEAR(form_sigma_uS(p.programming.c2c, 25.0 * x, 0, 25), sigma, 1e-5);
    EXPECT_NEAR(sigma, x == 0.2 ? 0.61 : 1.06, 0.005);
    expect_gaussian_moments(moments(programmed_error(p, 25.0 * x)), 0.0, sigma);
  }
}

// Write-verify with tolerance = sigma: an attempt fails with p = P(|z| > 1) = 0.31731;
// after k attempts the failing fraction is p^k. Binomial band: 5 sqrt(n q (1-q)).
TEST(Programming, WriteVerifyFailFractionIsGeometric) {
  const DeviceParams p = parse(R"({"g_min_uS": 0, "g_max_uS": 40, "programming": {
      "c2c": {"form": "absolute", "sigma_uS": 0.5},
      "write_verify": {"tolerance_uS": 0.5, "max_iterations": 3}}})");
  const Eigen::MatrixXf err = programmed_error(p, 20.0);
  const double q = std::pow(std::erfc(1.0 / std::sqrt(2.0)), 3),
               n = static_cast<double>(err.size());
  const double fails = static_cast<double>((err.array().abs() > 0.5f).count());
  EXPECT_NEAR(fails, n * q, 5 * std::sqrt(n * q * (1 - q)));
}

// Clamp: G_prog never leaves [0, g_clamp_max_uS].
TEST(Programming, ClampedIntoRange) {
  const DeviceParams p = parse(R"({"g_min_uS": 0, "g_max_uS": 10, "programming": {
      "c2c": {"form": "absolute", "sigma_uS": 5.0}, "g_clamp_max_uS": 12}})");
  const Eigen::MatrixXf err = programmed_error(p, 5.0);
  EXPECT_GE(err.minCoeff(), -5.0f);
  EXPECT_LE(err.maxCoeff(), 7.0f);
  EXPECT_GT((err.array() == -5.0f).count(), 0);
  EXPECT_GT((err.array() == 7.0f).count(), 0);
}

// All stages off: G_prog equals the target exactly.
TEST(Programming, AllStagesOffIsIdentity) {
  const DeviceParams p = parse(R"({"g_min_uS": 0, "g_max_uS": 10})");
  EXPECT_EQ(programmed_error(p, 3.25).cwiseAbs().maxCoeff(), 0.0f);
}

// Faults: counts of stuck devices fall in their binomial interval (5 sd) and the stuck
// devices hold g_min / g_max.
TEST(Faults, CountsAreBinomial) {
  const DeviceParams p =
      parse(R"({"g_min_uS": 1, "g_max_uS": 30, "programming": {"c2c": {"sigma_rel": 0.01}},
      "faults": {"stuck_at_g_min_rate": 0.01, "stuck_at_g_max_rate": 0.005}})");
  TileDevices dev;
  const Eigen::MatrixXf target = Eigen::MatrixXf::Constant(N_SIDE, N_SIDE, 15.0f);
  dev.draw_instance(p, TileKey{3, 9, 1, 2}, target);
  dev.program(p, TileKey{3, 9, 1, 2}, 4);
  const double n = static_cast<double>(target.size());
  for (const auto& [state, rate, g] : {std::tuple{FaultState::StuckAtGMin, 0.01, 1.0f},
                                       std::tuple{FaultState::StuckAtGMax, 0.005, 30.0f}}) {
    const double count = static_cast<double>((dev.faults().array() == state).count());
    EXPECT_NEAR(count, n * rate, 5 * std::sqrt(n * rate * (1 - rate)));
    for (Eigen::Index k = 0; k < target.size(); ++k)
      if (dev.faults().data()[k] == state) {
        EXPECT_EQ(dev.programmed_uS().data()[k], g);
      }
  }
}
