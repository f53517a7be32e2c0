#pragma once
//! \file periphery/periphery.h
//! Periphery of a tile: input DAC, per-column ADC of partial sums, and drift
//! compensation calibrated the way chips do it (Joshi et al., Nat. Commun. 11, 2473, 2020:
//! an all-ones reference read at t0 against the same read at t, applied digitally).
//!
//! Quantisers are symmetric, mid-tread (zero is a level): with n bits and range R,
//! step = R / (2^(n-1) - 1) and q(x) = step * clamp(round(x/step), -(2^(n-1)-1), 2^(n-1)-1),
//! so values beyond +-R saturate at +-R. bits = 0 means ideal (no quantisation).

#include <Eigen/Dense>

#include "xbarmc/config/node.h"
#include "xbarmc/mapping/mapping.h"

namespace xbarmc::periphery {

//! How a converter's full-scale range is set.
enum class RangeMode {
  Fixed,      //!< the configured `range` value
  Calibrated  //!< max |x| over a calibration batch (per tile column for the ADC)
};

//! Input DAC.
struct DacParams {
  int bits = 0;  //!< resolution incl. sign; 0 = ideal
  RangeMode range_mode = RangeMode::Calibrated;
  double range = 1.0;  //!< Fixed: full scale in input units
};

//! ADC of each tile column's partial sum.
struct AdcParams {
  int bits = 0;  //!< resolution incl. sign; 0 = ideal
  RangeMode range_mode = RangeMode::Calibrated;
  double range = 1.0;      //!< Fixed: full scale in partial-sum units
  bool per_column = true;  //!< Calibrated: one range per tile column, else one per tile
  double calibration_headroom =
      1.0;  //!< Calibrated: range = headroom * max |y| (>= 1 avoids clipping)
};

//! Drift compensation of the outputs.
enum class DriftCompensation { None, Global, PerColumn };

//! Parameters of the "/periphery" object.
struct PeripheryParams {
  DacParams dac;
  AdcParams adc;
  DriftCompensation drift_compensation = DriftCompensation::None;
  double v_read_V = 0.2;  //!< read voltage for full-scale input (V)
};

//! Parses the "/periphery" object and calls finish().
void parse_periphery(config::Node& node, PeripheryParams& p);

//! Symmetric mid-tread quantisation of x (in place) to `bits` over [-range, range].
void quantize(int bits, float range, Eigen::Ref<Eigen::MatrixXf> x);

//! DAC quantisation of inputs x [batch x rows] in place (no-op for bits = 0).
void quantize_dac(const DacParams& p, float range, Eigen::Ref<Eigen::MatrixXf> x);
//! ADC quantisation of partial sums y [batch x cols] in place with one range.
void quantize_adc(const AdcParams& p, float range, Eigen::Ref<Eigen::MatrixXf> y);
//! ADC quantisation with one range per column (ranges.size() == y.cols()).
void quantize_adc(const AdcParams& p, const Eigen::Ref<const Eigen::VectorXf>& ranges,
                  Eigen::Ref<Eigen::MatrixXf> y);

//! Calibrated range: headroom * max |x| over a calibration batch (1 if all zero).
float calibrate_range(const Eigen::Ref<const Eigen::MatrixXf>& x, double headroom = 1.0);
//! Per-column calibrated ranges: headroom * max_b |y_bj| (1 where a column is all zero).
Eigen::VectorXf calibrate_column_ranges(const Eigen::Ref<const Eigen::MatrixXf>& y,
                                        double headroom = 1.0);

// ---- drift compensation (docs/models.md; Joshi et al., Nat. Commun. 11, 2473, 2020) ----

//! Denominator floor of the compensation ratios (uS), so an all-zero read at t gives a large
//! finite factor instead of a division by zero.
inline constexpr float COMPENSATION_FLOOR = 1e-30f;

//! The reference read of one tile: every row driven at the read voltage (all-ones input), the
//! physical column currents in units of the read voltage, i.e. the column sums of the tile's
//! effective conductance matrix G_eff [rows x physical columns] (uS).
void reference_read(const Eigen::MatrixXf& geff_uS, Eigen::VectorXf& column_sums_uS);

//! Global factor of one tile: sum_k I_k(t0) / max(sum_k I_k(t), COMPENSATION_FLOOR) over all
//! physical columns k (float sums, Eigen's reduction order).
float drift_factor_global(const Eigen::VectorXf& ref_t0, const Eigen::VectorXf& ref_t);

//! Per-column factors of one tile, one per weight column j with physical pair (a, b) =
//! mapping::pair_columns(scheme, tile, j): (I_a(t0) + I_b(t0)) / max(I_a(t) + I_b(t), floor).
void drift_factors_per_column(const Eigen::VectorXf& ref_t0, const Eigen::VectorXf& ref_t,
                              mapping::Scheme scheme, const mapping::TileSpec& tile,
                              Eigen::VectorXf& factors);

}  // namespace xbarmc::periphery
