#pragma once
//! \file mapping/mapping.h
//! Weights to target conductances: per-layer weight scale, differential-pair or
//! offset (reference column) scheme, optional finite levels, and tiling of a
//! layer's weight matrix over crossbar tiles (partial sums are formed per tile).
//!
//! Conventions (fixed; the engine codes against them):
//! - W is [in x out]: rows = inputs = crossbar rows, columns = outputs.
//! - A physical tile is tile_rows x tile_cols devices.
//! - Differential: logical weight column j of a tile uses physical columns 2j (G+)
//!   and 2j+1 (G-); a tile holds tile_cols/2 weight columns.
//! - Offset: the last physical column of each tile is a reference column with every
//!   device targeted at G_ref = (G_min+G_max)/2; weight columns use physical columns
//!   0..tile_cols-2 and w = w_per_uS (G_j - G_ref).
//! - Tiles form a row-major grid: tile index = tr * n_col_tiles + tc. Edge tiles only
//!   hold the rows/columns actually used.

#include <Eigen/Dense>
#include <limits>
#include <vector>

#include "xbarmc/config/node.h"

namespace xbarmc::mapping {

//! How a signed weight is represented by conductances.
enum class Scheme { Differential, Offset };

//! How the per-layer weight scale is chosen.
enum class ScaleMode {
  Max,        //!< w_max = max |w| over the layer (no clipping)
  Percentile  //!< w_max = the given percentile of |w|; larger |w| are clipped to w_max
};

//! Finite conductance levels applied to the targets.
enum class LevelsMode {
  Off,      //!< continuous targets
  Uniform,  //!< `levels_count` levels uniformly spaced in G over [g_min_uS, g_max_uS]
  Explicit  //!< the strictly increasing list `levels_uS`
};

//! Parameters of the mapping (the "/mapping" config object).
struct MappingParams {
  Scheme scheme = Scheme::Differential;
  //! Conductance range used for weights (uS). NaN = take the device's range (see resolve_range).
  double g_min_uS = std::numeric_limits<double>::quiet_NaN();
  double g_max_uS = std::numeric_limits<double>::quiet_NaN();  //!< (uS), see g_min_uS
  int tile_rows = 128;  //!< devices per tile column (crossbar rows)
  int tile_cols = 128;  //!< physical device columns per tile (even for the differential scheme)
  ScaleMode scale = ScaleMode::Max;  //!< weight-scale rule
  double clip_percentile = 99.9;  //!< percentile of |w| (in %, (0,100]) for ScaleMode::Percentile
  LevelsMode levels = LevelsMode::Off;  //!< finite levels
  int levels_count = 16;                //!< number of uniform levels (>= 2)
  std::vector<double> levels_uS;        //!< explicit levels (uS), strictly increasing
};

//! Parses the "/mapping" object into `p` and calls node.finish().
void parse_mapping(config::Node& node, MappingParams& p);

//! Fills a NaN g_min_uS/g_max_uS from the device range and checks g_min < g_max and
//! that explicit levels lie in the range. Throws ConfigError (pointer /mapping/...).
void resolve_range(MappingParams& p, double device_g_min_uS, double device_g_max_uS);

//! One tile of a layer.
struct TileSpec {
  int index = 0;        //!< tr * n_col_tiles + tc
  int row0 = 0;         //!< first W row (input) of the tile
  int col0 = 0;         //!< first logical weight column (output) of the tile
  int rows = 0;         //!< W rows held (physical rows used)
  int weight_cols = 0;  //!< logical weight columns held
  int phys_cols = 0;    //!< physical device columns used (incl. the reference column)
};

//! Deterministic mapping of one layer, computed once per (point, layer).
struct LayerMap {
  int in = 0;   //!< W rows
  int out = 0;  //!< W columns
  Scheme scheme = Scheme::Differential;
  double w_per_uS = 0;  //!< weight units per uS: w = w_per_uS (G+ - G-) or w_per_uS (G - G_ref)
  double w_clip = 0;    //!< weight scale: |w| above this was clipped (weight units)
  double g_ref_uS = 0;  //!< offset scheme: reference-column target (uS); 0 for differential
  int n_row_tiles = 0;  //!< tiles along the inputs
  int n_col_tiles = 0;  //!< tiles along the outputs
  std::vector<TileSpec> tiles;             //!< row-major grid
  std::vector<Eigen::MatrixXf> target_uS;  //!< per tile [rows x phys_cols] target conductance
};

//! The two physical columns of a tile whose conductance difference is weight column j.
struct ColumnPair {
  int plus = 0;   //!< G+ (differential) or the weight's device (offset)
  int minus = 0;  //!< G- (differential) or the tile's reference column (offset)
};

//! The physical column layout of a tile: differential pairs sit in adjacent columns,
//! (2j, 2j + 1); the offset scheme pairs column j with the reference column, the tile's last
//! (`t.weight_cols`). The only place this layout is defined.
inline ColumnPair pair_columns(Scheme scheme, const TileSpec& t, int j) {
  return scheme == Scheme::Differential ? ColumnPair{2 * j, 2 * j + 1}
                                        : ColumnPair{j, t.weight_cols};
}

//! Physical device columns of a tile holding `weight_cols` weight columns under `scheme`.
inline int physical_columns(Scheme scheme, int weight_cols) {
  return scheme == Scheme::Differential ? 2 * weight_cols : weight_cols + 1;
}

//! Maps W [in x out] onto tiles. Throws InputError on an empty or non-finite W.
LayerMap map_layer(const Eigen::MatrixXf& W, const MappingParams& p);

//! Effective weights of one tile from physical conductances g_uS [rows x phys_cols]:
//! w_out [rows x weight_cols] = w_per_uS (G[:,2j] - G[:,2j+1]) or w_per_uS (G[:,j] - G[:,ref]).
void tile_weights(const LayerMap& m, const TileSpec& t,
                  const Eigen::Ref<const Eigen::MatrixXf>& g_uS, Eigen::Ref<Eigen::MatrixXf> w_out);

//! Assembles the full effective W [in x out] from per-tile conductances (for tests and
//! diagnostics; the engine works per tile).
Eigen::MatrixXf layer_weights(const LayerMap& m, const std::vector<Eigen::MatrixXf>& g_uS);

//! The level grid (uS) implied by `p` (empty when levels are off).
std::vector<double> level_grid_uS(const MappingParams& p);

//! Snaps every element of g to the nearest value of the increasing `grid` (no-op if empty).
void quantize_to_grid(const std::vector<double>& grid, Eigen::Ref<Eigen::MatrixXf> g_uS);

}  // namespace xbarmc::mapping
