#include "helpers.h"

using namespace test_device;

namespace {

const char* const ALL_STAGES = R"({"g_min_uS": 1, "g_max_uS": 30,
    "programming": {"d2d": {"sigma_rel": 0.05}, "c2c": {"form": "absolute", "sigma_uS": 0.3}},
    "faults": {"stuck_at_g_min_rate": 0.05, "stuck_at_g_max_rate": 0.05},
    "drift": {"nu_mean": 0.05, "nu_sigma": 0.02},
    "relaxation": {"mean_slope_uS": -0.1, "sigma_slope_uS": 0.05, "sigma_0_uS": 0.4}})";

Eigen::MatrixXf run(TileDevices& dev, const DeviceParams& p, const TileKey& key,
                    const Eigen::MatrixXf& target) {
  dev.draw_instance(p, key, target);
  dev.program(p, key, 2);
  Eigen::MatrixXf g(target.rows(), target.cols());
  dev.at_time(p, key, 2, 3600.0, 1, g);
  return g;
}

Eigen::MatrixXf ramp(int rows, int cols) {
  Eigen::MatrixXf t(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) t(i, j) = 2.0f + static_cast<float>((i * cols + j) % 25);
  return t;
}

}  // namespace

// A tile's draws depend only on (seed, instance, layer, tile, cycle): drawing other
// tiles (of other shapes, layers, instances) before, with the same object, changes nothing.
TEST(Streams, TileDrawsIndependentOfHistory) {
  const DeviceParams p = parse(ALL_STAGES);
  const TileKey key{42, 7, 1, 3};
  const Eigen::MatrixXf target = ramp(20, 12);
  TileDevices fresh;
  const Eigen::MatrixXf ref = run(fresh, p, key, target);
  TileDevices reused;
  run(reused, p, TileKey{42, 7, 1, 2}, ramp(33, 8));
  run(reused, p, TileKey{42, 8, 0, 3}, ramp(20, 12));
  run(reused, p, TileKey{42, 7, 2, 3}, ramp(5, 64));
  EXPECT_EQ(run(reused, p, key, target), ref);
  // Any field of the key changes the draws.
  TileDevices other;
  EXPECT_NE(run(other, p, TileKey{43, 7, 1, 3}, target), ref);
  EXPECT_NE(run(other, p, TileKey{42, 6, 1, 3}, target), ref);
  EXPECT_NE(run(other, p, TileKey{42, 7, 0, 3}, target), ref);
  EXPECT_NE(run(other, p, TileKey{42, 7, 1, 4}, target), ref);
}

// Common random numbers: a different sigma at the same instance scales the same draws.
TEST(Streams, SigmaChangeReusesDraws) {
  const DeviceParams a = parse(
      R"({"g_min_uS": 0, "g_max_uS": 10, "programming": {"d2d": {"form": "absolute", "sigma_uS": 0.1}}})");
  const DeviceParams b = parse(
      R"({"g_min_uS": 0, "g_max_uS": 10, "programming": {"d2d": {"form": "absolute", "sigma_uS": 0.3}}})");
  TileDevices da, db;
  const Eigen::MatrixXf target = Eigen::MatrixXf::Constant(16, 16, 5.0f);
  da.draw_instance(a, TileKey{1, 2, 0, 0}, target);
  db.draw_instance(b, TileKey{1, 2, 0, 0}, target);
  const Eigen::MatrixXf ea = da.d2d_uS() - target, eb = db.d2d_uS() - target;
  for (Eigen::Index k = 0; k < ea.size(); ++k)
    EXPECT_NEAR(eb.data()[k], 3.0f * ea.data()[k], 1e-5f);
}

// A stage switched off does not shift another stage's draws.
TEST(Streams, StageOffDoesNotShiftOthers) {
  const DeviceParams all = parse(ALL_STAGES);
  DeviceParams no_prog = all;
  no_prog.programming.d2d.enabled = false;
  no_prog.programming.c2c.enabled = false;
  DeviceParams no_faults = all;
  no_faults.faults.enabled = false;
  const TileKey key{5, 1, 0, 0};
  const Eigen::MatrixXf target = ramp(24, 24);
  TileDevices d1, d2, d3;
  d1.draw_instance(all, key, target);
  d2.draw_instance(no_prog, key, target);
  d3.draw_instance(no_faults, key, target);
  EXPECT_EQ(d1.nu(), d2.nu());
  EXPECT_TRUE((d1.faults().array() == d2.faults().array()).all());
  EXPECT_EQ(d1.nu(), d3.nu());
  EXPECT_EQ(d1.d2d_uS(), d3.d2d_uS());
  d1.program(all, key, 0);
  d3.program(no_faults, key, 0);
  for (Eigen::Index k = 0; k < target.size(); ++k)
    if (d1.faults().data()[k] == FaultState::None) {
      EXPECT_EQ(d1.programmed_uS().data()[k], d3.programmed_uS().data()[k]);
    }
}

// C2C: cycles differ, the same cycle repeats exactly; D2D part is shared by all cycles.
TEST(Streams, CyclesRedrawC2COnly) {
  const DeviceParams p = parse(ALL_STAGES);
  const TileKey key{5, 1, 0, 0};
  TileDevices dev;
  dev.draw_instance(p, key, ramp(16, 16));
  dev.program(p, key, 0);
  const Eigen::MatrixXf c0 = dev.programmed_uS();
  dev.program(p, key, 1);
  const Eigen::MatrixXf c1 = dev.programmed_uS();
  dev.program(p, key, 0);
  EXPECT_EQ(dev.programmed_uS(), c0);
  EXPECT_NE(c1, c0);
}

// TileDevices keeps per-device quantities of the target and model (C2C scale, PCM drift-exponent
// mean and sigma) for the next instance: a reused object equals a fresh one whether the target
// and model stay (reuse) or the model changes under the same target (recomputed).
TEST(Streams, ReusedObjectEqualsFreshAcrossModelChanges) {
  const char* const pcm = R"({"preset": "pcm_ibm", "faults": {"stuck_at_g_min_rate": 0.02}})";
  const DeviceParams a = parse(pcm);
  DeviceParams b = a;
  b.drift.mu_b += 0.01;  // another drift fit, same target
  DeviceParams c = a;
  c.programming.c2c.coeffs_uS[0] *= 2.0;  // another C2C polynomial, same target
  const Eigen::MatrixXf target = ramp(24, 16);
  TileDevices reused;
  for (const DeviceParams* p : std::initializer_list<const DeviceParams*>{&a, &a, &b, &c, &a}) {
    for (std::uint64_t instance : {3u, 4u}) {
      const TileKey key{9, instance, 0, 1};
      TileDevices fresh;
      EXPECT_EQ(run(reused, *p, key, target), run(fresh, *p, key, target));
      EXPECT_EQ(reused.nu(), fresh.nu());
    }
  }
  // The changes do change the results (the test above compares something that moves).
  TileDevices fa, fb, fc;
  EXPECT_NE(run(fa, a, TileKey{9, 3, 0, 1}, target), run(fb, b, TileKey{9, 3, 0, 1}, target));
  EXPECT_NE(run(fa, a, TileKey{9, 3, 0, 1}, target), run(fc, c, TileKey{9, 3, 0, 1}, target));
}
