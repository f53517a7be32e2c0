#pragma once
// Shared helpers of the device tests.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "xbarmc/device/params.h"
#include "xbarmc/device/tile_devices.h"
#include "xbarmc/util/error.h"

namespace test_device {

using namespace xbarmc;
using namespace xbarmc::device;

//! Parses a "/device" JSON text; throws ConfigError on any issue.
inline DeviceParams parse(const std::string& text, config::Json* resolved = nullptr) {
  const config::Json j = config::Json::parse(text);
  config::Diagnostics diag;
  config::Json local;
  config::Node node(j, "/device", diag, resolved ? resolved : &local);
  DeviceParams p;
  parse_device(node, p);
  diag.throw_if_any();
  return p;
}

//! Issues of parsing a "/device" JSON text.
inline std::vector<ConfigIssue> issues(const std::string& text) {
  const config::Json j = config::Json::parse(text);
  config::Diagnostics diag;
  config::Node node(j, "/device", diag, nullptr);
  DeviceParams p;
  parse_device(node, p);
  return diag.issues();
}

//! Sample mean and standard deviation.
struct Moments {
  double mean = 0, sd = 0;
  long n = 0;
};
inline Moments moments(const Eigen::MatrixXf& x) {
  Moments m;
  m.n = static_cast<long>(x.size());
  double s = 0, s2 = 0;
  for (Eigen::Index k = 0; k < x.size(); ++k) s += x.data()[k];
  m.mean = s / static_cast<double>(m.n);
  for (Eigen::Index k = 0; k < x.size(); ++k) s2 += (x.data()[k] - m.mean) * (x.data()[k] - m.mean);
  m.sd = std::sqrt(s2 / static_cast<double>(m.n - 1));
  return m;
}

//! Checks sample moments of n draws against a Gaussian N(mu, sigma^2): the mean has
//! standard error sigma/sqrt(n), the sample sd has standard error sigma/sqrt(2n); both
//! within 5 standard errors (fixed seeds, so this is a deterministic but meaningful check).
inline void expect_gaussian_moments(const Moments& m, double mu, double sigma) {
  const double n = static_cast<double>(m.n);
  EXPECT_NEAR(m.mean, mu, 5 * sigma / std::sqrt(n) + 1e-6) << "mean";
  EXPECT_NEAR(m.sd, sigma, 5 * sigma / std::sqrt(2 * n) + 1e-6) << "sd";
}

inline constexpr int N_SIDE = 256;  // 65536 devices per sampled tile

}  // namespace test_device
