#include "xbarmc/device/level_table.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "xbarmc/util/error.h"

namespace xbarmc::device {

namespace {

const char* const COLUMNS[] = {"target_uS", "mean_uS", "sigma_uS", "nu_mean", "nu_sigma"};

// Shared checks of a freshly read table: `where(k, column)` names level k's value.
template <class Where>
void validate(const LevelTable& t, Where where, config::Diagnostics& diag) {
  if (t.size() < 1) diag.add(where(0, ""), "the table must hold at least one level");
  for (std::size_t k = 0; k < t.size(); ++k) {
    if (!(t.target_uS[k] >= 0)) diag.add(where(k, "target_uS"), "must be >= 0");
    if (!(t.mean_uS[k] >= 0)) diag.add(where(k, "mean_uS"), "must be >= 0");
    if (!(t.sigma_uS[k] >= 0)) diag.add(where(k, "sigma_uS"), "must be >= 0");
    if (t.has_drift() && !(t.nu_sigma[k] >= 0)) diag.add(where(k, "nu_sigma"), "must be >= 0");
    if (k > 0 && !(t.target_uS[k] > t.target_uS[k - 1])) {
      std::ostringstream os;
      os << "levels must be sorted by strictly increasing target_uS; level " << k << " ("
         << t.target_uS[k] << ") is not above level " << k - 1 << " (" << t.target_uS[k - 1] << ")";
      diag.add(where(k, "target_uS"), os.str());
    }
  }
}

void push(LevelTable& t, const std::map<std::string, double>& row) {
  t.target_uS.push_back(row.at("target_uS"));
  t.mean_uS.push_back(row.at("mean_uS"));
  t.sigma_uS.push_back(row.at("sigma_uS"));
  if (row.count("nu_mean") != 0) {
    t.nu_mean.push_back(row.at("nu_mean"));
    t.nu_sigma.push_back(row.at("nu_sigma"));
  }
}

}  // namespace

std::size_t LevelTable::nearest(double g_uS) const {
  auto it = std::lower_bound(target_uS.begin(), target_uS.end(), g_uS);
  if (it == target_uS.begin()) return 0;
  if (it == target_uS.end()) return target_uS.size() - 1;
  const auto k = static_cast<std::size_t>(it - target_uS.begin());
  return (g_uS - target_uS[k - 1] <= target_uS[k] - g_uS) ? k - 1 : k;
}

LevelTable parse_level_table(const config::Json& levels, const std::string& pointer,
                             config::Diagnostics& diag) {
  LevelTable t;
  if (!levels.is_array()) {
    diag.add(pointer, "must be an array of level objects, got " + config::describe(levels));
    return t;
  }
  bool any_nu = false, all_nu = true;
  for (const auto& e : levels) {
    const bool has = e.is_object() && e.contains("nu_mean");
    any_nu = any_nu || has;
    all_nu = all_nu && has;
  }
  if (any_nu && !all_nu) diag.add(pointer, "nu_mean/nu_sigma must be given for all levels or none");
  const std::size_t before = diag.issues().size();
  for (std::size_t k = 0; k < levels.size(); ++k) {
    config::Node node(levels[k], pointer + "/" + std::to_string(k), diag, nullptr);
    std::map<std::string, double> row;
    for (const char* c : COLUMNS) {
      const bool nu = std::string(c).rfind("nu_", 0) == 0;
      if (nu && !all_nu) {
        node.accept(c);
        continue;
      }
      double v = 0;
      node.require(c, v);
      row[c] = v;
    }
    node.finish();
    push(t, row);
  }
  if (diag.issues().size() != before) return t;
  validate(
      t,
      [&](std::size_t k, const std::string& col) {
        return pointer + "/" + std::to_string(k) + (col.empty() ? "" : "/" + col);
      },
      diag);
  return t;
}

LevelTable load_level_table_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw IoError(path.string() + ": cannot open the level table for reading");
  const std::string file = path.string();
  std::vector<std::string> header;
  LevelTable t;
  std::string line;
  int line_no = 0;
  auto fail = [&](const std::string& msg) {
    throw ConfigError(file, "line " + std::to_string(line_no) + ": " + msg);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) {
      const auto a = cell.find_first_not_of(" \t"), b = cell.find_last_not_of(" \t");
      cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
    }
    if (header.empty()) {
      header = cells;
      for (const auto& h : header)
        if (std::find(std::begin(COLUMNS), std::end(COLUMNS), h) == std::end(COLUMNS))
          fail("unknown column \"" + h +
               "\" (expected target_uS, mean_uS, sigma_uS[, nu_mean, nu_sigma])");
      for (int c = 0; c < 3; ++c)
        if (std::find(header.begin(), header.end(), COLUMNS[c]) == header.end())
          fail(std::string("missing column \"") + COLUMNS[c] + "\"");
      const bool nm = std::find(header.begin(), header.end(), "nu_mean") != header.end();
      const bool ns = std::find(header.begin(), header.end(), "nu_sigma") != header.end();
      if (nm != ns) fail("nu_mean and nu_sigma must be given together");
      continue;
    }
    if (cells.size() != header.size())
      fail("expected " + std::to_string(header.size()) + " values, got " +
           std::to_string(cells.size()));
    std::map<std::string, double> row;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(cells[c], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != cells[c].size() || !std::isfinite(v))
        fail("column " + header[c] + ": not a finite number: \"" + cells[c] + "\"");
      row[header[c]] = v;
    }
    push(t, row);
  }
  if (header.empty()) throw ConfigError(file, "empty level table (no header line)");
  config::Diagnostics diag;
  validate(
      t,
      [&](std::size_t k, const std::string& col) {
        return file + " (level " + std::to_string(k) + (col.empty() ? "" : ", " + col) + ")";
      },
      diag);
  diag.throw_if_any();
  return t;
}

LevelTable load_level_table(const std::filesystem::path& path) {
  if (path.extension() == ".csv") return load_level_table_csv(path);
  const config::Json j = config::load_json_file(path.string());
  config::Diagnostics diag;
  const config::Json& levels = (j.is_object() && j.contains("levels")) ? j["levels"] : j;
  LevelTable t =
      parse_level_table(levels, path.string() + "#" + (j.is_object() ? "/levels" : ""), diag);
  diag.throw_if_any();
  return t;
}

}  // namespace xbarmc::device
