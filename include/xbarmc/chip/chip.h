#pragma once
//! \file chip/chip.h
//! One simulated chip instance of one sweep point: the device state of every
//! tile, its effective weights at the current (cycle, time), and the analog
//! matrix product that replaces each weight layer's product in the network.
//!
//! Stage order per read (docs/models.md): DAC on the layer input; per row tile
//! the product with the tile's effective weights (device stages + line
//! resistance); output-referred read noise; ADC per tile column; digital drift
//! compensation; digital sum over row tiles.
//!
//! A Chip is reused across work items by one thread: buffers are sized on first
//! use and reused, so the hot loop does not allocate.

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "xbarmc/chip/point_setup.h"
#include "xbarmc/chip/tile_gemm.h"
#include "xbarmc/circuit/tile_solver.h"
#include "xbarmc/device/read_noise.h"
#include "xbarmc/device/tile_devices.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::chip {

class Chip {
 public:
  //! Prepares instance `instance` of `point` (point_index keys the circuit-solver cache):
  //! draws every device-to-device quantity. With `ideal_devices`, every device holds its
  //! target exactly (the "mapped, noise-free" chip: levels, circuit and periphery only).
  void begin_instance(const PointSetup& point, std::size_t point_index, std::uint64_t seed,
                      std::uint64_t instance, bool ideal_devices = false);
  //! Programs every tile (cycle-to-cycle draws, write-verify, faults).
  void program(std::uint32_t cycle);
  //! Sets the read time: conductances after drift/relaxation, circuit solve, effective
  //! weights, read-noise sigmas, drift-compensation factors. `read_id` keys read noise.
  void read_at(std::uint32_t time_index, double t_s);
  //! Starts a new sequence of reads (its own read-noise streams), e.g. the test set or the
  //! probe: read noise is keyed with sub = time_index << 32 | read_id (util/rng.h).
  void begin_reads(std::uint64_t read_id);
  //! read_id of the reads of the test set.
  static constexpr std::uint64_t READS_TEST_SET = 0;
  //! read_id of the reads of the probe batch (layer errors).
  static constexpr std::uint64_t READS_PROBE = 1;
  //! The analog product y [b x out] = x [b x in] "times" weight layer `layer`.
  void matmul(std::size_t layer, const nn::MatrixRM& x, nn::MatrixRM& y);

  //! Device conductances (uS) of tile `tile` of weight layer `layer` at the current read time,
  //! after every device stage ([rows x physical columns]); what `xbarmc spice` exports.
  [[nodiscard]] const Eigen::MatrixXf& conductances_uS(std::size_t layer, std::size_t tile) const {
    return layers_.at(layer).tiles.at(tile).g_uS;
  }
  //! Effective weights [in x out] of weight layer `layer` at the current read (weight units:
  //! device stages and circuit, before read noise, ADC and compensation).
  [[nodiscard]] const Eigen::MatrixXf& effective_weights(std::size_t layer) const {
    return layers_.at(layer).weff;
  }
  //! Drift-compensation factors of weight layer `layer` [row tiles x out] (1 = none).
  [[nodiscard]] const nn::MatrixRM& compensation(std::size_t layer) const {
    return layers_.at(layer).comp;
  }
  //! Seconds spent in device sampling and circuit solves since construction.
  [[nodiscard]] double device_seconds() const { return device_s_; }
  [[nodiscard]] double circuit_seconds() const { return circuit_s_; }

 private:
  struct TileState {
    device::TileDevices devices;
    Eigen::MatrixXf g_uS;      //!< conductances at the current time [rows x phys_cols]
    Eigen::MatrixXf geff_uS;   //!< effective (circuit) conductances
    Eigen::MatrixXf sigma_uS;  //!< per-device read-noise sigma
    Eigen::MatrixXf sigma_w;   //!< read-noise sigma in weight units [rows x weight_cols]
    Eigen::VectorXf ref_sums;  //!< reference read (all-ones input) at t0, per physical column
    Eigen::VectorXf comp;      //!< drift-compensation factor per weight column (1 = none)
    Eigen::VectorXf now_sums;  //!< the reference read at the current time, per physical column
    bool noisy = false;        //!< read noise on for this tile
  };
  struct LayerState {
    std::vector<TileState> tiles;
    Eigen::MatrixXf weff;             //!< effective weights [in x out] (weight units)
    std::vector<RandomStream> noise;  //!< read-noise stream per tile
    nn::MatrixRM comp;                //!< drift-compensation factor per row tile and output column
    PackedWeights packed;             //!< weff packed for tile_gemm, per read
    std::vector<int> k0;              //!< first input row of each row tile
    // Scratch of matmul, per layer so that its shape (hence its buffer) stays the same.
    nn::MatrixRM xq;    //!< DAC output [batch x in]
    nn::MatrixRM part;  //!< partial sums of one row tile [batch x out] (read-noise path)
  };

  circuit::TileSolver& solver_for(int rows, int cols);
  //! G_eff of the tile from ts.g_uS through the circuit model (a copy when ideal).
  void effective_conductance(TileState& ts);
  void tile_into_weights(std::size_t l, const mapping::TileSpec& t, TileState& ts);
  void add_tile_row_noise(LayerState& ls, const mapping::LayerMap& map, int tr,
                          const nn::MatrixRM& xin);

  const PointSetup* point_ = nullptr;
  std::size_t point_index_ = 0;
  std::uint64_t seed_ = 0;
  std::uint64_t instance_ = 0;
  std::uint32_t cycle_ = 0;
  std::uint32_t time_index_ = 0;
  bool ideal_devices_ = false;
  std::vector<LayerState> layers_;
  std::map<std::tuple<std::size_t, int, int>, std::unique_ptr<circuit::TileSolver>> solvers_;
  nn::MatrixRM gemm_scratch_;  // tile_gemm's scratch (portable path only)
  double device_s_ = 0, circuit_s_ = 0;
};

}  // namespace xbarmc::chip
