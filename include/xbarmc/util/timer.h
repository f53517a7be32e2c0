#pragma once
//! \file util/timer.h
//! Wall-clock intervals on the monotonic clock, for the timings the results file reports.

#include <chrono>

namespace xbarmc::util {

//! The monotonic clock used for every timing.
using Clock = std::chrono::steady_clock;

//! Seconds elapsed since `t0` (monotonic clock).
inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace xbarmc::util
