// Reader of the measurement CSV (docs/device-fit.md, section 1).
#include "xbarmc/fit/measurements.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "xbarmc/config/node.h"
#include "xbarmc/fit/estimators.h"
#include "xbarmc/util/error.h"

namespace xbarmc::fit {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      out.push_back(trim(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(trim(cur));
  return out;
}

[[noreturn]] void fail(const std::string& source, std::size_t line, const std::string& column,
                       const std::string& what) {
  std::ostringstream os;
  os << source << ": line " << line;
  if (!column.empty()) os << ", column '" << column << "'";
  os << ": " << what;
  throw InputError(os.str());
}

double number(const std::string& source, std::size_t line, const std::string& column,
              const std::string& text) {
  double v = 0;
  const char* b = text.data();
  const char* e = b + text.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (text.empty() || ec != std::errc() || p != e)
    fail(source, line, column, "not a number: \"" + text.substr(0, 40) + "\"");
  if (std::isnan(v)) fail(source, line, column, "is NaN");
  if (!std::isfinite(v)) fail(source, line, column, "is not finite: \"" + text + "\"");
  return v;
}

std::int64_t integer(const std::string& source, std::size_t line, const std::string& column,
                     const std::string& text) {
  std::int64_t v = 0;
  const char* b = text.data();
  const char* e = b + text.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (text.empty() || ec != std::errc() || p != e)
    fail(source, line, column, "not an integer: \"" + text.substr(0, 40) + "\"");
  if (v < 0) fail(source, line, column, "must be >= 0, got " + text);
  return v;
}

}  // namespace

const std::vector<std::string>& measurement_columns() {
  static const std::vector<std::string> cols = {"device", "cycle", "target_uS", "level", "time_s",
                                                "g_uS",   "read",  "row",       "col"};
  return cols;
}

Measurements parse_measurements(const std::string& text, const std::string& source) {
  Measurements m;
  m.source = source;
  m.sha256 = sha256_hex(text);
  std::istringstream in(text);
  std::string raw;
  std::size_t line_no = 0, header_line = 0;
  std::map<std::string, std::size_t> col;
  std::map<std::string, std::size_t> device_index;
  const std::set<std::string> known(measurement_columns().begin(), measurement_columns().end());
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    const auto f = split(line);
    if (header_line == 0) {
      header_line = line_no;
      for (std::size_t i = 0; i < f.size(); ++i) {
        if (known.count(f[i]) == 0) {
          std::string msg = "unknown column \"" + f[i].substr(0, 40) + "\"";
          if (auto s = config::suggest(f[i], known)) msg += " (did you mean \"" + *s + "\"?)";
          msg += "; columns: device, cycle, target_uS or level, time_s, g_uS, read, row, col";
          fail(source, line_no, "", msg);
        }
        if (!col.emplace(f[i], i).second) fail(source, line_no, f[i], "column given twice");
        m.columns.push_back(f[i]);
      }
      for (const char* need : {"device", "cycle", "time_s", "g_uS"})
        if (col.count(need) == 0)
          fail(source, line_no, "", std::string("missing column \"") + need + "\"");
      if (col.count("target_uS") == 0 && col.count("level") == 0)
        fail(source, line_no, "", "missing column \"target_uS\" (or \"level\")");
      if (col.count("target_uS") != 0 && col.count("level") != 0)
        fail(source, line_no, "level", "give either \"target_uS\" or \"level\", not both");
      m.by_level = col.count("level") != 0;
      continue;
    }
    if (f.size() != col.size()) {
      std::ostringstream os;
      os << "has " << f.size() << " fields, the header has " << col.size();
      fail(source, line_no, "", os.str());
    }
    Read r;
    r.line = line_no;
    const std::string& dev = f[col["device"]];
    if (dev.empty()) fail(source, line_no, "device", "empty device id");
    auto [it, added] = device_index.emplace(dev, m.devices.size());
    if (added) m.devices.push_back(dev);
    r.device = it->second;
    r.cycle = integer(source, line_no, "cycle", f[col["cycle"]]);
    if (m.by_level) {
      r.level = integer(source, line_no, "level", f[col["level"]]);
    } else {
      r.target_uS = number(source, line_no, "target_uS", f[col["target_uS"]]);
      if (r.target_uS < 0) fail(source, line_no, "target_uS", "negative target conductance");
    }
    r.time_s = number(source, line_no, "time_s", f[col["time_s"]]);
    if (r.time_s < 0) fail(source, line_no, "time_s", "negative time");
    r.g_uS = number(source, line_no, "g_uS", f[col["g_uS"]]);
    if (r.g_uS < 0) fail(source, line_no, "g_uS", "negative conductance");
    if (col.count("read") != 0) r.read = integer(source, line_no, "read", f[col["read"]]);
    if (col.count("row") != 0) r.row = integer(source, line_no, "row", f[col["row"]]);
    if (col.count("col") != 0) r.col = integer(source, line_no, "col", f[col["col"]]);
    m.reads.push_back(r);
  }
  if (header_line == 0) fail(source, line_no, "", "no header line (the file holds no columns)");
  if (m.reads.empty()) fail(source, header_line, "", "no data rows after the header");

  // Duplicates and consistent targets per (device, cycle).
  std::map<std::tuple<std::size_t, std::int64_t, double, std::int64_t>, std::size_t> seen;
  std::map<std::pair<std::size_t, std::int64_t>, const Read*> event;
  const std::string tcol = m.by_level ? "level" : "target_uS";
  for (const auto& r : m.reads) {
    auto [it, added] = seen.emplace(std::make_tuple(r.device, r.cycle, r.time_s, r.read), r.line);
    if (!added)
      fail(source, r.line, "read",
           "duplicate row: same device, cycle, time_s and read as line " +
               std::to_string(it->second) + " (number repeated reads with a \"read\" column)");
    auto [ev, first] = event.emplace(std::make_pair(r.device, r.cycle), &r);
    if (!first && (ev->second->target_uS != r.target_uS || ev->second->level != r.level))
      fail(source, r.line, tcol,
           "device " + m.devices[r.device] + " has two targets in cycle " +
               std::to_string(r.cycle) + " (see line " + std::to_string(ev->second->line) + ")");
  }

  if (m.by_level) {
    // Target of a level: median of its reads at the earliest time of each programming.
    std::map<std::pair<std::size_t, std::int64_t>, double> t_first;
    for (const auto& r : m.reads) {
      auto key = std::make_pair(r.device, r.cycle);
      auto it = t_first.find(key);
      if (it == t_first.end() || r.time_s < it->second) t_first[key] = r.time_s;
    }
    std::map<std::int64_t, std::vector<double>> per_level;
    for (const auto& r : m.reads)
      if (r.time_s == t_first[{r.device, r.cycle}]) per_level[r.level].push_back(r.g_uS);
    std::map<std::int64_t, double> target;
    for (auto& [lv, g] : per_level) {
      std::sort(g.begin(), g.end());
      const std::size_t n = g.size();
      target[lv] = n % 2 == 1 ? g[n / 2] : 0.5 * (g[n / 2 - 1] + g[n / 2]);
    }
    for (auto& r : m.reads) r.target_uS = target[r.level];
  }
  std::set<double> levels;
  for (const auto& r : m.reads) levels.insert(r.target_uS);
  if (levels.size() < 2)
    fail(source, m.reads.back().line, tcol,
         "fewer than two levels: every row has the same target; a fit needs at least two");
  return m;
}

Measurements load_measurements(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read measurement file " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError("error reading measurement file " + path.string());
  return parse_measurements(ss.str(), path.string());
}

void write_measurements_csv(const Measurements& m, const std::filesystem::path& path) {
  std::ofstream out(path);
  if (!out) throw IoError("cannot write " + path.string());
  bool pos = true;
  for (const auto& r : m.reads) pos = pos && r.row >= 0 && r.col >= 0;
  out << "device,cycle,target_uS,time_s,g_uS,read" << (pos ? ",row,col" : "") << "\n";
  out.precision(10);
  for (const auto& r : m.reads) {
    out << m.devices[r.device] << ',' << r.cycle << ',' << r.target_uS << ',' << r.time_s << ','
        << r.g_uS << ',' << r.read;
    if (pos) out << ',' << r.row << ',' << r.col;
    out << '\n';
  }
  if (!out) throw IoError("error writing " + path.string());
}

}  // namespace xbarmc::fit
