// Grouping of reads into programming events and the stuck-device rule (docs/device-fit.md,
// section 2). The rule uses the median absolute deviation (Hampel, JASA 69, 383, 1974) and the
// modified z-score threshold 3.5 of Iglewicz & Hoaglin (How to Detect and Handle Outliers,
// ASQC 1993).
#include "xbarmc/fit/events.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace xbarmc::fit {

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double Event::first_mean() const {
  const auto& r = reads.begin()->second;
  double s = 0;
  for (double g : r) s += g;
  return s / static_cast<double>(r.size());
}

EventTable group_events(const Measurements& m) {
  EventTable t;
  std::set<double> targets;
  for (const auto& r : m.reads) targets.insert(r.target_uS);
  t.targets_uS.assign(targets.begin(), targets.end());
  std::map<std::pair<std::size_t, std::int64_t>, std::size_t> index;
  for (std::size_t i = 0; i < m.reads.size(); ++i) {
    const Read& r = m.reads[i];
    auto [it, added] = index.emplace(std::make_pair(r.device, r.cycle), t.events.size());
    if (added) {
      Event e;
      e.device = r.device;
      e.cycle = r.cycle;
      e.level = static_cast<std::size_t>(
          std::lower_bound(t.targets_uS.begin(), t.targets_uS.end(), r.target_uS) -
          t.targets_uS.begin());
      t.events.push_back(e);
    }
    Event& e = t.events[it->second];
    e.reads[r.time_s].push_back(r.g_uS);
    e.rows.push_back(i);
  }
  return t;
}

std::vector<DeviceClass> classify_devices(const EventTable& t, std::size_t n_devices,
                                          double g_min_uS, double g_max_uS, double z_max) {
  const std::size_t k_levels = t.targets_uS.size();
  std::vector<std::vector<double>> y(k_levels);
  for (const auto& e : t.events) y[e.level].push_back(e.first_mean());
  std::vector<double> med(k_levels), scale(k_levels);
  for (std::size_t k = 0; k < k_levels; ++k) {
    med[k] = median(y[k]);
    std::vector<double> dev;
    for (double v : y[k]) dev.push_back(std::abs(v - med[k]));
    // 1.4826 MAD estimates sigma for normal data; a floor keeps a noise-free level usable.
    scale[k] = std::max(1.4826 * median(dev), 1e-9 * (1 + std::abs(med[k])));
  }
  std::vector<std::vector<double>> z(n_devices), g(n_devices);
  for (const auto& e : t.events) {
    const double v = e.first_mean();
    z[e.device].push_back(std::abs(v - med[e.level]) / scale[e.level]);
    g[e.device].push_back(v);
  }
  std::vector<DeviceClass> out(n_devices, DeviceClass::Ok);
  const double band = 0.1 * (g_max_uS - g_min_uS);
  for (std::size_t d = 0; d < n_devices; ++d) {
    if (z[d].empty() || !(median(z[d]) > z_max)) continue;
    const double gm = median(g[d]);
    if (std::abs(gm - g_min_uS) <= band)
      out[d] = DeviceClass::StuckMin;
    else if (std::abs(gm - g_max_uS) <= band)
      out[d] = DeviceClass::StuckMax;
    else
      out[d] = DeviceClass::Erratic;
  }
  return out;
}

}  // namespace xbarmc::fit
