#pragma once
//! \file device/stages.h
//! The per-device formulas of each stage as small named functions. TileDevices
//! applies them to whole tiles in the fixed stage order; tests call them directly
//! to compare sampled statistics with the model.

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "xbarmc/device/params.h"

namespace xbarmc::device {

// ---- programming ---------------------------------------------------------------------

//! Standard deviation (uS) of a Gaussian programming-error form at target g_uS.
//! Absolute/Relative/Range: aihwkit & NeuroSim conventions; Polynomial: the PCM fit of
//! Nandakumar et al. (ICECS 2019) and the NeuRRAM fit (Wan et al., Nature 2022), clamped at 0.
double form_sigma_uS(const ErrorModel& m, double g_uS, double g_min_uS, double g_max_uS);

//! Log-sigma of the Lognormal form at target g_uS: linear in R = 1/G between
//! (R_on = 1/g_max_uS, log_sigma_r_on) and (R_off = 1/g_min_uS, log_sigma_r_off),
//! R clamped to [R_on, R_off] (Joksas et al. 2022, nonideality-aware training).
double lognormal_log_sigma(const ErrorModel& m, double g_uS, double g_min_uS, double g_max_uS);

//! Per-device scale of a component: sigma (uS) for the Gaussian forms, log-sigma for Lognormal.
inline double error_scale(const ErrorModel& m, double g_uS, double g_min_uS, double g_max_uS) {
  return m.form == ErrorForm::Lognormal ? lognormal_log_sigma(m, g_uS, g_min_uS, g_max_uS)
                                        : form_sigma_uS(m, g_uS, g_min_uS, g_max_uS);
}

//! error_scale for n devices at once: scale[k] = error_scale(m, g_uS[k], ...) (the form's switch
//! taken once, not per device). `scale` may not alias `g_uS`.
void error_scales(const ErrorModel& m, const float* g_uS, float* scale, std::ptrdiff_t n,
                  double g_min_uS, double g_max_uS);

//! Applies one error draw z ~ N(0,1): G + scale z (Gaussian) or G exp(-scale z)
//! (Lognormal: ln R ~ N(ln R_0, scale^2), median-preserving).
inline double apply_error(bool lognormal, double g_uS, double scale, double z) {
  return lognormal ? g_uS * std::exp(-scale * z) : g_uS + scale * z;
}

//! Write-verify acceptance: |g - target| <= tolerance_uS + tolerance_rel |target|.
inline bool within_tolerance(const WriteVerify& w, double g_uS, double target_uS) {
  return std::abs(g_uS - target_uS) <= w.tolerance_uS + w.tolerance_rel * std::abs(target_uS);
}

// ---- drift and relaxation ------------------------------------------------------------

//! ln of the PCM normalised state, ln max(x, x_min), x = |G_target| / g_max (device g_max).
inline double pcm_log_state(const Drift& d, double x) { return std::log(std::max(x, d.x_min)); }
//! PCM drift-exponent mean at log-state lx: clip(mu_a lx + mu_b, mu_lo, mu_hi)
//! (Nandakumar et al. 2019; aihwkit PCMLikeNoiseModel). The one definition of the formula.
inline double pcm_nu_mean_at(const Drift& d, double lx) {
  return std::clamp(d.mu_a * lx + d.mu_b, d.mu_lo, d.mu_hi);
}
//! PCM drift-exponent sigma at log-state lx: clip(sig_a lx + sig_b, sig_lo, sig_hi).
inline double pcm_nu_sigma_at(const Drift& d, double lx) {
  return std::clamp(d.sig_a * lx + d.sig_b, d.sig_lo, d.sig_hi);
}
//! PCM drift-exponent mean mu_nu(x) at normalised state x (x clipped below at x_min).
inline double pcm_nu_mean(const Drift& d, double x) {
  return pcm_nu_mean_at(d, pcm_log_state(d, x));
}
//! PCM drift-exponent sigma sigma_nu(x) at normalised state x.
inline double pcm_nu_sigma(const Drift& d, double x) {
  return pcm_nu_sigma_at(d, pcm_log_state(d, x));
}

//! Effective time t_eff (s) for drift at t_s after programming.
inline double drift_t_eff(const Drift& d, double t_s) {
  return d.offset_by_t0 ? t_s + d.t0_s : t_s;
}

//! Drift factor (t_eff/t0)^(-nu) for t_eff > t0, else 1 (power-law drift, Ielmini et al.,
//! IEEE TED 54, 308, 2007; form used by Joshi et al., Nat. Commun. 2020).
inline double drift_factor(const Drift& d, double nu, double t_s) {
  const double t = drift_t_eff(d, t_s);
  return t > d.t0_s ? std::pow(t / d.t0_s, -nu) : 1.0;
}

//! L = ln(max(t, t_ref)/t_ref) for t > 0, else -1 meaning "no relaxation yet".
inline double relaxation_log_time(const Relaxation& r, double t_s) {
  return t_s > 0 ? std::log(std::max(t_s, r.t_ref_s) / r.t_ref_s) : -1.0;
}

// ---- read noise ----------------------------------------------------------------------

//! PCM 1/f read-noise amplitude Q_s = min(q_s_coeff / max(x_p, x_p_min)^q_s_exp, q_s_max)
//! (Nandakumar et al. 2019; aihwkit PCMLikeNoiseModel).
double pcm_q_s(const ReadNoise& r, double x_p);
//! PCM 1/f time factor sqrt(ln((t_eff + t_read)/(2 t_read))), t_eff = t_s + t0_s.
double pcm_1f_time_factor(const ReadNoise& r, double t_s);

}  // namespace xbarmc::device
