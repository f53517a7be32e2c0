#pragma once
//! \file io/results.h
//! The HDF5 results file of a study (layout: docs/results-format.md). Written
//! under a temporary name and renamed when complete; a partial file says
//! complete = 0.

#include <string>

#include "xbarmc/engine/runner.h"
#include "xbarmc/engine/study.h"
#include "xbarmc/nn/network.h"

namespace xbarmc::io {

//! Format version written into (and required of) results files.
inline constexpr int RESULTS_FORMAT_MAJOR = 1;
inline constexpr int RESULTS_FORMAT_MINOR = 0;

//! Writes `results` of `study` to `path` atomically (temporary file, then rename).
//! IoError (with the path) when the folder is missing or not writable.
void write_results(const std::string& path, const engine::Study& study, const nn::Network& net,
                   const engine::StudyResults& results);

//! Summary statistics of one (point, cycle, time), read back from a results file.
struct SummaryRow {
  std::size_t point = 0;
  std::string label;
  std::uint32_t cycle = 0;
  double time_s = 0;
  std::uint64_t n = 0;
  double mean = 0, std = 0, sem = 0, min = 0, max = 0;
  std::vector<double> quantiles;   //!< at stats::QUANTILE_LEVELS
  std::vector<double> thresholds;  //!< applied thresholds (fraction)
  std::vector<double> yield, yield_lo, yield_hi;
  double noise_free_accuracy = 0;
};

//! Everything `xbarmc summary` prints.
struct ResultsSummary {
  std::string name;
  double software_accuracy = 0;
  bool complete = false;
  std::uint64_t instances = 0;
  double confidence = 0;
  std::vector<SummaryRow> rows;
};

//! Reads the summary of a results file; IoError on a wrong file type or format version.
ResultsSummary read_summary(const std::string& path);

}  // namespace xbarmc::io
