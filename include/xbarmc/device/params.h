#pragma once
//! \file device/params.h
//! Parameters of every device stage (the "/device" config object) and its parser.
//! Stage order (fixed): levels/table -> programming (D2D, C2C, write-verify, clamp)
//! -> faults -> drift -> relaxation -> random telegraph noise -> read noise. Formulas and sources:
//! docs/models.md; every key with default and constraint: docs/config-device.md.

#include <filesystem>
#include <string>
#include <vector>

#include "xbarmc/config/node.h"
#include "xbarmc/device/level_table.h"

namespace xbarmc::device {

//! Form of one programming-error component.
enum class ErrorForm {
  Absolute,    //!< sigma = sigma_uS
  Relative,    //!< sigma = sigma_rel * G
  Range,       //!< sigma = sigma_rel * (g_max_uS - g_min_uS)
  Polynomial,  //!< sigma = max(0, sum_k coeffs_uS[k] x^k), x = G / g_ref_uS
  Lognormal    //!< R = 1/G lognormal with median R and log-sigma interpolated in R
};

//! One programming-error component (D2D or C2C).
struct ErrorModel {
  bool enabled = false;
  ErrorForm form = ErrorForm::Relative;
  double sigma_uS = 0;            //!< Absolute: sigma (uS)
  double sigma_rel = 0;           //!< Relative / Range: dimensionless
  std::vector<double> coeffs_uS;  //!< Polynomial: c0..cK (uS)
  double g_ref_uS = 1;            //!< Polynomial: x = G / g_ref_uS (uS)
  double log_sigma_r_on = 0;      //!< Lognormal: log-sigma at R_on = 1/g_max_uS
  double log_sigma_r_off = 0;     //!< Lognormal: log-sigma at R_off = 1/g_min_uS
  //! Field-wise equality (TileDevices reuses per-device quantities of an unchanged model).
  bool operator==(const ErrorModel&) const = default;
};

//! Write-verify: reprogram (fresh C2C error) until |G - target| <= tolerance_uS +
//! tolerance_rel * target, at most max_iterations programming attempts in all.
struct WriteVerify {
  bool enabled = false;
  double tolerance_uS = 0;   //!< absolute part of the acceptance band (uS)
  double tolerance_rel = 0;  //!< part of the band relative to the target
  int max_iterations = 10;   //!< programming attempts including the first (>= 1)
};

//! Stage "programming".
struct Programming {
  ErrorModel d2d;            //!< drawn once per instance (Purpose::ProgrammingD2D)
  ErrorModel c2c;            //!< redrawn per cycle (Purpose::ProgrammingC2C)
  WriteVerify write_verify;  //!< extra attempts (Purpose::WriteVerify, sub = attempt)
  double g_clamp_max_uS =
      0;  //!< programmed G is clamped into [0, g_clamp_max_uS]; default 2 g_max_uS
};

//! Stage "faults": stuck devices, drawn per instance (Purpose::FaultsD2D).
struct Faults {
  bool enabled = false;
  double stuck_at_g_min_rate = 0;  //!< probability a device is stuck at g_min_uS
  double stuck_at_g_max_rate = 0;  //!< probability a device is stuck at g_max_uS
};

//! Distribution of the drift exponent nu (drawn per instance, Purpose::DriftNuD2D).
enum class NuForm {
  Normal,  //!< nu = clamp(N(nu_mean, nu_sigma), nu_min, nu_max)
  Pcm,     //!< nu = |N(mu(x), sigma(x))|, x = target/g_max (Nandakumar 2019 fit)
  Table    //!< nu = clamp(N(level nu_mean, level nu_sigma), nu_min, nu_max)
};

//! Stage "drift": G(t) = G_prog (t_eff/t0)^(-nu) for t_eff > t0, else G_prog.
struct Drift {
  bool enabled = false;
  NuForm form = NuForm::Normal;
  double t0_s = 20;                  //!< reference time (s)
  bool offset_by_t0 = true;          //!< t_eff = t + t0_s (aihwkit PCM convention), else t_eff = t
  double nu_mean = 0, nu_sigma = 0;  //!< Normal form
  double nu_min = 0, nu_max = 1;     //!< clamp of Normal and Table forms
  // Pcm form: mu = clip(mu_a ln x + mu_b, mu_lo, mu_hi), sigma = clip(sig_a ln x + sig_b, sig_lo,
  // sig_hi)
  double mu_a = -0.0155, mu_b = 0.0244, mu_lo = 0.049, mu_hi = 0.1;         //!< Pcm mean fit
  double sig_a = -0.0125, sig_b = -0.0059, sig_lo = 0.008, sig_hi = 0.045;  //!< Pcm sigma fit
  double x_min = 1e-7;  //!< Pcm: x clipped below at this value
  //! Field-wise equality (TileDevices reuses per-device quantities of an unchanged model).
  bool operator==(const Drift&) const = default;
};

//! Stage "relaxation" (RRAM): G += m_slope L + (s_slope L + s_0) z with
//! L = ln(max(t, t_ref_s)/t_ref_s), for t > 0 (Purpose::RelaxationC2C, sub = time index).
struct Relaxation {
  bool enabled = false;
  double mean_slope_uS = 0;   //!< mean shift per unit ln t (uS)
  double sigma_slope_uS = 0;  //!< sigma growth per unit ln t (uS)
  double sigma_0_uS = 0;      //!< sigma at t = t_ref_s (uS)
  double t_ref_s = 1;         //!< time unit of the log (s)
};

//! Stage "random_telegraph": random telegraph noise (RTN), a two-level fluctuation of the
//! conductance caused by one charge trap per device (Ielmini, Nardi & Cagli, Appl. Phys. Lett.
//! 96, 053503 (2010): relative amplitude Delta R / R of a few to tens of percent in RRAM).
//! At each read time every device that is not stuck has its trap occupied with probability
//! `occupancy`, independently per read time (trap time constants are far below the spacing of
//! read times, stream RandomTelegraph with sub = time index) and then conducts
//! G (1 - amplitude_rel); the state is frozen over the reads of one read time.
//! Per device: E[G_rtn / G] = 1 - amplitude_rel occupancy,
//! Var[G_rtn / G] = amplitude_rel^2 occupancy (1 - occupancy).
struct RandomTelegraph {
  bool enabled = false;
  double amplitude_rel = 0;  //!< relative conductance drop with the trap occupied, [0, 1)
  double occupancy = 0.5;    //!< probability that the trap is occupied at a read time, [0, 1]
};

//! Read-noise form.
enum class ReadForm {
  Relative,  //!< sigma = sigma_rel |G(t)|
  Pcm1f      //!< sigma = |G(t)| Q_s(x_p) sqrt(ln((t + t0 + t_read)/(2 t_read)))
};

//! Stage "read_noise": per-read Gaussian noise (sampled output-referred).
struct ReadNoise {
  bool enabled = false;
  ReadForm form = ReadForm::Relative;
  double sigma_rel = 0;       //!< Relative form
  double q_s_coeff = 0.0088;  //!< Pcm1f: Q_s = min(q_s_coeff / x_p^q_s_exp, q_s_max)
  double q_s_exp = 0.65;      //!< Pcm1f exponent
  double q_s_max = 0.2;       //!< Pcm1f upper bound of Q_s
  double x_p_min = 1e-3;      //!< Pcm1f: x_p = |G_prog|/g_max clamped below at this
  double t_read_s = 250e-9;   //!< Pcm1f read pulse width (s)
  double t0_s = 20;           //!< Pcm1f: t_eff = t + t0_s (s)
};

//! Stage "table": per-level measured statistics (replaces the programming forms).
struct Table {
  bool enabled = false;
  std::string file;         //!< CSV or JSON file (relative to the config or preset folder)
  double d2d_fraction = 0;  //!< share of each level's variance drawn per instance (rest per cycle)
  LevelTable levels;        //!< the loaded table
};

//! All device parameters.
struct DeviceParams {
  std::string name;           //!< preset name or "custom"
  std::string source;         //!< citation of the numbers (required in presets)
  std::string notes;          //!< free text (caveats, alternative fits)
  std::string resolved_from;  //!< preset file actually used ("" when none)
  double g_min_uS = 0;        //!< device conductance range (uS): stuck-at values, Range form
  double g_max_uS = 0;        //!< (uS)
  Programming programming;
  Faults faults;
  Drift drift;
  Relaxation relaxation;
  RandomTelegraph random_telegraph;
  ReadNoise read_noise;
  Table table;
};

//! Parses the "/device" object. {"preset": NAME} loads NAME.json from the first of
//! preset_dirs(config_dir) that has it; {"preset_file": PATH} loads a file. The
//! user's other keys are merged on top (RFC 7386 JSON merge patch); the file used is
//! recorded as /device/preset_file in the resolved configuration. Calls finish().
void parse_device(config::Node& node, DeviceParams& p,
                  const std::filesystem::path& config_dir = {});

//! Folders searched for {"preset": NAME}, in order: next to the config (`config_dir` and
//! `config_dir`/devices), the installed data folder relative to the executable
//! (EXE_DIR/../share/xbarmc/devices for an install, EXE_DIR/share/xbarmc/devices for a build
//! tree, where CMake links it to configs/devices), then $XBARMC_DATA_DIR/devices.
std::vector<std::filesystem::path> preset_dirs(const std::filesystem::path& config_dir = {});

//! Names of the presets found in preset_dirs(config_dir), sorted, without duplicates.
std::vector<std::string> preset_names(const std::filesystem::path& config_dir = {});

//! Path of a named preset (the first folder of preset_dirs that has it); empty if not found.
std::filesystem::path find_preset(const std::string& name, const std::filesystem::path& config_dir);

//! Parses the stage objects of an already merged "/device" object (no preset handling).
//! A relative table file is looked up in `dirs` in order. Calls finish().
void parse_device_stages(config::Node& node, DeviceParams& p,
                         const std::vector<std::filesystem::path>& dirs);

//! Returns the "/device" object with its preset (if any) expanded: the preset file's
//! content with the user's keys merged on top (RFC 7386), "preset_file" set to the file
//! used. A study loader that expands presets on the raw document before parsing gets the
//! whole merged device in the resolved configuration. Throws ConfigError at pointer/preset.
config::Json expand_preset(const config::Json& device, const std::string& pointer,
                           const std::filesystem::path& config_dir);

}  // namespace xbarmc::device
