#include "xbarmc/io/summary_format.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "xbarmc/stats/summary.h"

namespace xbarmc::io {

namespace {
std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string time_label(double t) {
  if (t >= 86400.0 * 30) return fmt("%.3g mo", t / (86400.0 * 30));
  if (t >= 86400.0) return fmt("%.3g d", t / 86400.0);
  if (t >= 3600.0) return fmt("%.3g h", t / 3600.0);
  return fmt("%.3g s", t);
}
std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}
}  // namespace

std::string summary_table(const ResultsSummary& s) {
  std::ostringstream os;
  os << "study " << s.name << (s.complete ? "" : "  [INCOMPLETE]") << ": " << s.instances
     << " instances per point, software accuracy " << fmt("%.2f %%", 100 * s.software_accuracy)
     << "\n";
  if (s.nonfinite > 0)
    os << s.nonfinite
       << " instances gave non-finite outputs (NaN or Inf; status 2) and are left out of the "
          "statistics\n";
  if (s.rows.empty()) return os.str();
  os << "accuracy in %; yield = fraction of chips with accuracy >= threshold, "
     << fmt("%.0f %%", 100 * s.confidence) << " Clopper-Pearson interval\n";
  os << "point  cycle  time       mean +- std      p5      noise-free";
  for (double th : s.rows.front().thresholds)
    os << "  yield@" << fmt("%.1f", 100 * th) << "              ";
  os << "  params\n";
  for (const auto& r : s.rows) {
    os << fmt("%5.0f", static_cast<double>(r.point)) << "  " << fmt("%5.0f", r.cycle) << "  "
       << pad(time_label(r.time_s), 9) << fmt("%7.2f", 100 * r.mean) << " +-"
       << fmt("%6.2f", 100 * r.std) << "  " << fmt("%6.2f", 100 * r.quantiles[1]) << "  "
       << fmt("%10.2f", 100 * r.noise_free_accuracy);
    for (std::size_t k = 0; k < r.yield.size(); ++k)
      os << "  " << fmt("%6.3f", r.yield[k]) << " [" << fmt("%.3f", r.yield_lo[k]) << ", "
         << fmt("%.3f", r.yield_hi[k]) << "]";
    os << "  " << r.label << "\n";
  }
  return os.str();
}

std::string summary_json(const ResultsSummary& s) {
  nlohmann::ordered_json j;
  j["name"] = s.name;
  j["complete"] = s.complete;
  j["instances"] = s.instances;
  j["nonfinite_instances"] = s.nonfinite;
  j["software_accuracy"] = s.software_accuracy;
  j["confidence"] = s.confidence;
  j["quantile_levels"] =
      std::vector<double>(std::begin(stats::QUANTILE_LEVELS), std::end(stats::QUANTILE_LEVELS));
  j["rows"] = nlohmann::ordered_json::array();
  for (const auto& r : s.rows) {
    j["rows"].push_back({{"point", r.point},
                         {"params", r.label},
                         {"cycle", r.cycle},
                         {"time_s", r.time_s},
                         {"n", r.n},
                         {"mean", r.mean},
                         {"std", r.std},
                         {"sem", r.sem},
                         {"min", r.min},
                         {"max", r.max},
                         {"quantiles", r.quantiles},
                         {"noise_free_accuracy", r.noise_free_accuracy},
                         {"thresholds", r.thresholds},
                         {"yield", r.yield},
                         {"yield_lo", r.yield_lo},
                         {"yield_hi", r.yield_hi}});
  }
  return j.dump(2) + "\n";
}

std::string summary_csv(const ResultsSummary& s) {
  std::ostringstream os;
  os.precision(10);
  os << "point,params,cycle,time_s,n,mean,std,sem,min,max,p1,p5,p50,p95,p99,noise_free_accuracy";
  if (!s.rows.empty())
    for (std::size_t k = 0; k < s.rows.front().thresholds.size(); ++k)
      os << ",threshold_" << k << ",yield_" << k << ",yield_lo_" << k << ",yield_hi_" << k;
  os << "\n";
  for (const auto& r : s.rows) {
    std::string label = r.label;
    for (auto& c : label)
      if (c == '"') c = '\'';
    os << r.point << ",\"" << label << "\"," << r.cycle << "," << r.time_s << "," << r.n << ","
       << r.mean << "," << r.std << "," << r.sem << "," << r.min << "," << r.max;
    for (double q : r.quantiles) os << "," << q;
    os << "," << r.noise_free_accuracy;
    for (std::size_t k = 0; k < r.thresholds.size(); ++k)
      os << "," << r.thresholds[k] << "," << r.yield[k] << "," << r.yield_lo[k] << ","
         << r.yield_hi[k];
    os << "\n";
  }
  return os.str();
}

}  // namespace xbarmc::io
