#include "xbarmc/device/tile_devices.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "xbarmc/device/stages.h"
#include "xbarmc/device/vector_math.h"
#include "xbarmc/util/error.h"

namespace xbarmc::device {

namespace {

RandomStream stream(const TileKey& k, Purpose purpose, std::uint32_t cycle = 0,
                    std::uint64_t sub = 0) {
  return RandomStream(k.seed, StreamId{k.instance, purpose, k.layer, k.tile, cycle, sub});
}

}  // namespace

void TileDevices::draw_instance(const DeviceParams& p, const TileKey& key,
                                const Eigen::Ref<const Eigen::MatrixXf>& target_uS) {
  const Eigen::Index rows = target_uS.rows(), cols = target_uS.cols();
  // The previous instance of this tile had the same targets and model (the usual case: one
  // object per thread and tile, instances of one sweep point): reuse what depends on them only.
  const bool same = cache_valid_ && !p.table.enabled && target_.rows() == rows &&
                    target_.cols() == cols && target_ == target_uS &&
                    cached_c2c_ == p.programming.c2c && cached_drift_ == p.drift &&
                    cached_g_max_uS_ == p.g_max_uS && cached_g_min_uS_ == p.g_min_uS;
  cache_valid_ = false;  // until this call has completed
  target_ = target_uS;
  base_.resize(rows, cols);
  c2c_scale_.resize(rows, cols);
  nu_.resize(rows, cols);
  fault_.resize(rows, cols);
  prog_.resize(rows, cols);
  const auto& pr = p.programming;
  if (p.drift.enabled && p.drift.form == NuForm::Table &&
      !(p.table.enabled && p.table.levels.has_drift()))
    throw InputError("drift nu_form \"table\" needs an enabled table with nu_mean/nu_sigma");

  // Stage: levels (table model) -- snap each target to the nearest measured level.
  if (p.table.enabled) {
    const LevelTable& t = p.table.levels;
    level_.resize(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = 0; j < cols; ++j) {
        const auto k = t.nearest(target_(i, j));
        level_(i, j) = static_cast<std::int32_t>(k);
        target_(i, j) = static_cast<float>(t.target_uS[k]);
      }
  }

  // Stage: programming D2D (fixed per instance).
  if (p.table.enabled) {
    const LevelTable& t = p.table.levels;
    const double f_d2d = std::sqrt(p.table.d2d_fraction),
                 f_c2c = std::sqrt(1.0 - p.table.d2d_fraction);
    const float* z = draw_normals(key, Purpose::LevelsD2D, 0, 0, rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) {
        const auto k = static_cast<std::size_t>(level_(i, j));
        base_(i, j) = static_cast<float>(t.mean_uS[k] + f_d2d * t.sigma_uS[k] * z[i * cols + j]);
        c2c_scale_(i, j) = static_cast<float>(f_c2c * t.sigma_uS[k]);
      }
    c2c_on_ = true;
    c2c_lognormal_ = false;
  } else {
    if (pr.d2d.enabled) {
      const bool logn = pr.d2d.form == ErrorForm::Lognormal;
      error_scales(pr.d2d, target_.data(), base_.data(), target_.size(), p.g_min_uS, p.g_max_uS);
      const float* z = draw_normals(key, Purpose::ProgrammingD2D, 0, 0, rows, cols);
      for (Eigen::Index j = 0; j < cols; ++j)
        for (Eigen::Index i = 0; i < rows; ++i)
          base_(i, j) =
              static_cast<float>(apply_error(logn, target_(i, j), base_(i, j), z[i * cols + j]));
    } else {
      base_ = target_;
    }
    c2c_on_ = pr.c2c.enabled;
    c2c_lognormal_ = pr.c2c.form == ErrorForm::Lognormal;
    if (c2c_on_ && !same)
      error_scales(pr.c2c, target_.data(), c2c_scale_.data(), target_.size(), p.g_min_uS,
                   p.g_max_uS);
  }

  // Stage: faults (per instance): one uniform per device.
  fault_.setConstant(FaultState::None);
  if (p.faults.enabled) {
    const auto r_min = static_cast<float>(p.faults.stuck_at_g_min_rate),
               r_both =
                   static_cast<float>(p.faults.stuck_at_g_min_rate + p.faults.stuck_at_g_max_rate);
    scratch_.resize(static_cast<std::size_t>(rows * cols));
    RandomStream s = stream(key, Purpose::FaultsD2D);
    s.uniforms01(scratch_.data(), scratch_.size());
    const float* u = scratch_.data();
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) {
        const float v = u[i * cols + j];
        fault_(i, j) = v < r_min ? FaultState::StuckAtGMin
                                 : (v < r_both ? FaultState::StuckAtGMax : FaultState::None);
      }
  }

  // Stage: drift exponents (per instance).
  nu_.setZero();
  if (p.drift.enabled) {
    const Drift& d = p.drift;
    if (d.form == NuForm::Pcm && !same) {
      // pcm_nu_mean and pcm_nu_sigma with their common logarithm taken once.
      pcm_nu_mean_.resize(rows, cols);
      pcm_nu_sigma_.resize(rows, cols);
      for (Eigen::Index n = 0; n < target_.size(); ++n) {
        const double x = std::abs(target_.data()[n]) / p.g_max_uS;
        const double lx = pcm_log_state(d, x);
        pcm_nu_mean_.data()[n] = static_cast<float>(pcm_nu_mean_at(d, lx));
        pcm_nu_sigma_.data()[n] = static_cast<float>(pcm_nu_sigma_at(d, lx));
      }
    }
    const float* z = draw_normals(key, Purpose::DriftNuD2D, 0, 0, rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) {
        const double zz = z[i * cols + j];
        double nu = 0;
        switch (d.form) {
          case NuForm::Normal:
            nu = std::clamp(d.nu_mean + d.nu_sigma * zz, d.nu_min, d.nu_max);
            break;
          case NuForm::Pcm:
            nu = std::abs(pcm_nu_mean_(i, j) + pcm_nu_sigma_(i, j) * zz);
            break;
          case NuForm::Table: {
            const auto k = static_cast<std::size_t>(level_(i, j));
            nu = std::clamp(p.table.levels.nu_mean[k] + p.table.levels.nu_sigma[k] * zz, d.nu_min,
                            d.nu_max);
            break;
          }
        }
        nu_(i, j) = static_cast<float>(nu);
      }
  }
  cached_c2c_ = p.programming.c2c;
  cached_drift_ = p.drift;
  cached_g_max_uS_ = p.g_max_uS;
  cached_g_min_uS_ = p.g_min_uS;
  cache_valid_ = !p.table.enabled;
}

const float* TileDevices::draw_normals(const TileKey& key, Purpose purpose, std::uint32_t cycle,
                                       std::uint64_t sub, Eigen::Index rows,
                                       Eigen::Index cols) const {
  scratch_.resize(static_cast<std::size_t>(rows * cols));
  RandomStream s = stream(key, purpose, cycle, sub);
  s.normals(scratch_.data(), scratch_.size());
  return scratch_.data();
}

void TileDevices::program(const DeviceParams& p, const TileKey& key, std::uint32_t cycle) {
  if (target_.size() == 0 && base_.size() == 0 && prog_.size() == 0 && fault_.size() == 0)
    throw InputError("TileDevices::program called before draw_instance");
  const Eigen::Index rows = base_.rows(), cols = base_.cols();
  const auto& pr = p.programming;

  // Stage: programming C2C (per cycle).
  if (c2c_on_) {
    const float* z = draw_normals(key, Purpose::ProgrammingC2C, cycle, 0, rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i)
        prog_(i, j) = static_cast<float>(
            apply_error(c2c_lognormal_, base_(i, j), c2c_scale_(i, j), z[i * cols + j]));
  } else {
    prog_ = base_;
  }

  // Stage: write-verify. Attempt k >= 1 redraws the C2C error of every device from
  // stream {WriteVerify, cycle, sub = k} (one normal per device, whether it failed or
  // not, so draws do not depend on which devices failed) and keeps it where the
  // previous attempt was outside the tolerance.
  const WriteVerify& wv = pr.write_verify;
  if (wv.enabled && c2c_on_) {
    for (int k = 1; k < wv.max_iterations; ++k) {
      bool any = false;
      for (Eigen::Index n = 0; n < prog_.size() && !any; ++n)
        any = !within_tolerance(wv, prog_.data()[n], target_.data()[n]);
      if (!any) break;
      const float* z =
          draw_normals(key, Purpose::WriteVerify, cycle, static_cast<std::uint64_t>(k), rows, cols);
      for (Eigen::Index j = 0; j < cols; ++j)
        for (Eigen::Index i = 0; i < rows; ++i)
          if (!within_tolerance(wv, prog_(i, j), target_(i, j)))
            prog_(i, j) = static_cast<float>(
                apply_error(c2c_lognormal_, base_(i, j), c2c_scale_(i, j), z[i * cols + j]));
    }
  }

  // Clamp: conductance is non-negative and bounded by the device (documented default 2 g_max);
  // then the stage faults: stuck devices take their stuck value.
  const auto g_hi =
      static_cast<float>(pr.g_clamp_max_uS > 0 ? pr.g_clamp_max_uS : 2.0 * p.g_max_uS);
  const auto g_min = static_cast<float>(p.g_min_uS), g_max = static_cast<float>(p.g_max_uS);
  const bool faults = p.faults.enabled;
  float* g = prog_.data();
  const FaultState* f = fault_.data();
  for (Eigen::Index n = 0; n < prog_.size(); ++n) {
    const float v = std::clamp(g[n], 0.0f, g_hi);
    g[n] =
        !faults || f[n] == FaultState::None ? v : (f[n] == FaultState::StuckAtGMin ? g_min : g_max);
  }
}

void TileDevices::at_time(const DeviceParams& p, const TileKey& key, std::uint32_t cycle,
                          double t_s, std::uint32_t time_index,
                          Eigen::Ref<Eigen::MatrixXf> g_uS) const {
  if (g_uS.rows() != prog_.rows() || g_uS.cols() != prog_.cols())
    throw InputError("TileDevices::at_time: output is " + std::to_string(g_uS.rows()) + " x " +
                     std::to_string(g_uS.cols()) + ", tile is " + std::to_string(prog_.rows()) +
                     " x " + std::to_string(prog_.cols()));
  const Eigen::Index rows = prog_.rows(), cols = prog_.cols();
  const bool faults = p.faults.enabled;

  // Stage: drift, G = G_prog exp(-nu ln(t_eff/t0)) for t_eff > t0 (one pass, stuck devices keep
  // G_prog).
  const double t = p.drift.enabled ? drift_t_eff(p.drift, t_s) : 0.0;
  if (p.drift.enabled && t > p.drift.t0_s) {
    const float log_ratio = static_cast<float>(std::log(t / p.drift.t0_s));
    scratch_.resize(static_cast<std::size_t>(rows));
    float* factor = scratch_.data();
    for (Eigen::Index j = 0; j < cols; ++j) {
      const float* gp = prog_.col(j).data();
      const float* nu = nu_.col(j).data();
      const FaultState* f = fault_.col(j).data();
      float* out = g_uS.col(j).data();
      for (Eigen::Index i = 0; i < rows; ++i) factor[i] = -nu[i] * log_ratio;
      exp_n(factor, factor, rows);
      for (Eigen::Index i = 0; i < rows; ++i)
        out[i] = !faults || f[i] == FaultState::None ? gp[i] * factor[i] : gp[i];
    }
  } else {
    g_uS = prog_;
  }

  // Stage: relaxation, G += m L + (s L + s0) z, L = ln(max(t, t_ref)/t_ref), t > 0.
  const Relaxation& r = p.relaxation;
  const double L = r.enabled ? relaxation_log_time(r, t_s) : -1.0;
  if (L >= 0) {
    const double shift = r.mean_slope_uS * L, sigma = r.sigma_slope_uS * L + r.sigma_0_uS;
    const float* z = draw_normals(key, Purpose::RelaxationC2C, cycle, time_index, rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i)
        if (!faults || fault_(i, j) == FaultState::None)
          g_uS(i, j) =
              std::max(0.0f, static_cast<float>(g_uS(i, j) + shift + sigma * z[i * cols + j]));
  }
}

void TileDevices::read_sigma(const DeviceParams& p, double t_s,
                             const Eigen::Ref<const Eigen::MatrixXf>& g_t_uS,
                             Eigen::Ref<Eigen::MatrixXf> sigma_uS) const {
  if (sigma_uS.rows() != g_t_uS.rows() || sigma_uS.cols() != g_t_uS.cols())
    throw InputError("TileDevices::read_sigma: sigma and G shapes differ");
  const ReadNoise& rn = p.read_noise;
  if (!rn.enabled) {
    sigma_uS.setZero();
    return;
  }
  if (rn.form == ReadForm::Relative) {
    sigma_uS = g_t_uS.cwiseAbs() * static_cast<float>(rn.sigma_rel);
    return;
  }
  if (prog_.rows() != g_t_uS.rows() || prog_.cols() != g_t_uS.cols())
    throw InputError("TileDevices::read_sigma: pcm_1f needs the programmed tile of the same shape");
  const double tf = pcm_1f_time_factor(rn, t_s);
  for (Eigen::Index n = 0; n < g_t_uS.size(); ++n) {
    const double x_p = std::abs(prog_.data()[n]) / p.g_max_uS;
    sigma_uS.data()[n] = static_cast<float>(std::abs(g_t_uS.data()[n]) * pcm_q_s(rn, x_p) * tf);
  }
}

}  // namespace xbarmc::device
