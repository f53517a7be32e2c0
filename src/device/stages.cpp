#include "xbarmc/device/stages.h"

#include <algorithm>

namespace xbarmc::device {

double form_sigma_uS(const ErrorModel& m, double g_uS, double g_min_uS, double g_max_uS) {
  switch (m.form) {
    case ErrorForm::Absolute:
      return m.sigma_uS;
    case ErrorForm::Relative:
      return m.sigma_rel * std::abs(g_uS);
    case ErrorForm::Range:
      return m.sigma_rel * (g_max_uS - g_min_uS);
    case ErrorForm::Polynomial: {
      // Horner evaluation of sum_k c_k x^k.
      const double x = g_uS / m.g_ref_uS;
      double s = 0;
      for (auto it = m.coeffs_uS.rbegin(); it != m.coeffs_uS.rend(); ++it) s = s * x + *it;
      return std::max(s, 0.0);
    }
    case ErrorForm::Lognormal:
      return 0.0;  // not additive; see lognormal_log_sigma
  }
  return 0.0;
}

double lognormal_log_sigma(const ErrorModel& m, double g_uS, double g_min_uS, double g_max_uS) {
  const double r_on = 1.0 / g_max_uS, r_off = 1.0 / g_min_uS;
  if (!(g_uS > 0)) return m.log_sigma_r_off;
  const double r = std::clamp(1.0 / g_uS, r_on, r_off);
  const double f = r_off > r_on ? (r - r_on) / (r_off - r_on) : 0.0;
  return m.log_sigma_r_on + f * (m.log_sigma_r_off - m.log_sigma_r_on);
}

void error_scales(const ErrorModel& m, const float* g_uS, float* scale, std::ptrdiff_t n,
                  double g_min_uS, double g_max_uS) {
  switch (m.form) {
    case ErrorForm::Absolute:
    case ErrorForm::Range: {
      const auto s = static_cast<float>(form_sigma_uS(m, 0.0, g_min_uS, g_max_uS));
      for (std::ptrdiff_t k = 0; k < n; ++k) scale[k] = s;
      return;
    }
    case ErrorForm::Relative:
      for (std::ptrdiff_t k = 0; k < n; ++k)
        scale[k] = static_cast<float>(m.sigma_rel * std::abs(static_cast<double>(g_uS[k])));
      return;
    case ErrorForm::Polynomial:
    case ErrorForm::Lognormal:
      for (std::ptrdiff_t k = 0; k < n; ++k)
        scale[k] = static_cast<float>(error_scale(m, g_uS[k], g_min_uS, g_max_uS));
      return;
  }
}

double pcm_q_s(const ReadNoise& r, double x_p) {
  return std::min(r.q_s_coeff / std::pow(std::max(x_p, r.x_p_min), r.q_s_exp), r.q_s_max);
}

double pcm_1f_time_factor(const ReadNoise& r, double t_s) {
  const double t = t_s + r.t0_s;
  return std::sqrt(std::max(std::log((t + r.t_read_s) / (2.0 * r.t_read_s)), 0.0));
}

}  // namespace xbarmc::device
