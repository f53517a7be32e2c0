// Random telegraph noise (device/params.h, docs/models.md): against its analytic statistics.
#include "helpers.h"

using namespace test_device;

namespace {

//! Conductances of one tile at read time `time_index` with the given device JSON.
Eigen::MatrixXf read_tile(
    const DeviceParams& p, std::uint32_t time_index, double g0_uS,
    Eigen::Matrix<FaultState, Eigen::Dynamic, Eigen::Dynamic>* faults = nullptr) {
  TileDevices dev;
  const Eigen::MatrixXf target =
      Eigen::MatrixXf::Constant(N_SIDE, N_SIDE, static_cast<float>(g0_uS));
  const TileKey key{3, 11, 1, 2};
  dev.draw_instance(p, key, target);
  dev.program(p, key, 0);
  Eigen::MatrixXf g(N_SIDE, N_SIDE);
  dev.at_time(p, key, 0, 10.0, time_index, g);
  if (faults) *faults = dev.faults();
  return g;
}

}  // namespace

// Each device's ratio to the same read without RTN is exactly 1 or 1 - a, the fraction of
// dropped devices matches the occupancy within 5 binomial standard errors, and so the mean
// ratio is 1 - a p with variance a^2 p (1 - p). The other stages' draws are unchanged (the
// stage has its own stream), here with programming error, relaxation and faults on.
TEST(RandomTelegraph, TwoLevelsWithTheStatedOccupancy) {
  const char* base = R"({"g_min_uS": 1, "g_max_uS": 100,
      "programming": {"d2d": {"enabled": true, "form": "relative", "sigma_rel": 0.05}},
      "faults": {"enabled": true, "stuck_at_g_min_rate": 0.02, "stuck_at_g_max_rate": 0.01},
      "relaxation": {"enabled": true, "mean_slope_uS": 0.1, "sigma_slope_uS": 0.05, "sigma_0_uS": 0.1},
      "random_telegraph": {"enabled": %s, "amplitude_rel": 0.2, "occupancy": 0.3}})";
  char on[1024], off[1024];
  std::snprintf(on, sizeof on, base, "true");
  std::snprintf(off, sizeof off, base, "false");
  Eigen::Matrix<FaultState, Eigen::Dynamic, Eigen::Dynamic> faults;
  const Eigen::MatrixXf g_on = read_tile(parse(on), 1, 50.0, &faults);
  const Eigen::MatrixXf g_off = read_tile(parse(off), 1, 50.0);
  const double a = 0.2, occ = 0.3;
  long free = 0, dropped = 0;
  double sum = 0, sum2 = 0;
  for (Eigen::Index k = 0; k < g_on.size(); ++k) {
    if (faults.data()[k] != FaultState::None) {
      EXPECT_EQ(g_on.data()[k], g_off.data()[k]);  // stuck devices have no trap noise
      continue;
    }
    ++free;
    const float keep = static_cast<float>(1.0 - a);
    const bool is_dropped = g_on.data()[k] == g_off.data()[k] * keep;
    ASSERT_TRUE(is_dropped || g_on.data()[k] == g_off.data()[k]) << k;
    dropped += is_dropped ? 1 : 0;
    const double ratio = g_on.data()[k] / static_cast<double>(g_off.data()[k]);
    sum += ratio;
    sum2 += ratio * ratio;
  }
  const double n = static_cast<double>(free), p_hat = static_cast<double>(dropped) / n;
  EXPECT_NEAR(p_hat, occ, 5 * std::sqrt(occ * (1 - occ) / n));
  const double mean = sum / n, var = sum2 / n - mean * mean;
  const double sd = a * std::sqrt(occ * (1 - occ));
  EXPECT_NEAR(mean, 1 - a * occ, 5 * sd / std::sqrt(n));
  EXPECT_NEAR(var, a * a * occ * (1 - occ), 5 * sd * sd * std::sqrt(2.0 / n));
}

// The trap states are redrawn per read time: two read times agree only where both draws fall
// on the same side, a fraction p^2 + (1-p)^2 of the devices.
TEST(RandomTelegraph, RedrawnPerReadTime) {
  const DeviceParams p = parse(R"({"g_min_uS": 1, "g_max_uS": 100,
      "random_telegraph": {"enabled": true, "amplitude_rel": 0.5, "occupancy": 0.5}})");
  const Eigen::MatrixXf t1 = read_tile(p, 1, 40.0), t2 = read_tile(p, 2, 40.0);
  const double n = static_cast<double>(t1.size());
  const double same = static_cast<double>((t1.array() == t2.array()).count()) / n;
  EXPECT_NEAR(same, 0.5, 5 * std::sqrt(0.25 / n));
  EXPECT_EQ(read_tile(p, 1, 40.0), t1);  // same key, same states
}

TEST(RandomTelegraph, ConfigRanges) {
  EXPECT_FALSE(issues(R"({"g_min_uS": 1, "g_max_uS": 100,
      "random_telegraph": {"enabled": true, "amplitude_rel": 1.0}})")
                   .empty());
  EXPECT_FALSE(issues(R"({"g_min_uS": 1, "g_max_uS": 100,
      "random_telegraph": {"occupancy": 1.5}})")
                   .empty());
  EXPECT_FALSE(issues(R"({"g_min_uS": 1, "g_max_uS": 100,
      "random_telegraph": {"amplitud_rel": 0.1}})")
                   .empty());
  EXPECT_TRUE(issues(R"({"g_min_uS": 1, "g_max_uS": 100,
      "random_telegraph": {"amplitude_rel": 0.1, "occupancy": 0.2}})")
                  .empty());
}
