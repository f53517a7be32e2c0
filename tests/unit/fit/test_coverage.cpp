// Coverage of the 95 % intervals of the D2D and C2C variance components (and of the table
// model's mean and total sigma) over many synthetic data sets drawn by the engine's device
// stages: each must cover the truth at a rate >= 0.95 - 3 standard errors of a binomial
// proportion over the data sets (0.95 - 3 sqrt(0.95 * 0.05 / R)). One level per data set is
// counted (the levels of one data set share the devices' D2D draws).
#include <cmath>

#include "helpers.h"

using namespace test_fit;

namespace {

// Runs `datasets` fits of 8 devices x 6 cycles (3 per level) and checks the coverage rates.
// `read_sigma_rel` > 0 adds relative read noise and `reads` repeated reads (the fit removes
// the read-noise variance from C2C).
void check_coverage(double read_sigma_rel, std::uint32_t reads, int datasets) {
  const double sigma = 2.0, f = 0.5;
  config::Json truth = {{"g_min_uS", 20.0},
                        {"g_max_uS", 60.0},
                        {"table",
                         {{"d2d_fraction", f},
                          {"levels",
                           {{{"target_uS", 20.0}, {"mean_uS", 20.5}, {"sigma_uS", sigma}},
                            {{"target_uS", 60.0}, {"mean_uS", 60.0}, {"sigma_uS", 1.0}}}}}}};
  if (read_sigma_rel > 0)
    truth["read_noise"] = {{"form", "relative"}, {"sigma_rel", read_sigma_rel}};
  const auto p = device_from(truth);
  int d2d = 0, c2c = 0, mean = 0, total = 0, read = 0;
  double d2d_width = 0;
  for (int s = 0; s < datasets; ++s) {
    SynthDesign d;
    d.rows = 1;
    d.cols = 8;  // 8 devices
    d.targets_uS = {20, 60};
    d.cycles = 6;  // each device 3 times at each level
    d.seed = 99;
    d.reads = reads;
    d.instance = static_cast<std::uint64_t>(s);
    FitOptions o;
    o.level = 0.95;
    const FitResult r = fit_measurements(synthesize(p, d), o);
    const LevelFit& l = r.levels[0];
    d2d += l.d2d_sigma_uS.contains(std::sqrt(f) * sigma);
    c2c += l.c2c_sigma_uS.contains(std::sqrt(1 - f) * sigma);
    mean += l.offset_uS.contains(0.5);
    total += l.total_sigma_uS.contains(sigma);
    read += read_sigma_rel > 0 && r.read_sigma_rel.contains(read_sigma_rel);
    d2d_width += l.d2d_sigma_uS.hi - l.d2d_sigma_uS.lo;
  }
  const double n = datasets, floor = 0.95 - 3 * std::sqrt(0.95 * 0.05 / n);
  const double rd = d2d / n, rc = c2c / n, rm = mean / n, rt = total / n;
  std::printf(
      "read noise %.3f x %u reads: coverage over %d data sets: D2D %.4f  C2C %.4f  mean %.4f  "
      "total %.4f "
      "(floor %.4f); mean D2D interval width %.3f uS\n",
      read_sigma_rel, reads, datasets, rd, rc, rm, rt, floor, d2d_width / n);
  EXPECT_GE(rd, floor);
  EXPECT_GE(rc, floor);
  EXPECT_GE(rm, floor);
  EXPECT_GE(rt, floor);
  if (read_sigma_rel > 0) {
    std::printf("read-noise sigma_rel interval coverage %.4f\n", read / n);
    EXPECT_GE(read / n, floor);
  }
  // Not vacuous: the intervals are not so wide that they always cover.
  EXPECT_LT(d2d_width / n, 4 * std::sqrt(f) * sigma);
}

}  // namespace

TEST(Coverage, VarianceComponentIntervalsReachNominalRate) { check_coverage(0, 1, 1000); }

TEST(Coverage, WithReadNoiseRemovedFromC2C) { check_coverage(0.04, 2, 1000); }
