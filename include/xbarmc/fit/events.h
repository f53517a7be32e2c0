#pragma once
//! \file fit/events.h
//! Internal to the fit: reads grouped by programming event (device, cycle), and the
//! stuck-device rule (docs/device-fit.md, section 2).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "xbarmc/fit/measurements.h"

namespace xbarmc::fit {

//! One programming of one device: its reads grouped by time.
struct Event {
  std::size_t device = 0;
  std::int64_t cycle = 0;
  std::size_t level = 0;                        //!< index into the sorted targets
  std::map<double, std::vector<double>> reads;  //!< time_s -> repeated reads (uS)
  std::vector<std::size_t> rows;                //!< indices into Measurements::reads
  [[nodiscard]] double first_time() const { return reads.begin()->first; }
  //! Mean of the reads at the earliest time (uS).
  [[nodiscard]] double first_mean() const;
};

//! Fault class of a device after the stuck rule.
enum class DeviceClass { Ok, StuckMin, StuckMax, Erratic };

//! Events and the sorted distinct targets.
struct EventTable {
  std::vector<double> targets_uS;  //!< sorted distinct targets (uS)
  std::vector<Event> events;
};

//! Groups the reads of `m` into events.
EventTable group_events(const Measurements& m);

//! The stuck rule: per level, median and MAD of the first reads; a device whose median
//! robust z-score |y - med_k| / (1.4826 MAD_k) over its programmings exceeds `z_max` does not
//! follow its targets; it is stuck at g_min (g_max) when the median of its first reads is
//! within 10 % of the range from g_min (g_max), else erratic.
std::vector<DeviceClass> classify_devices(const EventTable& t, std::size_t n_devices,
                                          double g_min_uS, double g_max_uS, double z_max);

//! Median of `v` (copies; NaN when empty).
double median(std::vector<double> v);

}  // namespace xbarmc::fit
