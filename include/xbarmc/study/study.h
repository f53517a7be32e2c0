#pragma once
//! \file study/study.h
//! A study: one network, one test set, Monte Carlo settings and a list of
//! points (the sweep). Parsing resolves every default in one pass and
//! validates every point, so `xbarmc validate` reports all errors of a file.

#include <cstdint>
#include <string>
#include <vector>

#include "xbarmc/circuit/params.h"
#include "xbarmc/config/node.h"
#include "xbarmc/data/dataset.h"
#include "xbarmc/device/params.h"
#include "xbarmc/mapping/mapping.h"
#include "xbarmc/periphery/periphery.h"

namespace xbarmc::study {

//! Where the fixed network comes from.
struct NetworkSource {
  std::string path;  //!< HDF5 network file
  std::string
      train_config;  //!< training config used by the README's main job when `path` is missing
};

//! Monte Carlo sizes and read-out times.
struct MonteCarloParams {
  std::uint64_t instances = 100;        //!< simulated chips per point
  std::uint32_t cycles = 1;             //!< programming cycles per chip
  std::vector<double> times_s = {1.0};  //!< read times after programming (s)
  std::uint64_t test_limit = 0;         //!< evaluate only the first N test samples (0 = all)
  std::uint64_t batch_size = 500;       //!< test samples per forward batch
  std::uint64_t probe_size = 64;        //!< samples of the fixed probe batch for per-layer error
  //! The run stops when the count of instances with non-finite outputs exceeds both this
  //! count and `max_nonfinite_fraction` of the work items the run evaluates (docs/reliability.md).
  std::uint64_t max_nonfinite = 100;
  double max_nonfinite_fraction = 0.1;  //!< see `max_nonfinite`; 1 = never stop
};

//! How yield thresholds are read.
enum class ThresholdMode { Absolute, Drop };

//! Statistics of each point.
struct StatisticsParams {
  std::vector<double> thresholds = {
      0.8};  //!< accuracy thresholds (fraction) or drops from software
  ThresholdMode threshold_mode = ThresholdMode::Absolute;
  double confidence = 0.95;  //!< two-sided confidence level of the Clopper-Pearson interval
  int histogram_bins = 100;  //!< bins over [0, 1] accuracy
};

//! One sweep axis: a JSON pointer into a per-point section and its values.
struct SweepAxis {
  std::string pointer;
  config::Json values;  //!< array of JSON scalars
};

enum class SweepMode { Grid, Zip };

//! The per-point models, parsed from the config after applying the point's overrides.
struct PointModels {
  config::Json overrides = config::Json::object();  //!< pointer -> value of this point
  std::string label;                                //!< "pointer=value, ..." for tables
  mapping::MappingParams mapping;
  device::DeviceParams device;
  circuit::CircuitParams circuit;
  periphery::PeripheryParams periphery;
};

//! A parsed, validated, immutable study.
struct Study {
  std::string name = "study";
  std::uint64_t seed = 1;
  NetworkSource network;
  data::DatasetParams dataset;
  MonteCarloParams monte_carlo;
  StatisticsParams statistics;
  SweepMode sweep_mode = SweepMode::Grid;
  std::vector<SweepAxis> sweep_axes;
  std::string output_path;  //!< results file
  std::string config_dir;   //!< folder of the config file (relative paths resolve here)
  config::Json resolved;    //!< the resolved configuration (defaults filled in)
  std::vector<PointModels> points;
};

//! Parses a raw configuration document; throws ConfigError listing every problem.
//! `config_dir` is used to resolve relative paths and device presets.
Study parse_study(const config::Json& raw, const std::string& config_dir);

//! Loads a config file, applies `--set` overrides, and parses it.
Study load_study(const std::string& path, const std::vector<std::string>& overrides);

//! The sections a sweep may change (per-point models).
const std::vector<std::string>& sweepable_sections();

}  // namespace xbarmc::study
