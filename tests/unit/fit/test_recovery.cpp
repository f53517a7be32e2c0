// Synthetic measurements drawn by the engine's device stages from known parameters are fitted
// back; every true parameter must lie in its interval. With ~40 intervals per fit, the test
// asks for 99.9 % intervals (all cover with probability >= 0.96 if each is exact); the coverage
// of the 95 % intervals is checked over many data sets in test_coverage.cpp.
#include <cmath>

#include "helpers.h"
#include "xbarmc/device/tile_devices.h"

using namespace test_fit;

namespace {

const double TARGETS[] = {10, 30, 50, 70};
const double MEAN[] = {10.4, 29.7, 50.5, 69.2};
const double SIGMA[] = {1.0, 1.5, 2.0, 1.2};
const double NU_MEAN[] = {0.06, 0.05, 0.04, 0.03};
const double NU_SIGMA[] = {0.010, 0.008, 0.006, 0.005};
const double F_D2D = 0.4;

config::Json table_truth() {
  config::Json levels = config::Json::array();
  for (int k = 0; k < 4; ++k)
    levels.push_back({{"target_uS", TARGETS[k]},
                      {"mean_uS", MEAN[k]},
                      {"sigma_uS", SIGMA[k]},
                      {"nu_mean", NU_MEAN[k]},
                      {"nu_sigma", NU_SIGMA[k]}});
  return {{"g_min_uS", 10.0},
          {"g_max_uS", 70.0},
          {"table", {{"d2d_fraction", F_D2D}, {"levels", levels}}},
          {"faults", {{"stuck_at_g_min_rate", 0.03}, {"stuck_at_g_max_rate", 0.02}}},
          {"drift", {{"nu_form", "table"}, {"t0_s", 1.0}, {"offset_by_t0", true}}},
          {"read_noise", {{"form", "relative"}, {"sigma_rel", 0.01}}}};
}

SynthDesign design(std::uint64_t seed) {
  SynthDesign d;
  d.rows = 16;
  d.cols = 16;
  d.targets_uS.assign(std::begin(TARGETS), std::end(TARGETS));
  d.cycles = 8;
  d.times_s = {0, 10, 100, 1000};
  d.reads = 3;
  d.seed = seed;
  return d;
}

FitOptions options(ModelKind kind) {
  FitOptions o;
  o.model = kind;
  o.level = 0.999;
  return o;
}

}  // namespace

TEST(Recovery, TableModelEveryParameterInsideItsInterval) {
  const auto p = device_from(table_truth());
  const auto m = through_csv(synthesize(p, design(11)), "table");
  const FitResult r = fit_measurements(m, options(ModelKind::Table));
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  ASSERT_EQ(r.levels.size(), 4u);
  for (int k = 0; k < 4; ++k) {
    const LevelFit& l = r.levels[static_cast<std::size_t>(k)];
    SCOPED_TRACE("level " + std::to_string(TARGETS[k]));
    EXPECT_TRUE(l.offset_uS.contains(MEAN[k] - TARGETS[k])) << l.offset_uS.estimate;
    EXPECT_TRUE(l.d2d_sigma_uS.contains(std::sqrt(F_D2D) * SIGMA[k])) << l.d2d_sigma_uS.estimate;
    EXPECT_TRUE(l.c2c_sigma_uS.contains(std::sqrt(1 - F_D2D) * SIGMA[k]))
        << l.c2c_sigma_uS.estimate;
    EXPECT_TRUE(l.total_sigma_uS.contains(SIGMA[k])) << l.total_sigma_uS.estimate;
    EXPECT_TRUE(l.nu_mean.contains(NU_MEAN[k])) << l.nu_mean.estimate;
    EXPECT_TRUE(l.nu_sigma.contains(NU_SIGMA[k])) << l.nu_sigma.estimate;
  }
  EXPECT_TRUE(r.read_sigma_rel.contains(0.01)) << r.read_sigma_rel.estimate;
  EXPECT_TRUE(r.stuck_min_rate.contains(0.03)) << r.stuck_min_rate.estimate;
  EXPECT_TRUE(r.stuck_max_rate.contains(0.02)) << r.stuck_max_rate.estimate;
  EXPECT_EQ(r.erratic, 0u);
  // The stuck rule finds exactly the engine's stuck devices.
  device::TileDevices tile;
  Eigen::MatrixXf target = Eigen::MatrixXf::Constant(16, 16, 30.0f);
  tile.draw_instance(p, {11, 0, 0, 0}, target);
  std::size_t n_min = 0, n_max = 0;
  for (Eigen::Index i = 0; i < 16; ++i)
    for (Eigen::Index j = 0; j < 16; ++j) {
      n_min += tile.faults()(i, j) == device::FaultState::StuckAtGMin;
      n_max += tile.faults()(i, j) == device::FaultState::StuckAtGMax;
    }
  EXPECT_EQ(r.stuck_min, n_min);
  EXPECT_EQ(r.stuck_max, n_max);
  // Drift reference: reads start at t = 0, so t_eff = t + t0 with the default t0 = 1 s.
  EXPECT_TRUE(r.drift_offset_by_t0);
  EXPECT_DOUBLE_EQ(r.drift_t0_s, 1.0);
  EXPECT_TRUE(r.levels[0].ks.p > 0.001);
  // The written device parses with the engine's parser (the "fit" block is accepted).
  const auto back = device_from(r.device);
  EXPECT_TRUE(back.table.enabled);
  EXPECT_TRUE(back.table.levels.has_drift());
  EXPECT_DOUBLE_EQ(back.table.d2d_fraction, r.d2d_fraction);
  EXPECT_DOUBLE_EQ(back.table.levels.sigma_uS[2], r.levels[2].total_sigma_uS.estimate);
  EXPECT_TRUE(back.faults.enabled);
  EXPECT_EQ(r.device["fit"]["input"]["sha256"], m.sha256);
  EXPECT_EQ(r.device["fit"]["input"]["rows_used"], r.rows_used);
}

TEST(Recovery, ParametricModelCoefficientsInsideIntervals) {
  // D2D sigma 0.5 + 1.0 x, C2C sigma 1.2 - 0.6 x (x = G/70); PCM drift form.
  const config::Json truth = {
      {"g_min_uS", 10.0},
      {"g_max_uS", 70.0},
      {"programming",
       {{"d2d", {{"form", "polynomial"}, {"coeffs_uS", {0.5, 1.0}}, {"g_ref_uS", 70.0}}},
        {"c2c", {{"form", "polynomial"}, {"coeffs_uS", {1.2, -0.6}}, {"g_ref_uS", 70.0}}}}},
      {"drift",
       {{"nu_form", "pcm"},
        {"t0_s", 1.0},
        {"mu_a", -0.01},
        {"mu_b", 0.03},
        {"mu_lo", 0.0},
        {"mu_hi", 1.0},
        {"sig_a", -0.002},
        {"sig_b", 0.004},
        {"sig_lo", 0.0},
        {"sig_hi", 1.0}}},
      {"read_noise", {{"form", "relative"}, {"sigma_rel", 0.005}}}};
  const auto p = device_from(truth);
  const auto m = through_csv(synthesize(p, design(12)), "param");
  FitOptions o = options(ModelKind::Parametric);
  o.poly_order = 1;
  const FitResult r = fit_measurements(m, o);
  ASSERT_EQ(r.d2d_poly.coeffs.size(), 2u);
  EXPECT_TRUE(r.d2d_poly.coeffs[0].contains(0.5)) << r.d2d_poly.coeffs[0].estimate;
  EXPECT_TRUE(r.d2d_poly.coeffs[1].contains(1.0)) << r.d2d_poly.coeffs[1].estimate;
  EXPECT_TRUE(r.c2c_poly.coeffs[0].contains(1.2)) << r.c2c_poly.coeffs[0].estimate;
  EXPECT_TRUE(r.c2c_poly.coeffs[1].contains(-0.6)) << r.c2c_poly.coeffs[1].estimate;
  EXPECT_TRUE(r.nu_mean_fit.coeffs[0].contains(0.03)) << r.nu_mean_fit.coeffs[0].estimate;
  EXPECT_TRUE(r.nu_mean_fit.coeffs[1].contains(-0.01)) << r.nu_mean_fit.coeffs[1].estimate;
  EXPECT_TRUE(r.nu_sigma_fit.coeffs[0].contains(0.004)) << r.nu_sigma_fit.coeffs[0].estimate;
  EXPECT_TRUE(r.nu_sigma_fit.coeffs[1].contains(-0.002)) << r.nu_sigma_fit.coeffs[1].estimate;
  EXPECT_TRUE(r.read_sigma_rel.contains(0.005));
  for (const auto& l : r.levels) EXPECT_TRUE(l.offset_uS.contains(0.0)) << l.target_uS;
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  // A table-model truth with offsets fitted parametrically: the offsets are reported.
  const auto offset = fit_measurements(
      through_csv(synthesize(device_from(table_truth()), design(16)), "offset"), o);
  ASSERT_FALSE(offset.warnings.empty());
  EXPECT_NE(offset.warnings.front().find("the parametric forms have no offset"), std::string::npos);
  // The written device parses with the engine's parser and keeps the fitted numbers.
  const auto back = device_from(r.device);
  EXPECT_EQ(back.programming.d2d.form, device::ErrorForm::Polynomial);
  EXPECT_DOUBLE_EQ(back.programming.c2c.coeffs_uS[1], r.c2c_poly.coeffs[1].estimate);
  EXPECT_EQ(back.drift.form, device::NuForm::Pcm);
}

TEST(Recovery, IllPosedDataWarnsWhichComponentCannotBeSeparated) {
  const auto p = device_from(table_truth());
  auto contains = [](const FitResult& r, const std::string& s) {
    for (const auto& w : r.warnings)
      if (w.find(s) != std::string::npos) return true;
    return false;
  };
  SynthDesign one_device = design(13);
  one_device.rows = one_device.cols = 1;
  const FitResult a = fit_measurements(synthesize(p, one_device), options(ModelKind::Table));
  EXPECT_TRUE(contains(a, "device-to-device (D2D) component cannot be separated"));
  EXPECT_TRUE(std::isnan(a.levels[0].d2d_sigma_uS.estimate));
  EXPECT_DOUBLE_EQ(a.d2d_fraction, 0.0);

  SynthDesign one_cycle = design(14);
  one_cycle.cycles = 1;
  one_cycle.targets_uS = {10, 70};
  const FitResult b = fit_measurements(synthesize(p, one_cycle), options(ModelKind::Table));
  EXPECT_TRUE(contains(b, "cycle-to-cycle (C2C) component cannot be separated"));
  EXPECT_TRUE(std::isnan(b.levels[0].c2c_sigma_uS.estimate));

  SynthDesign one_time = design(15);
  one_time.times_s = {0};
  one_time.reads = 1;
  const FitResult c = fit_measurements(synthesize(p, one_time), options(ModelKind::Table));
  EXPECT_TRUE(contains(c, "drift cannot be estimated"));
  EXPECT_TRUE(contains(c, "read noise cannot be estimated"));
  EXPECT_FALSE(c.device.contains("drift"));
  EXPECT_FALSE(c.device.contains("read_noise"));
}
