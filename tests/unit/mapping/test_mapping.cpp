#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "xbarmc/mapping/mapping.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/rng.h"

using namespace xbarmc;
using namespace xbarmc::mapping;

namespace {

Eigen::MatrixXf random_weights(int in, int out, std::uint64_t seed) {
  RandomStream s(seed, StreamId{});
  Eigen::MatrixXf W(in, out);
  for (int i = 0; i < in; ++i)
    for (int j = 0; j < out; ++j) W(i, j) = static_cast<float>(0.3 * s.normal());
  return W;
}

MappingParams params(Scheme scheme, int rows, int cols) {
  MappingParams p;
  p.scheme = scheme;
  p.g_min_uS = 1.0;
  p.g_max_uS = 25.0;
  p.tile_rows = rows;
  p.tile_cols = cols;
  return p;
}

// Float rounding bound: each stored G has error <= ulp(g_max)/2, the difference and
// the product with w_per_uS add a few more roundings: 4 eps g_max w_per_uS + 2 eps |w|.
void expect_reproduces(const Eigen::MatrixXf& W, const LayerMap& m, double g_max) {
  const Eigen::MatrixXf back = layer_weights(m, m.target_uS);
  const double eps = std::numeric_limits<float>::epsilon();
  for (int i = 0; i < W.rows(); ++i)
    for (int j = 0; j < W.cols(); ++j)
      ASSERT_NEAR(back(i, j), W(i, j), 4 * eps * g_max * m.w_per_uS + 2 * eps * std::abs(W(i, j)))
          << i << "," << j;
}

}  // namespace

TEST(Mapping, DifferentialReproducesWeights) {
  const Eigen::MatrixXf W = random_weights(300, 200, 1);
  const auto p = params(Scheme::Differential, 128, 128);
  const LayerMap m = map_layer(W, p);
  EXPECT_NEAR(m.w_per_uS, W.cwiseAbs().maxCoeff() / 24.0, 1e-9);
  expect_reproduces(W, m, p.g_max_uS);
  // Every device target lies in [g_min, g_max]; one device of each pair sits at g_min.
  for (const auto& g : m.target_uS) {
    EXPECT_GE(g.minCoeff(), 1.0f);
    EXPECT_LE(g.maxCoeff(), 25.0f + 1e-5f);
    for (int j = 0; j < g.cols() / 2; ++j)
      for (int i = 0; i < g.rows(); ++i) EXPECT_EQ(std::min(g(i, 2 * j), g(i, 2 * j + 1)), 1.0f);
  }
}

TEST(Mapping, OffsetReproducesWeights) {
  const Eigen::MatrixXf W = random_weights(70, 40, 2);
  const auto p = params(Scheme::Offset, 32, 16);
  const LayerMap m = map_layer(W, p);
  EXPECT_DOUBLE_EQ(m.g_ref_uS, 13.0);
  for (std::size_t k = 0; k < m.tiles.size(); ++k) {
    const auto& t = m.tiles[k];
    EXPECT_EQ(t.phys_cols, t.weight_cols + 1);
    EXPECT_TRUE((m.target_uS[k].col(t.weight_cols).array() == 13.0f).all());
  }
  expect_reproduces(W, m, p.g_max_uS);
}

TEST(Mapping, TileGridShapesAndOrder) {
  const Eigen::MatrixXf W = random_weights(300, 150, 3);
  const LayerMap m = map_layer(W, params(Scheme::Differential, 128, 128));
  // 64 weight columns per tile: 3 row tiles (128, 128, 44) x 3 column tiles (64, 64, 22).
  ASSERT_EQ(m.n_row_tiles, 3);
  ASSERT_EQ(m.n_col_tiles, 3);
  ASSERT_EQ(m.tiles.size(), 9u);
  for (int tr = 0; tr < 3; ++tr)
    for (int tc = 0; tc < 3; ++tc) {
      const auto& t = m.tiles[static_cast<std::size_t>(tr * 3 + tc)];
      EXPECT_EQ(t.index, tr * 3 + tc);
      EXPECT_EQ(t.row0, tr * 128);
      EXPECT_EQ(t.col0, tc * 64);
      EXPECT_EQ(t.rows, tr == 2 ? 44 : 128);
      EXPECT_EQ(t.weight_cols, tc == 2 ? 22 : 64);
      EXPECT_EQ(t.phys_cols, 2 * t.weight_cols);
      EXPECT_EQ(m.target_uS[static_cast<std::size_t>(t.index)].rows(), t.rows);
      EXPECT_EQ(m.target_uS[static_cast<std::size_t>(t.index)].cols(), t.phys_cols);
    }
}

TEST(Mapping, PercentileScaleClips) {
  Eigen::MatrixXf W(10, 100);
  for (int k = 0; k < 1000; ++k) W.data()[k] = static_cast<float>((k % 2 ? -1 : 1) * (k + 1));
  auto p = params(Scheme::Differential, 16, 16);
  p.scale = ScaleMode::Percentile;
  p.clip_percentile = 99.0;  // nearest rank 990 of |w| = 1..1000
  const LayerMap m = map_layer(W, p);
  EXPECT_DOUBLE_EQ(m.w_clip, 990.0);
  const Eigen::MatrixXf back = layer_weights(m, m.target_uS);
  for (int k = 0; k < 1000; ++k) {
    const double expect = std::clamp<double>(W.data()[k], -990.0, 990.0);
    EXPECT_NEAR(back.data()[k], expect, 1e-3);
  }
}

TEST(Mapping, UniformLevelsSnapTargets) {
  const Eigen::MatrixXf W = random_weights(40, 30, 4);
  auto p = params(Scheme::Differential, 16, 16);
  p.levels = LevelsMode::Uniform;
  p.levels_count = 9;  // step 3 uS from 1 to 25
  const LayerMap m = map_layer(W, p);
  const LayerMap cont = map_layer(W, params(Scheme::Differential, 16, 16));
  for (std::size_t k = 0; k < m.target_uS.size(); ++k)
    for (Eigen::Index n = 0; n < m.target_uS[k].size(); ++n) {
      const double g = m.target_uS[k].data()[n];
      const double level = std::round((g - 1.0) / 3.0);
      EXPECT_NEAR(g, 1.0 + 3.0 * level, 1e-5);
      EXPECT_LE(std::abs(g - cont.target_uS[k].data()[n]), 1.5 + 1e-5);
    }
}

TEST(Mapping, TileWeightsChecksShapes) {
  const Eigen::MatrixXf W = random_weights(10, 5, 5);
  const LayerMap m = map_layer(W, params(Scheme::Differential, 16, 16));
  Eigen::MatrixXf wrong(3, 3), w(10, 5);
  EXPECT_THROW(tile_weights(m, m.tiles[0], wrong, w), InputError);
  EXPECT_THROW(map_layer(Eigen::MatrixXf(0, 0), params(Scheme::Differential, 16, 16)), InputError);
}

namespace {
std::vector<ConfigIssue> parse_issues(const std::string& text, MappingParams& p) {
  const config::Json j = config::Json::parse(text);
  config::Diagnostics diag;
  config::Json resolved;
  config::Node node(j, "/mapping", diag, &resolved);
  parse_mapping(node, p);
  return diag.issues();
}
}  // namespace

TEST(MappingConfig, ParsesKeys) {
  MappingParams p;
  const auto issues = parse_issues(
      R"({"scheme": "offset", "g_min_uS": 2, "g_max_uS": 20, "tile_rows": 64, "tile_cols": 33,
          "weight_scale": {"mode": "percentile", "clip_percentile": 99.5},
          "levels": {"mode": "explicit", "values_uS": [2, 5, 11, 20]}})",
      p);
  EXPECT_TRUE(issues.empty());
  EXPECT_EQ(p.scheme, Scheme::Offset);
  EXPECT_EQ(p.tile_cols, 33);
  EXPECT_EQ(p.scale, ScaleMode::Percentile);
  EXPECT_DOUBLE_EQ(p.clip_percentile, 99.5);
  EXPECT_EQ(p.levels_uS.size(), 4u);
}

TEST(MappingConfig, ReportsErrorsWithPointers) {
  MappingParams p;
  const auto issues = parse_issues(
      R"({"tile_cols": 127, "tile_rowz": 3, "levels": {"mode": "explicit", "values_uS": [1, 3, 2]}})",
      p);
  ASSERT_EQ(issues.size(), 3u);
  EXPECT_EQ(issues[0].pointer, "/mapping/tile_cols");
  EXPECT_NE(issues[0].message.find("even"), std::string::npos);
  EXPECT_EQ(issues[1].pointer, "/mapping/levels/values_uS");
  EXPECT_NE(issues[1].message.find("strictly increasing"), std::string::npos);
  EXPECT_EQ(issues[2].pointer, "/mapping/tile_rowz");
  EXPECT_NE(issues[2].message.find("did you mean \"tile_rows\""), std::string::npos);
}

TEST(MappingConfig, RangeFromDevice) {
  MappingParams p;
  resolve_range(p, 0.0, 25.0);
  EXPECT_DOUBLE_EQ(p.g_min_uS, 0.0);
  EXPECT_DOUBLE_EQ(p.g_max_uS, 25.0);
  MappingParams bad;
  bad.g_min_uS = 30;
  EXPECT_THROW(resolve_range(bad, 0.0, 25.0), ConfigError);
}
