#pragma once
//! \file chip/instance_tile.h
//! Rebuilds one tile of one chip instance exactly as the Monte Carlo run has it
//! (same keyed draws), for `xbarmc spice` and for debugging a single instance.

#include <cstdint>
#include "xbarmc/util/eigen.h"

#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network.h"
#include "xbarmc/study/study.h"

namespace xbarmc::chip {

//! Which tile of which chip, at which read.
struct TileAddress {
  std::size_t point = 0;       //!< sweep point
  std::uint64_t instance = 0;  //!< chip instance
  std::uint32_t cycle = 0;     //!< programming cycle
  std::size_t time_index = 0;  //!< index into /monte_carlo/times_s
  std::size_t layer = 0;       //!< weight layer
  std::size_t tile = 0;        //!< tile index within the layer (row-major over the tile grid)
};

//! Conductances (uS) of the addressed tile after every device stage, [rows x physical columns].
//! `calibration` is the batch the run calibrates the periphery on (the probe batch).
//! ConfigError naming the option when an index is out of range.
Eigen::MatrixXf instance_tile_conductances(const study::Study& study, const nn::Network& net,
                                           const nn::MatrixRM& calibration, const TileAddress& a);

}  // namespace xbarmc::chip
