#include "xbarmc/mapping/mapping.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "xbarmc/util/error.h"

namespace xbarmc::mapping {

namespace {

// Weight scale: max |w|, or the nearest-rank percentile of |w| (Hyndman & Fan 1996,
// definition 1) so that the top (100 - p) % of magnitudes are clipped.
double weight_scale(const Eigen::MatrixXf& W, const MappingParams& p) {
  if (p.scale == ScaleMode::Max) {
    // Plain loop: GCC 12 reports a false -Wmaybe-uninitialized inside Eigen's AVX-512
    // max reduction (cwiseAbs().maxCoeff()) under -march=native.
    float m = 0;
    for (Eigen::Index k = 0; k < W.size(); ++k) m = std::max(m, std::abs(W.data()[k]));
    return static_cast<double>(m);
  }
  std::vector<float> mags(W.data(), W.data() + W.size());
  for (auto& m : mags) m = std::abs(m);
  const auto n = static_cast<double>(mags.size());
  auto rank = static_cast<std::size_t>(std::ceil(p.clip_percentile / 100.0 * n));
  rank = std::clamp<std::size_t>(rank, 1, mags.size());
  std::nth_element(mags.begin(), mags.begin() + static_cast<std::ptrdiff_t>(rank - 1), mags.end());
  return static_cast<double>(mags[rank - 1]);
}

int weight_cols_per_tile(const MappingParams& p) {
  return p.scheme == Scheme::Differential ? p.tile_cols / 2 : p.tile_cols - 1;
}

double nearest(const std::vector<double>& grid, double g) {
  auto it = std::lower_bound(grid.begin(), grid.end(), g);
  if (it == grid.begin()) return grid.front();
  if (it == grid.end()) return grid.back();
  return (g - *(it - 1) <= *it - g) ? *(it - 1) : *it;
}

}  // namespace

std::vector<double> level_grid_uS(const MappingParams& p) {
  switch (p.levels) {
    case LevelsMode::Off:
      return {};
    case LevelsMode::Uniform: {
      std::vector<double> grid(static_cast<std::size_t>(p.levels_count));
      for (int k = 0; k < p.levels_count; ++k)
        grid[static_cast<std::size_t>(k)] =
            p.g_min_uS + (p.g_max_uS - p.g_min_uS) * k / (p.levels_count - 1);
      return grid;
    }
    case LevelsMode::Explicit:
      return p.levels_uS;
  }
  return {};
}

void quantize_to_grid(const std::vector<double>& grid, Eigen::Ref<Eigen::MatrixXf> g_uS) {
  if (grid.empty()) return;
  for (Eigen::Index c = 0; c < g_uS.cols(); ++c)
    for (Eigen::Index r = 0; r < g_uS.rows(); ++r)
      g_uS(r, c) = static_cast<float>(nearest(grid, static_cast<double>(g_uS(r, c))));
}

LayerMap map_layer(const Eigen::MatrixXf& W, const MappingParams& p) {
  if (W.size() == 0) throw InputError("map_layer: the weight matrix is empty");
  if (!W.allFinite()) throw InputError("map_layer: the weight matrix holds NaN or infinite values");
  if (!(p.g_max_uS > p.g_min_uS))
    throw InputError("map_layer: g_min_uS/g_max_uS are unresolved or g_max_uS <= g_min_uS");
  LayerMap m;
  m.in = static_cast<int>(W.rows());
  m.out = static_cast<int>(W.cols());
  m.scheme = p.scheme;
  m.w_clip = weight_scale(W, p);
  if (!(m.w_clip > 0)) m.w_clip = 1.0;  // all-zero layer: any scale maps it to G_min exactly

  const auto grid = level_grid_uS(p);
  double g_base = p.g_min_uS, half_span = p.g_max_uS - p.g_min_uS;
  if (p.scheme == Scheme::Offset) {
    g_base = 0.5 * (p.g_min_uS + p.g_max_uS);
    if (!grid.empty()) g_base = nearest(grid, g_base);  // reference must be a level itself
    half_span = std::min(g_base - p.g_min_uS, p.g_max_uS - g_base);
    m.g_ref_uS = g_base;
  }
  m.w_per_uS = m.w_clip / half_span;

  const int wpt = weight_cols_per_tile(p);
  m.n_row_tiles = (m.in + p.tile_rows - 1) / p.tile_rows;
  m.n_col_tiles = (m.out + wpt - 1) / wpt;
  const float wc = static_cast<float>(m.w_clip);
  const double uS_per_w = 1.0 / m.w_per_uS;
  for (int tr = 0; tr < m.n_row_tiles; ++tr) {
    for (int tc = 0; tc < m.n_col_tiles; ++tc) {
      TileSpec t;
      t.index = tr * m.n_col_tiles + tc;
      t.row0 = tr * p.tile_rows;
      t.col0 = tc * wpt;
      t.rows = std::min(p.tile_rows, m.in - t.row0);
      t.weight_cols = std::min(wpt, m.out - t.col0);
      t.phys_cols = physical_columns(p.scheme, t.weight_cols);
      Eigen::MatrixXf g(t.rows, t.phys_cols);
      for (int j = 0; j < t.weight_cols; ++j) {
        for (int i = 0; i < t.rows; ++i) {
          const double w = std::clamp(W(t.row0 + i, t.col0 + j), -wc, wc);
          const ColumnPair c = pair_columns(p.scheme, t, j);
          if (p.scheme == Scheme::Differential) {
            g(i, c.plus) = static_cast<float>(g_base + std::max(w, 0.0) * uS_per_w);
            g(i, c.minus) = static_cast<float>(g_base + std::max(-w, 0.0) * uS_per_w);
          } else {
            g(i, c.plus) = static_cast<float>(g_base + w * uS_per_w);
          }
        }
      }
      if (p.scheme == Scheme::Offset)
        g.col(pair_columns(p.scheme, t, 0).minus).setConstant(static_cast<float>(g_base));
      quantize_to_grid(grid, g);
      m.tiles.push_back(t);
      m.target_uS.push_back(std::move(g));
    }
  }
  return m;
}

void tile_weights(const LayerMap& m, const TileSpec& t,
                  const Eigen::Ref<const Eigen::MatrixXf>& g_uS,
                  Eigen::Ref<Eigen::MatrixXf> w_out) {
  if (g_uS.rows() != t.rows || g_uS.cols() != t.phys_cols || w_out.rows() != t.rows ||
      w_out.cols() != t.weight_cols) {
    throw InputError("tile_weights: tile " + std::to_string(t.index) + " expects G [" +
                     std::to_string(t.rows) + " x " + std::to_string(t.phys_cols) + "] and W [" +
                     std::to_string(t.rows) + " x " + std::to_string(t.weight_cols) + "]");
  }
  const float k = static_cast<float>(m.w_per_uS);
  for (int j = 0; j < t.weight_cols; ++j) {
    const ColumnPair c = pair_columns(m.scheme, t, j);
    w_out.col(j) = k * (g_uS.col(c.plus) - g_uS.col(c.minus));
  }
}

Eigen::MatrixXf layer_weights(const LayerMap& m, const std::vector<Eigen::MatrixXf>& g_uS) {
  if (g_uS.size() != m.tiles.size())
    throw InputError("layer_weights: expected " + std::to_string(m.tiles.size()) + " tiles, got " +
                     std::to_string(g_uS.size()));
  Eigen::MatrixXf W(m.in, m.out);
  for (const auto& t : m.tiles) {
    Eigen::MatrixXf w(t.rows, t.weight_cols);
    tile_weights(m, t, g_uS[static_cast<std::size_t>(t.index)], w);
    W.block(t.row0, t.col0, t.rows, t.weight_cols) = w;
  }
  return W;
}

}  // namespace xbarmc::mapping
