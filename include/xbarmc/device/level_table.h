#pragma once
//! \file device/level_table.h
//! Per-level measured device statistics for the table model (e.g. graphene-oxide
//! analog memristors, NeuroMem: Abunahla et al., Sci. Rep. 10, 9473, 2020): for each
//! programmable level its target, measured mean and sigma of G, and optionally the
//! mean and sigma of the drift exponent nu.

#include <filesystem>
#include <string>
#include <vector>

#include "xbarmc/config/node.h"

namespace xbarmc::device {

//! Levels sorted by strictly increasing target.
struct LevelTable {
  std::vector<double> target_uS;  //!< programmed target of each level (uS)
  std::vector<double> mean_uS;    //!< measured mean G (uS)
  std::vector<double> sigma_uS;   //!< measured standard deviation of G (uS)
  std::vector<double> nu_mean;    //!< drift exponent mean (empty when not measured)
  std::vector<double> nu_sigma;   //!< drift exponent sigma (empty when not measured)
  [[nodiscard]] std::size_t size() const { return target_uS.size(); }
  [[nodiscard]] bool has_drift() const { return !nu_mean.empty(); }
  //! Index of the level whose target is nearest to g (ties go to the lower level).
  [[nodiscard]] std::size_t nearest(double g_uS) const;
};

//! Reads a table from JSON: an array of objects with keys target_uS, mean_uS,
//! sigma_uS and optional nu_mean, nu_sigma (all levels or none). Problems go to
//! `diag` with pointers under `pointer`. Checks strictly increasing targets.
LevelTable parse_level_table(const config::Json& levels, const std::string& pointer,
                             config::Diagnostics& diag);

//! Reads a CSV file with a header naming the same columns (any order, '#' comments).
//! Throws IoError (unreadable) or ConfigError naming the file, line and column.
LevelTable load_level_table_csv(const std::filesystem::path& path);

//! Loads a CSV (".csv") or JSON file (array, or object with a "levels" array).
LevelTable load_level_table(const std::filesystem::path& path);

}  // namespace xbarmc::device
