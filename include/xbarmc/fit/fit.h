#pragma once
//! \file fit/fit.h
//! `xbarmc fit`: from measurements (fit/measurements.h) to a device config the engine runs
//! (the "/device" schema of device/params.h). Estimators, the stuck-device rule and the
//! output are documented in docs/device-fit.md.

#include <filesystem>
#include <string>
#include <vector>

#include "xbarmc/config/node.h"
#include "xbarmc/fit/estimators.h"
#include "xbarmc/fit/measurements.h"

namespace xbarmc::fit {

//! Which device model the fit writes.
enum class ModelKind {
  Table,      //!< per-level mean and sigma (device "table" stage, drift nu_form "table")
  Parametric  //!< polynomial sigma(x) for D2D and C2C, drift nu_form "pcm"
};

//! Options of a fit.
struct FitOptions {
  ModelKind model = ModelKind::Table;
  double level = 0.95;     //!< two-sided confidence level of every interval
  int poly_order = -1;     //!< parametric: fixed polynomial order, or -1 = chosen by criterion
  int max_poly_order = 3;  //!< parametric: highest order tried
  bool use_bic = true;     //!< parametric: BIC (true) or AIC (false)
  double drift_t0_s = 1;   //!< drift reference time when the earliest read is at t = 0 (s)
  double stuck_z = 3.5;    //!< robust z-score above which a device does not follow targets
  double g_min_uS = -1;    //!< device range; < 0: the lowest target
  double g_max_uS = -1;    //!< device range; < 0: the highest target
  std::string name = "fitted_device";  //!< "name" of the written device
};

//! Estimates of one target level.
struct LevelFit {
  double target_uS = 0;          //!< target (uS)
  std::size_t devices = 0;       //!< devices programmed to this level (stuck ones excluded)
  std::size_t programmings = 0;  //!< (device, cycle) programmings
  Interval offset_uS;            //!< mean G at the first read minus target (uS)
  Interval d2d_sigma_uS;         //!< device-to-device sigma (uS); NaN when not identified
  Interval c2c_sigma_uS;         //!< cycle-to-cycle sigma (uS), read noise removed
  Interval total_sigma_uS;       //!< sqrt(d2d^2 + c2c^2) (uS)
  KsResult ks;                   //!< KS of first reads vs N(target + offset, total sigma^2)
  bool drift = false;            //!< drift estimated at this level
  Interval nu_mean;              //!< mean drift exponent
  Interval nu_sigma;             //!< device-to-device sigma of the drift exponent
  std::vector<double> first_uS;  //!< first-read values (for the report)
};

//! Result of a fit.
struct FitResult {
  FitOptions options;
  double g_min_uS = 0, g_max_uS = 0;  //!< range written to the device (uS)
  std::vector<LevelFit> levels;
  std::size_t devices = 0, rows = 0, rows_used = 0;
  std::size_t stuck_min = 0, stuck_max = 0, erratic = 0;  //!< excluded devices
  std::vector<std::string> excluded_devices;              //!< "id: reason"
  Interval stuck_min_rate, stuck_max_rate;                //!< per device
  bool read_noise = false;                                //!< repeated reads present
  Interval read_sigma_rel;                                //!< relative read-noise sigma
  bool drift = false;                                     //!< drift estimated
  double drift_t0_s = 1;                                  //!< drift reference time (s)
  bool drift_offset_by_t0 = true;                         //!< t_eff = t + t0 (first read at 0)
  double d2d_fraction = 0;                                //!< pooled D2D share of variance
  PolyFit d2d_poly, c2c_poly, nu_mean_fit, nu_sigma_fit;  //!< parametric fits
  bool d2d_identified = false, c2c_identified = false;
  std::vector<std::string> warnings;  //!< what could not be estimated, and why
  config::Json device;                //!< the device config (with its "fit" block)
  config::Json report;                //!< per-event data for plots/fit_report.py
};

//! Fits `m`. Throws InputError when nothing can be fitted (e.g. every device stuck).
FitResult fit_measurements(const Measurements& m, const FitOptions& options);

//! Writes the device JSON (IoError when it cannot be written).
void write_device_json(const FitResult& r, const std::filesystem::path& path);

//! Writes DIR/fit_report.json (the fit block, per-level first reads and drift-fan quantiles)
//! for plots/fit_report.py; creates DIR. IoError when it cannot be written.
void write_report_data(const FitResult& r, const std::filesystem::path& dir);

}  // namespace xbarmc::fit
