#pragma once
//! \file device/tile_devices.h
//! Device state of one tile of one chip instance, applying the stages in their fixed
//! order: levels/table -> programming (D2D, C2C, write-verify, clamp) -> faults ->
//! drift -> relaxation; read noise is handed out as a per-device sigma for the
//! output-referred sampler (read_noise.h).
//!
//! Randomness: every stage draws from its own keyed stream
//! {instance, purpose, layer, tile, cycle, sub} in row-major order over the tile's
//! devices, one standard normal (or uniform) per device, scaled afterwards (common
//! random numbers: a changed sigma reuses the same draws; a stage switched off never
//! shifts another stage's draws). The draws of a stage come in one batch
//! (RandomStream::normals / uniforms01) into a reused scratch buffer.

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "xbarmc/device/params.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::device {

//! Where a tile sits, for keyed streams.
struct TileKey {
  std::uint64_t seed = 0;      //!< study seed
  std::uint64_t instance = 0;  //!< chip instance
  std::uint32_t layer = 0;     //!< weight-layer index
  std::uint32_t tile = 0;      //!< tile index within the layer
};

//! Fault state of a device.
enum class FaultState : std::uint8_t { None = 0, StuckAtGMin = 1, StuckAtGMax = 2 };

//! Device state of one tile. Reuse one object per thread: arrays keep their storage
//! across calls (no allocation after the first call with a given tile shape).
class TileDevices {
 public:
  //! Per-instance (D2D) draws: table level statistics, programming D2D error,
  //! faults, drift exponents. `target_uS` is the tile's [rows x phys_cols] target.
  void draw_instance(const DeviceParams& p, const TileKey& key,
                     const Eigen::Ref<const Eigen::MatrixXf>& target_uS);
  //! Programs the tile at `cycle`: D2D + C2C programming error, write-verify, clamp
  //! into [0, g_clamp_max_uS], then stuck-at faults. Result in programmed_uS().
  void program(const DeviceParams& p, const TileKey& key, std::uint32_t cycle);
  //! Conductance (uS) t_s seconds after programming: drift then relaxation (stream
  //! RelaxationC2C with sub = time_index). Stuck devices neither drift nor relax.
  void at_time(const DeviceParams& p, const TileKey& key, std::uint32_t cycle, double t_s,
               std::uint32_t time_index, Eigen::Ref<Eigen::MatrixXf> g_uS) const;
  //! Per-device read-noise standard deviation (uS) at t_s for conductances g_t_uS
  //! (all zero when read noise is off).
  void read_sigma(const DeviceParams& p, double t_s,
                  const Eigen::Ref<const Eigen::MatrixXf>& g_t_uS,
                  Eigen::Ref<Eigen::MatrixXf> sigma_uS) const;

  //! G_prog of the last program() (uS).
  [[nodiscard]] const Eigen::MatrixXf& programmed_uS() const { return prog_; }
  //! Targets after snapping to the table's levels (uS).
  [[nodiscard]] const Eigen::MatrixXf& target_uS() const { return target_; }
  //! D2D-programmed value before the C2C error (uS).
  [[nodiscard]] const Eigen::MatrixXf& d2d_uS() const { return base_; }
  //! Drift exponents of this instance (zero when drift is off).
  [[nodiscard]] const Eigen::MatrixXf& nu() const { return nu_; }
  //! Fault state of each device.
  [[nodiscard]] const Eigen::Matrix<FaultState, Eigen::Dynamic, Eigen::Dynamic>& faults() const {
    return fault_;
  }

 private:
  Eigen::MatrixXf target_;     // snapped target (uS)
  Eigen::MatrixXf base_;       // target + D2D error (uS)
  Eigen::MatrixXf c2c_scale_;  // C2C sigma (uS) or log-sigma (lognormal)
  Eigen::MatrixXf nu_;         // drift exponents
  Eigen::MatrixXf prog_;       // programmed G (uS)
  Eigen::Matrix<FaultState, Eigen::Dynamic, Eigen::Dynamic> fault_;
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic> level_;  // table level index

  // The stages of draw_instance and program, in the order they run (one function each; the
  // stages at a read time are free functions in tile_devices.cpp, called by at_time).
  //! Table model: snaps each target to the nearest measured level (level_, target_).
  void snap_to_levels(const DeviceParams& p);
  //! Programming D2D error (base_) and the C2C scale (c2c_scale_); `same`: scale unchanged.
  void draw_programming_d2d(const DeviceParams& p, const TileKey& key, bool same);
  //! Stuck-at faults: one uniform per device.
  void draw_faults(const DeviceParams& p, const TileKey& key);
  //! Drift exponents nu (normal, PCM or table form); `same`: PCM mean and sigma unchanged.
  void draw_drift_exponents(const DeviceParams& p, const TileKey& key, bool same);
  //! Programming C2C error of `cycle` on top of base_ (prog_).
  void draw_programming_c2c(const TileKey& key, std::uint32_t cycle);
  //! Write-verify: redraws of the C2C error until within tolerance.
  void write_verify(const DeviceParams& p, const TileKey& key, std::uint32_t cycle);
  //! Clamp into [0, g_clamp_max_uS], then stuck devices at the device's g_min / g_max.
  void clamp_and_stick(const DeviceParams& p);

  // Per-device quantities that depend only on the target and the model, kept for the next
  // instance of the same tile (same target, same model): the C2C scale (in c2c_scale_) and the
  // PCM drift exponent's mean and sigma.
  Eigen::MatrixXf pcm_nu_mean_, pcm_nu_sigma_;
  bool cache_valid_ = false;
  ErrorModel cached_c2c_;
  Drift cached_drift_;
  double cached_g_max_uS_ = 0, cached_g_min_uS_ = 0;

  mutable std::vector<float> scratch_;  // one stage's draws; reused (one object per thread)
  bool c2c_on_ = false;
  bool c2c_lognormal_ = false;
};

}  // namespace xbarmc::device
