#pragma once
//! \file fit/synth.h
//! Synthetic measurements drawn by the engine's own device stages (device::TileDevices), for
//! the tests of `xbarmc fit` and for trying the fit on a known device.

#include <cstdint>
#include <vector>

#include "xbarmc/device/params.h"
#include "xbarmc/fit/measurements.h"

namespace xbarmc::fit {

//! Experiment design: `rows x cols` devices of one chip instance, each programmed `cycles`
//! times; in cycle c device d = i*cols + j gets target targets_uS[(d + c) mod K]; every
//! programming is read `reads` times at each of `times_s`.
struct SynthDesign {
  std::size_t rows = 4, cols = 8;     //!< array of devices
  std::vector<double> targets_uS;     //!< levels (uS)
  std::uint32_t cycles = 8;           //!< programmings per device
  std::vector<double> times_s = {0};  //!< read times after programming (s)
  std::uint32_t reads = 1;            //!< repeated reads per time
  std::uint64_t seed = 1;             //!< stream seed
  std::uint64_t instance = 0;         //!< chip instance (another instance = other devices)
};

//! Draws measurements from `p` (drift, faults, read noise as configured).
Measurements synthesize(const device::DeviceParams& p, const SynthDesign& design);

}  // namespace xbarmc::fit
