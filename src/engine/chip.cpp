#include "xbarmc/engine/chip.h"

#include <chrono>

#include "xbarmc/periphery/periphery.h"

namespace xbarmc::engine {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
}  // namespace

void Chip::begin_instance(const PointSetup& point, std::size_t point_index, std::uint64_t seed,
                          std::uint64_t instance, bool ideal_devices) {
  const auto t0 = Clock::now();
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
  device_s_ += seconds_since(t0);
}

void Chip::program(std::uint32_t cycle) {
  const auto t0 = Clock::now();
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
  device_s_ += seconds_since(t0);
  if (!compensate) return;
  // Reference read right after programming: all-ones input, column currents through the
  // circuit (Joshi et al., Nat. Commun. 11, 2473 (2020), global drift compensation).
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto& map = point_->layers[l].map;
    for (const auto& t : map.tiles) {
      TileState& ts = layers_[l].tiles[t.index];
      ts.g_uS = ideal_devices_ ? map.target_uS[t.index] : ts.devices.programmed_uS();
      effective_conductance(ts, true);
      ts.ref_sums = ts.geff_uS.colwise().sum().transpose();
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

void Chip::effective_conductance(TileState& ts, bool /*reference*/) {
  const auto& cp = point_->models->circuit;
  if (cp.ideal()) {
    ts.geff_uS = ts.g_uS;
    return;
  }
  const auto t0 = Clock::now();
  ts.geff_uS.resize(ts.g_uS.rows(), ts.g_uS.cols());
  solver_for(static_cast<int>(ts.g_uS.rows()), static_cast<int>(ts.g_uS.cols()))
      .effective(ts.g_uS, ts.geff_uS);
  circuit_s_ += seconds_since(t0);
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
      const auto td = Clock::now();
      const device::TileKey key{seed_, instance_, static_cast<std::uint32_t>(l),
                                static_cast<std::uint32_t>(t.index)};
      if (ideal_devices_)
        ts.g_uS = map.target_uS[t.index];
      else
        ts.devices.at_time(dev, key, cycle_, t_s, time_index, ts.g_uS);
      device_s_ += seconds_since(td);
      effective_conductance(ts, false);
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
          const int a = map.scheme == mapping::Scheme::Differential ? 2 * j : j;
          const int b = map.scheme == mapping::Scheme::Differential ? 2 * j + 1 : t.phys_cols - 1;
          ts.sigma_w.col(j) =
              scale * (ts.sigma_uS.col(a).array().square() + ts.sigma_uS.col(b).array().square())
                          .sqrt()
                          .matrix();
        }
        ts.noisy = ts.sigma_w.maxCoeff() > 0.0f;
      }

      // Drift compensation: ratio of the reference read at t0 to the same read now.
      if (comp_mode == periphery::DriftCompensation::None) continue;
      const Eigen::VectorXf now = ts.geff_uS.colwise().sum().transpose();
      if (comp_mode == periphery::DriftCompensation::Global) {
        const float f = ts.ref_sums.sum() / std::max(now.sum(), 1e-30f);
        ts.comp.setConstant(t.weight_cols, f);
      } else {
        for (int j = 0; j < t.weight_cols; ++j) {
          const int a = map.scheme == mapping::Scheme::Differential ? 2 * j : j;
          const int b = map.scheme == mapping::Scheme::Differential ? 2 * j + 1 : t.phys_cols - 1;
          ts.comp[j] = (ts.ref_sums[a] + ts.ref_sums[b]) / std::max(now[a] + now[b], 1e-30f);
        }
      }
    }
  }
}

void Chip::tile_into_weights(std::size_t l, const mapping::TileSpec& t, TileState& ts) {
  const auto& map = point_->layers[l].map;
  wtile_.resize(t.rows, t.weight_cols);
  mapping::tile_weights(map, t, ts.geff_uS, wtile_);
  layers_[l].weff.block(t.row0, t.col0, t.rows, t.weight_cols) = wtile_;
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
  if (per.dac.bits > 0) {
    xq_ = x;
    Eigen::Map<Eigen::MatrixXf> elements(xq_.data(), xq_.cols(), xq_.rows());  // same elements
    periphery::quantize_dac(per.dac, setup.dac_range, elements);
    xin = &xq_;
  }
  bool any_noise = false;
  for (const auto& ts : ls.tiles) any_noise = any_noise || ts.noisy;
  if (per.adc.bits == 0 && !any_noise &&
      per.drift_compensation == periphery::DriftCompensation::None) {
    y.noalias() = *xin * ls.weff;  // one GEMM: partial sums are exact and add digitally
    return;
  }
  const auto& map = setup.map;
  y.setZero();
  for (int tr = 0; tr < map.n_row_tiles; ++tr) {
    const auto& first = map.tiles[static_cast<std::size_t>(tr * map.n_col_tiles)];
    part_.noalias() =
        xin->middleCols(first.row0, first.rows) * ls.weff.middleRows(first.row0, first.rows);
    for (int tc = 0; tc < map.n_col_tiles; ++tc) {
      const auto& t = map.tiles[static_cast<std::size_t>(tr * map.n_col_tiles + tc)];
      TileState& ts = ls.tiles[t.index];
      auto blk = part_.middleCols(t.col0, t.weight_cols);
      if (ts.noisy)
        device::add_read_noise(xin->middleCols(t.row0, t.rows), ts.sigma_w, ls.noise[t.index], blk);
      if (per.adc.bits > 0)
        periphery::quantize_adc(per.adc, setup.adc_range[static_cast<std::size_t>(t.index)], blk);
      if (per.drift_compensation != periphery::DriftCompensation::None)
        blk.array().rowwise() *= ts.comp.transpose().array();
    }
    y += part_;
  }
}

}  // namespace xbarmc::engine
