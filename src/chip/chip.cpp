#include "xbarmc/chip/chip.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "xbarmc/periphery/periphery.h"
#include "xbarmc/periphery/quantizer.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/timer.h"

namespace xbarmc::chip {

namespace {

//! One row of the digital sum over row tiles: y[c] = (first ? 0 : y[c]) + comp[c] * q(p[c])
//! with per-column ADC step (step = nullptr: no ADC; comp = nullptr: no compensation).
void accumulate_row(const float* p, const float* step, const float* inv_step, const float* comp,
                    float max_code, bool first, float* y, Eigen::Index n) {
  Eigen::Index c = 0;
#if defined(__AVX512F__)
  const __m512 lo = _mm512_set1_ps(-max_code), hi = _mm512_set1_ps(max_code);
  for (; c < n; c += 16) {
    const __mmask16 m = n - c >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - c)) - 1u);
    __m512 v = _mm512_maskz_loadu_ps(m, p + c);
    if (step)
      v = periphery::quantize_values(v, _mm512_mask_loadu_ps(_mm512_set1_ps(1.0f), m, step + c),
                                     _mm512_mask_loadu_ps(_mm512_set1_ps(1.0f), m, inv_step + c),
                                     lo, hi);
    if (comp) v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, comp + c));
    const __m512 acc = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m, y + c);
    _mm512_mask_storeu_ps(y + c, m, _mm512_add_ps(acc, v));
  }
#endif
  for (; c < n; ++c) {
    float v = p[c];
    if (step) v = periphery::quantize_value(v, step[c], inv_step[c], max_code);
    if (comp) v *= comp[c];
    y[c] = (first ? 0.0f : y[c]) + v;
  }
}
}  // namespace

void Chip::begin_instance(const PointSetup& point, std::size_t point_index, std::uint64_t seed,
                          std::uint64_t instance, bool ideal_devices) {
  const auto t0 = util::Clock::now();
  point_ = &point;
  point_index_ = point_index;
  seed_ = seed;
  instance_ = instance;
  ideal_devices_ = ideal_devices;
  const auto& dev = point.models->device;
  layers_.resize(point.layers.size());
  for (std::size_t l = 0; l < point.layers.size(); ++l) {
    const auto& map = point.layers[l].map;
    LayerState& ls = layers_[l];
    ls.tiles.resize(map.tiles.size());
    ls.weff.resize(map.in, map.out);
    ls.comp.setOnes(map.n_row_tiles, map.out);
    ls.k0.resize(static_cast<std::size_t>(map.n_row_tiles));
    for (int tr = 0; tr < map.n_row_tiles; ++tr)
      ls.k0[static_cast<std::size_t>(tr)] =
          map.tiles[static_cast<std::size_t>(tr * map.n_col_tiles)].row0;
    for (const auto& t : map.tiles) {
      TileState& ts = ls.tiles[t.index];
      const Eigen::MatrixXf& target = map.target_uS[t.index];
      ts.g_uS.resize(target.rows(), target.cols());
      ts.comp.setOnes(t.weight_cols);
      if (!ideal_devices) {
        const device::TileKey key{seed, instance, static_cast<std::uint32_t>(l),
                                  static_cast<std::uint32_t>(t.index)};
        ts.devices.draw_instance(dev, key, target);
      }
    }
  }
  device_s_ += util::seconds_since(t0);
}

void Chip::program(std::uint32_t cycle) {
  const auto t0 = util::Clock::now();
  cycle_ = cycle;
  const auto& dev = point_->models->device;
  const bool compensate =
      point_->models->periphery.drift_compensation != periphery::DriftCompensation::None;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto& map = point_->layers[l].map;
    for (const auto& t : map.tiles) {
      TileState& ts = layers_[l].tiles[t.index];
      if (ideal_devices_) continue;
      const device::TileKey key{seed_, instance_, static_cast<std::uint32_t>(l),
                                static_cast<std::uint32_t>(t.index)};
      ts.devices.program(dev, key, cycle);
    }
  }
  device_s_ += util::seconds_since(t0);
  if (!compensate) return;
  // Reference read right after programming: all-ones input, column currents through the
  // circuit (Joshi et al., Nat. Commun. 11, 2473 (2020), global drift compensation).
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto& map = point_->layers[l].map;
    for (const auto& t : map.tiles) {
      TileState& ts = layers_[l].tiles[t.index];
      ts.g_uS = ideal_devices_ ? map.target_uS[t.index] : ts.devices.programmed_uS();
      effective_conductance(ts);
      periphery::reference_read(ts.geff_uS, ts.ref_sums);
    }
  }
}

circuit::TileSolver& Chip::solver_for(int rows, int cols) {
  auto key = std::make_tuple(point_index_, rows, cols);
  auto it = solvers_.find(key);
  if (it == solvers_.end())
    it = solvers_
             .emplace(key,
                      std::make_unique<circuit::TileSolver>(rows, cols, point_->models->circuit))
             .first;
  return *it->second;
}

void Chip::effective_conductance(TileState& ts) {
  const auto& cp = point_->models->circuit;
  if (cp.ideal()) {
    ts.geff_uS = ts.g_uS;
    return;
  }
  const auto t0 = util::Clock::now();
  ts.geff_uS.resize(ts.g_uS.rows(), ts.g_uS.cols());
  // A non-finite conductance (e.g. an extreme sigma) is a numerical fault of this instance,
  // not a solver input error: NaN outputs give it status NonFinite (docs/reliability.md).
  if (!ts.g_uS.allFinite()) {
    ts.geff_uS.setConstant(std::numeric_limits<float>::quiet_NaN());
    return;
  }
  solver_for(static_cast<int>(ts.g_uS.rows()), static_cast<int>(ts.g_uS.cols()))
      .effective(ts.g_uS, ts.geff_uS);
  circuit_s_ += util::seconds_since(t0);
}

void Chip::read_at(std::uint32_t time_index, double t_s) {
  time_index_ = time_index;
  const auto& models = *point_->models;
  const auto& dev = models.device;
  const auto comp_mode = models.periphery.drift_compensation;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto& map = point_->layers[l].map;
    LayerState& ls = layers_[l];
    for (const auto& t : map.tiles) {
      TileState& ts = ls.tiles[t.index];
      const auto td = util::Clock::now();
      const device::TileKey key{seed_, instance_, static_cast<std::uint32_t>(l),
                                static_cast<std::uint32_t>(t.index)};
      if (ideal_devices_)
        ts.g_uS = map.target_uS[t.index];
      else
        ts.devices.at_time(dev, key, cycle_, t_s, time_index, ts.g_uS);
      device_s_ += util::seconds_since(td);
      effective_conductance(ts);
      tile_into_weights(l, t, ts);

      // Read noise, output-referred: per weight column the two devices (or device and
      // reference) add their variances, scaled into weight units.
      ts.noisy = false;
      if (!ideal_devices_ && dev.read_noise.enabled) {
        ts.sigma_uS.resize(ts.g_uS.rows(), ts.g_uS.cols());
        ts.devices.read_sigma(dev, t_s, ts.g_uS, ts.sigma_uS);
        ts.sigma_w.resize(t.rows, t.weight_cols);
        const float scale = static_cast<float>(map.w_per_uS);
        for (int j = 0; j < t.weight_cols; ++j) {
          const mapping::ColumnPair c = mapping::pair_columns(map.scheme, t, j);
          ts.sigma_w.col(j) = scale * (ts.sigma_uS.col(c.plus).array().square() +
                                       ts.sigma_uS.col(c.minus).array().square())
                                          .sqrt()
                                          .matrix();
        }
        ts.noisy = ts.sigma_w.maxCoeff() > 0.0f;
      }

      // Drift compensation: ratio of the reference read at t0 to the same read now.
      if (comp_mode == periphery::DriftCompensation::None) continue;
      periphery::reference_read(ts.geff_uS, ts.now_sums);
      if (comp_mode == periphery::DriftCompensation::Global)
        ts.comp.setConstant(t.weight_cols,
                            periphery::drift_factor_global(ts.ref_sums, ts.now_sums));
      else
        periphery::drift_factors_per_column(ts.ref_sums, ts.now_sums, map.scheme, t, ts.comp);
      ls.comp.block(t.index / map.n_col_tiles, t.col0, 1, t.weight_cols) = ts.comp.transpose();
    }
    ls.packed.pack(ls.weff, ls.k0);
  }
}

void Chip::tile_into_weights(std::size_t l, const mapping::TileSpec& t, TileState& ts) {
  mapping::tile_weights(point_->layers[l].map, t, ts.geff_uS,
                        layers_[l].weff.block(t.row0, t.col0, t.rows, t.weight_cols));
}

void Chip::begin_reads(std::uint64_t read_id) {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    LayerState& ls = layers_[l];
    ls.noise.clear();
    for (std::size_t t = 0; t < ls.tiles.size(); ++t) {
      const StreamId id{instance_,
                        Purpose::ReadNoise,
                        static_cast<std::uint32_t>(l),
                        static_cast<std::uint32_t>(t),
                        cycle_,
                        (static_cast<std::uint64_t>(time_index_) << 32) | read_id};
      ls.noise.emplace_back(seed_, id);
    }
  }
}

void Chip::matmul(std::size_t l, const nn::MatrixRM& x, nn::MatrixRM& y) {
  const LayerSetup& setup = point_->layers[l];
  const auto& per = point_->models->periphery;
  LayerState& ls = layers_[l];
  const nn::MatrixRM* xin = &x;
  bool any_noise = false;
  for (const auto& ts : ls.tiles) any_noise = any_noise || ts.noisy;
  const bool compensate = per.drift_compensation != periphery::DriftCompensation::None;
  // Without read noise but with ADC or compensation the product goes through tile_gemm, which
  // applies the DAC itself on blocks of the input (no quantised copy of the whole batch).
  const bool fused = !any_noise && (per.adc.bits > 0 || compensate);
  float dac_step = 0, dac_max_code = 0;
  if (per.dac.bits > 0) {
    // Same checks as periphery::quantize_dac.
    if (per.dac.bits < 2 || per.dac.bits > 24 || !(setup.dac_range > 0) ||
        !std::isfinite(setup.dac_range))
      throw InputError("layer " + std::to_string(l) + ": DAC needs bits in [2, 24] and a " +
                       "positive finite range, got " + std::to_string(per.dac.bits) + " bits, " +
                       "range " + std::to_string(setup.dac_range));
    dac_max_code = periphery::max_code(per.dac.bits);
    dac_step = periphery::quantizer_step(per.dac.bits, setup.dac_range);
    if (!fused) {  // DAC straight into the scratch input (one pass, no copy first)
      ls.xq.resize(x.rows(), x.cols());
      periphery::quantize_values(x.data(), ls.xq.data(), x.size(), dac_step, dac_max_code);
      xin = &ls.xq;
    }
  }
  if (per.adc.bits == 0 && !any_noise && !compensate) {
    y.noalias() = *xin * ls.weff;  // one GEMM: partial sums are exact and add digitally
    return;
  }
  const auto& map = setup.map;
  const bool adc = per.adc.bits > 0;
  const float adc_max_code = adc ? periphery::max_code(per.adc.bits) : 0.0f;
  y.resize(x.rows(), map.out);
  if (!any_noise) {
    for (int tr = 0; tr < map.n_row_tiles; ++tr) {
      const TileEpilogue e{adc ? setup.adc_step.row(tr).data() : nullptr,
                           adc ? setup.adc_inv_step.row(tr).data() : nullptr,
                           compensate ? ls.comp.row(tr).data() : nullptr,
                           adc_max_code,
                           tr == 0,
                           dac_step,
                           dac_max_code};
      tile_gemm(*xin, ls.packed, ls.weff, tr, e, y, ls.part);
    }
    return;
  }
  for (int tr = 0; tr < map.n_row_tiles; ++tr) {
    // The row tile's partial sums through the packed kernel with no epilogue (Eigen's GEMM
    // would allocate its blocking buffers on every call at these sizes).
    ls.part.resize(xin->rows(), map.out);
    tile_gemm(*xin, ls.packed, ls.weff, tr, TileEpilogue{nullptr, nullptr, nullptr, 0.0f, true},
              ls.part, gemm_scratch_);
    add_tile_row_noise(ls, map, tr, *xin);
    const float* step = adc ? setup.adc_step.row(tr).data() : nullptr;
    const float* inv_step = adc ? setup.adc_inv_step.row(tr).data() : nullptr;
    const float* comp = compensate ? ls.comp.row(tr).data() : nullptr;
    for (Eigen::Index b = 0; b < ls.part.rows(); ++b)
      accumulate_row(ls.part.row(b).data(), step, inv_step, comp, adc_max_code, tr == 0,
                     y.row(b).data(), map.out);
  }
}

void Chip::add_tile_row_noise(LayerState& ls, const mapping::LayerMap& map, int tr,
                              const nn::MatrixRM& xin) {
  for (int tc = 0; tc < map.n_col_tiles; ++tc) {
    const auto& t = map.tiles[static_cast<std::size_t>(tr * map.n_col_tiles + tc)];
    const TileState& ts = ls.tiles[t.index];
    if (!ts.noisy) continue;
    device::add_read_noise(xin.middleCols(t.row0, t.rows), ts.sigma_w, ls.noise[t.index],
                           ls.part.middleCols(t.col0, t.weight_cols));
  }
}

}  // namespace xbarmc::chip
