#pragma once
//! \file io/results.h
//! The HDF5 results file of a study (layout: docs/results-format.md). Written
//! under a temporary name and renamed when complete; a partial file says
//! complete = 0.

#include <cstdint>
#include <string>
#include <vector>

#include "xbarmc/nn/network.h"
#include "xbarmc/study/results.h"
#include "xbarmc/study/study.h"

namespace xbarmc::io {

//! Format version written into (and required of) results files.
inline constexpr int RESULTS_FORMAT_MAJOR = 1;
inline constexpr int RESULTS_FORMAT_MINOR = 1;

//! Instances per HDF5 chunk of the per-instance datasets (fewer when the study has fewer).
inline constexpr unsigned long long INSTANCE_CHUNK = 1024;
//! zlib deflate level of the per-instance datasets (1 fastest .. 9 smallest).
inline constexpr int DEFLATE_LEVEL = 4;

//! What a results file records about its study besides the raw results: enough to write a
//! file again (merge, resume) without the network or the dataset.
struct ResultsMeta {
  std::string name;                           //!< /name of the config
  std::uint64_t seed = 0;                     //!< /seed of the config
  std::string config;                         //!< resolved configuration (JSON text)
  std::vector<double> thresholds_configured;  //!< /statistics/thresholds
  study::ThresholdMode threshold_mode = study::ThresholdMode::Absolute;
  double confidence = 0.95;               //!< of the Clopper-Pearson intervals
  int histogram_bins = 100;               //!< bins over [0, 1]
  std::vector<std::string> point_params;  //!< per point: JSON of its sweep overrides
  std::vector<std::string> point_labels;  //!< per point: label
  std::string network_name;               //!< network name
  std::string network_description;        //!< layers and shapes
};

//! The metadata of `study` on `net`.
ResultsMeta make_meta(const study::Study& study, const nn::Network& net);

//! How a file is marked (docs/results-format.md).
struct WriteOptions {
  //! Shard K of N (shard_count 0 = not a shard). A shard file always has complete = 0.
  std::uint64_t shard_index = 0, shard_count = 0;
};

//! Writes `results` to `path` atomically: a temporary file in the same folder, fsync, rename,
//! fsync of the folder; a crash leaves the old file or the new one. complete = 1 when every
//! instance of every point has a status other than NotRun and the file is not a shard.
//! IoError (with the path) when the folder is missing or not writable.
void write_results(const std::string& path, const ResultsMeta& meta,
                   const study::StudyResults& results, const WriteOptions& options = {});

//! Writes `results` of `study` to `path` (make_meta + the above).
void write_results(const std::string& path, const study::Study& study, const nn::Network& net,
                   const study::StudyResults& results, const WriteOptions& options = {});

//! A results file read back whole (raw arrays, not the summaries).
struct LoadedResults {
  ResultsMeta meta;
  study::StudyResults results;  //!< timings from timings_json; status from `status`
  bool complete = false;
  std::vector<std::int32_t> format_version;        //!< [major, minor]
  std::uint64_t shard_index = 0, shard_count = 0;  //!< shard_count 0 = not a shard
};

//! Reads a results file (any `complete`); IoError on a wrong file type or format version.
LoadedResults read_results(const std::string& path);

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
  //! Instances (over all points) whose outputs were NaN/Inf (status NonFinite); they are left
  //! out of the statistics.
  std::uint64_t nonfinite = 0;
};

//! Reads the summary of a results file; IoError on a wrong file type or format version.
ResultsSummary read_summary(const std::string& path);

}  // namespace xbarmc::io
