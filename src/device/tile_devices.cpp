#include "xbarmc/device/tile_devices.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "xbarmc/device/stages.h"
#include "xbarmc/device/vector_math.h"
#include "xbarmc/util/error.h"

namespace xbarmc::device {

namespace {

using FaultMatrix = Eigen::Matrix<FaultState, Eigen::Dynamic, Eigen::Dynamic>;

RandomStream stream(const TileKey& k, Purpose purpose, std::uint32_t cycle = 0,
                    std::uint64_t sub = 0) {
  return RandomStream(k.seed, StreamId{k.instance, purpose, k.layer, k.tile, cycle, sub});
}

//! The two kinds of draw a stage takes: standard normals or uniforms in [0, 1).
enum class Draw { Normal, Uniform };

//! n draws of stream {key, purpose, cycle, sub} into `scratch` (row-major device order),
//! returned.
const float* draw(Draw kind, const TileKey& key, Purpose purpose, std::uint32_t cycle,
                  std::uint64_t sub, Eigen::Index n, std::vector<float>& scratch) {
  scratch.resize(static_cast<std::size_t>(n));
  RandomStream s = stream(key, purpose, cycle, sub);
  if (kind == Draw::Normal)
    s.normals(scratch.data(), scratch.size());
  else
    s.uniforms01(scratch.data(), scratch.size());
  return scratch.data();
}

//! n standard normals of stream {key, purpose, cycle, sub} into `scratch`, returned.
const float* draw_normals(const TileKey& key, Purpose purpose, std::uint32_t cycle,
                          std::uint64_t sub, Eigen::Index n, std::vector<float>& scratch) {
  return draw(Draw::Normal, key, purpose, cycle, sub, n, scratch);
}

//! n uniforms in [0, 1) of stream {key, purpose, cycle, sub} into `scratch`, returned.
const float* draw_uniforms(const TileKey& key, Purpose purpose, std::uint32_t cycle,
                           std::uint64_t sub, Eigen::Index n, std::vector<float>& scratch) {
  return draw(Draw::Uniform, key, purpose, cycle, sub, n, scratch);
}

//! Whether device n takes part in the time-dependent stages (stuck devices do not).
inline bool free_device(bool faults, FaultState f) { return !faults || f == FaultState::None; }

// ---- stages at a read time (docs/models.md), in order ------------------------------------

//! Stage drift: G = G_prog exp(-nu ln(t_eff/t0)) for t_eff > t0, else G_prog (one pass; stuck
//! devices keep G_prog).
void apply_drift(const DeviceParams& p, const Eigen::MatrixXf& prog, const Eigen::MatrixXf& nu,
                 const FaultMatrix& fault, double t_s, std::vector<float>& scratch,
                 Eigen::Ref<Eigen::MatrixXf> g_uS) {
  const Eigen::Index rows = prog.rows(), cols = prog.cols();
  const double t = p.drift.enabled ? drift_t_eff(p.drift, t_s) : 0.0;
  if (!(p.drift.enabled && t > p.drift.t0_s)) {
    g_uS = prog;
    return;
  }
  const bool faults = p.faults.enabled;
  const float log_ratio = static_cast<float>(std::log(t / p.drift.t0_s));
  scratch.resize(static_cast<std::size_t>(rows));
  float* factor = scratch.data();
  for (Eigen::Index j = 0; j < cols; ++j) {
    const float* gp = prog.col(j).data();
    const float* nuj = nu.col(j).data();
    const FaultState* f = fault.col(j).data();
    float* out = g_uS.col(j).data();
    for (Eigen::Index i = 0; i < rows; ++i) factor[i] = -nuj[i] * log_ratio;
    exp_n(factor, factor, rows);
    for (Eigen::Index i = 0; i < rows; ++i)
      out[i] = free_device(faults, f[i]) ? gp[i] * factor[i] : gp[i];
  }
}

//! Stage relaxation: G += m L + (s L + s0) z, L = ln(max(t, t_ref)/t_ref), t > 0 (stream
//! RelaxationC2C, sub = time index), floored at 0.
void apply_relaxation(const DeviceParams& p, const FaultMatrix& fault, const TileKey& key,
                      std::uint32_t cycle, double t_s, std::uint32_t time_index,
                      std::vector<float>& scratch, Eigen::Ref<Eigen::MatrixXf> g_uS) {
  const Relaxation& r = p.relaxation;
  const double L = r.enabled ? relaxation_log_time(r, t_s) : -1.0;
  if (L < 0) return;
  const Eigen::Index rows = g_uS.rows(), cols = g_uS.cols();
  const double shift = r.mean_slope_uS * L, sigma = r.sigma_slope_uS * L + r.sigma_0_uS;
  const float* z =
      draw_normals(key, Purpose::RelaxationC2C, cycle, time_index, rows * cols, scratch);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i)
      if (free_device(p.faults.enabled, fault(i, j)))
        g_uS(i, j) =
            std::max(0.0f, static_cast<float>(g_uS(i, j) + shift + sigma * z[i * cols + j]));
}

//! Stage random telegraph noise (params.h): with probability `occupancy` a free device's trap
//! is occupied at this read time and it conducts G (1 - amplitude_rel).
void apply_random_telegraph(const DeviceParams& p, const FaultMatrix& fault, const TileKey& key,
                            std::uint32_t cycle, std::uint32_t time_index,
                            std::vector<float>& scratch, Eigen::Ref<Eigen::MatrixXf> g_uS) {
  const RandomTelegraph& r = p.random_telegraph;
  if (!r.enabled) return;
  const Eigen::Index rows = g_uS.rows(), cols = g_uS.cols();
  const auto occupied = static_cast<float>(r.occupancy);
  const auto keep = static_cast<float>(1.0 - r.amplitude_rel);
  const float* u =
      draw_uniforms(key, Purpose::RandomTelegraph, cycle, time_index, rows * cols, scratch);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i)
      if (u[i * cols + j] < occupied && free_device(p.faults.enabled, fault(i, j)))
        g_uS(i, j) *= keep;
}

}  // namespace

// ---- per instance --------------------------------------------------------------------------

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
  if (p.drift.enabled && p.drift.form == NuForm::Table &&
      !(p.table.enabled && p.table.levels.has_drift()))
    throw InputError("drift nu_form \"table\" needs an enabled table with nu_mean/nu_sigma");

  snap_to_levels(p);
  draw_programming_d2d(p, key, same);
  draw_faults(p, key);
  draw_drift_exponents(p, key, same);

  cached_c2c_ = p.programming.c2c;
  cached_drift_ = p.drift;
  cached_g_max_uS_ = p.g_max_uS;
  cached_g_min_uS_ = p.g_min_uS;
  cache_valid_ = !p.table.enabled;
}

void TileDevices::snap_to_levels(const DeviceParams& p) {
  if (!p.table.enabled) return;
  const LevelTable& t = p.table.levels;
  level_.resize(target_.rows(), target_.cols());
  for (Eigen::Index i = 0; i < target_.rows(); ++i)
    for (Eigen::Index j = 0; j < target_.cols(); ++j) {
      const auto k = t.nearest(target_(i, j));
      level_(i, j) = static_cast<std::int32_t>(k);
      target_(i, j) = static_cast<float>(t.target_uS[k]);
    }
}

void TileDevices::draw_programming_d2d(const DeviceParams& p, const TileKey& key, bool same) {
  const Eigen::Index rows = target_.rows(), cols = target_.cols();
  const auto& pr = p.programming;
  if (p.table.enabled) {  // table model: the level's measured spread, split D2D / C2C
    const LevelTable& t = p.table.levels;
    const double f_d2d = std::sqrt(p.table.d2d_fraction),
                 f_c2c = std::sqrt(1.0 - p.table.d2d_fraction);
    const float* z = draw_normals(key, Purpose::LevelsD2D, 0, 0, rows * cols, scratch_);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) {
        const auto k = static_cast<std::size_t>(level_(i, j));
        base_(i, j) = static_cast<float>(t.mean_uS[k] + f_d2d * t.sigma_uS[k] * z[i * cols + j]);
        c2c_scale_(i, j) = static_cast<float>(f_c2c * t.sigma_uS[k]);
      }
    c2c_on_ = true;
    c2c_lognormal_ = false;
    return;
  }
  if (pr.d2d.enabled) {
    const bool logn = pr.d2d.form == ErrorForm::Lognormal;
    error_scales(pr.d2d, target_.data(), base_.data(), target_.size(), p.g_min_uS, p.g_max_uS);
    const float* z = draw_normals(key, Purpose::ProgrammingD2D, 0, 0, rows * cols, scratch_);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i)
        base_(i, j) =
            static_cast<float>(apply_error(logn, target_(i, j), base_(i, j), z[i * cols + j]));
  } else {
    base_ = target_;
  }
  c2c_on_ = pr.c2c.enabled;
  c2c_lognormal_ = pr.c2c.form == ErrorForm::Lognormal;
  if (c2c_on_ && !same)  // the C2C scale depends on the target and the model only
    error_scales(pr.c2c, target_.data(), c2c_scale_.data(), target_.size(), p.g_min_uS, p.g_max_uS);
}

void TileDevices::draw_faults(const DeviceParams& p, const TileKey& key) {
  fault_.setConstant(FaultState::None);
  if (!p.faults.enabled) return;
  const Eigen::Index rows = fault_.rows(), cols = fault_.cols();
  const auto r_min = static_cast<float>(p.faults.stuck_at_g_min_rate),
             r_both =
                 static_cast<float>(p.faults.stuck_at_g_min_rate + p.faults.stuck_at_g_max_rate);
  const float* u = draw_uniforms(key, Purpose::FaultsD2D, 0, 0, rows * cols, scratch_);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) {
      const float v = u[i * cols + j];
      fault_(i, j) = v < r_min ? FaultState::StuckAtGMin
                               : (v < r_both ? FaultState::StuckAtGMax : FaultState::None);
    }
}

void TileDevices::draw_drift_exponents(const DeviceParams& p, const TileKey& key, bool same) {
  nu_.setZero();
  if (!p.drift.enabled) return;
  const Drift& d = p.drift;
  const Eigen::Index rows = nu_.rows(), cols = nu_.cols();
  if (d.form == NuForm::Pcm && !same) {
    // mu_nu and sigma_nu of every device (stages.h), kept for the next instance.
    pcm_nu_mean_.resize(rows, cols);
    pcm_nu_sigma_.resize(rows, cols);
    for (Eigen::Index n = 0; n < target_.size(); ++n) {
      const double lx = pcm_log_state(d, std::abs(target_.data()[n]) / p.g_max_uS);
      pcm_nu_mean_.data()[n] = static_cast<float>(pcm_nu_mean_at(d, lx));
      pcm_nu_sigma_.data()[n] = static_cast<float>(pcm_nu_sigma_at(d, lx));
    }
  }
  const float* z = draw_normals(key, Purpose::DriftNuD2D, 0, 0, rows * cols, scratch_);
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

// ---- per programming cycle -------------------------------------------------------------------

void TileDevices::program(const DeviceParams& p, const TileKey& key, std::uint32_t cycle) {
  if (target_.size() == 0 && base_.size() == 0 && prog_.size() == 0 && fault_.size() == 0)
    throw InputError("TileDevices::program called before draw_instance");
  draw_programming_c2c(key, cycle);
  write_verify(p, key, cycle);
  clamp_and_stick(p);
}

void TileDevices::draw_programming_c2c(const TileKey& key, std::uint32_t cycle) {
  if (!c2c_on_) {
    prog_ = base_;
    return;
  }
  const Eigen::Index rows = base_.rows(), cols = base_.cols();
  const float* z = draw_normals(key, Purpose::ProgrammingC2C, cycle, 0, rows * cols, scratch_);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i)
      prog_(i, j) = static_cast<float>(
          apply_error(c2c_lognormal_, base_(i, j), c2c_scale_(i, j), z[i * cols + j]));
}

void TileDevices::write_verify(const DeviceParams& p, const TileKey& key, std::uint32_t cycle) {
  // Attempt k >= 1 redraws the C2C error of every device from stream {WriteVerify, cycle,
  // sub = k} (one normal per device, whether it failed or not, so draws do not depend on which
  // devices failed) and keeps it where the previous attempt was outside the tolerance.
  const WriteVerify& wv = p.programming.write_verify;
  if (!(wv.enabled && c2c_on_)) return;
  const Eigen::Index rows = base_.rows(), cols = base_.cols();
  for (int k = 1; k < wv.max_iterations; ++k) {
    bool any = false;
    for (Eigen::Index n = 0; n < prog_.size() && !any; ++n)
      any = !within_tolerance(wv, prog_.data()[n], target_.data()[n]);
    if (!any) break;
    const float* z = draw_normals(key, Purpose::WriteVerify, cycle, static_cast<std::uint64_t>(k),
                                  rows * cols, scratch_);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i)
        if (!within_tolerance(wv, prog_(i, j), target_(i, j)))
          prog_(i, j) = static_cast<float>(
              apply_error(c2c_lognormal_, base_(i, j), c2c_scale_(i, j), z[i * cols + j]));
  }
}

void TileDevices::clamp_and_stick(const DeviceParams& p) {
  // Clamp: conductance is non-negative and bounded by the device (documented default 2 g_max);
  // then stuck devices take their stuck value (the device's g_min / g_max).
  const auto& pr = p.programming;
  const auto g_hi =
      static_cast<float>(pr.g_clamp_max_uS > 0 ? pr.g_clamp_max_uS : 2.0 * p.g_max_uS);
  const auto g_min = static_cast<float>(p.g_min_uS), g_max = static_cast<float>(p.g_max_uS);
  const bool faults = p.faults.enabled;
  float* g = prog_.data();
  const FaultState* f = fault_.data();
  for (Eigen::Index n = 0; n < prog_.size(); ++n) {
    const float v = std::clamp(g[n], 0.0f, g_hi);
    g[n] = free_device(faults, f[n]) ? v : (f[n] == FaultState::StuckAtGMin ? g_min : g_max);
  }
}

// ---- per read time ---------------------------------------------------------------------------

void TileDevices::at_time(const DeviceParams& p, const TileKey& key, std::uint32_t cycle,
                          double t_s, std::uint32_t time_index,
                          Eigen::Ref<Eigen::MatrixXf> g_uS) const {
  if (g_uS.rows() != prog_.rows() || g_uS.cols() != prog_.cols())
    throw InputError("TileDevices::at_time: output is " + std::to_string(g_uS.rows()) + " x " +
                     std::to_string(g_uS.cols()) + ", tile is " + std::to_string(prog_.rows()) +
                     " x " + std::to_string(prog_.cols()));
  apply_drift(p, prog_, nu_, fault_, t_s, scratch_, g_uS);
  apply_relaxation(p, fault_, key, cycle, t_s, time_index, scratch_, g_uS);
  apply_random_telegraph(p, fault_, key, cycle, time_index, scratch_, g_uS);
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
