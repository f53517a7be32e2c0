#pragma once
// Shared helpers of the fit tests: devices from JSON text, synthetic data through the CSV.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "xbarmc/device/params.h"
#include "xbarmc/fit/fit.h"
#include "xbarmc/fit/synth.h"

namespace test_fit {

using namespace xbarmc;
using namespace xbarmc::fit;

//! Parses a "/device" JSON value; throws ConfigError on any issue.
inline device::DeviceParams device_from(const config::Json& j) {
  config::Diagnostics diag;
  config::Json local;
  config::Node node(j, "/device", diag, &local);
  device::DeviceParams p;
  device::parse_device(node, p);
  diag.throw_if_any();
  return p;
}

//! Synthesizes, writes the CSV and reads it back (so the reader is part of every test).
inline Measurements through_csv(const Measurements& m, const std::string& tag) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("xbarmc_fit_" + tag + "_" + std::to_string(::getpid()) + ".csv");
  write_measurements_csv(m, path);
  Measurements back = load_measurements(path);
  std::filesystem::remove(path);
  return back;
}

}  // namespace test_fit
