#include <cmath>
#include <string>

#include "xbarmc/mapping/mapping.h"

namespace xbarmc::mapping {

void parse_mapping(config::Node& node, MappingParams& p) {
  using config::Range;
  node.choice("scheme", p.scheme,
              {{"differential", Scheme::Differential}, {"offset", Scheme::Offset}});
  if (node.has("g_min_uS")) node.get("g_min_uS", p.g_min_uS, Range::at_least(0.0));
  if (node.has("g_max_uS")) node.get("g_max_uS", p.g_max_uS, Range::positive());
  node.get("tile_rows", p.tile_rows, Range::at_least(1));
  node.get("tile_cols", p.tile_cols, Range::at_least(2));
  if (p.scheme == Scheme::Differential && p.tile_cols % 2 != 0)
    node.error("tile_cols",
               "must be even for the differential scheme (columns 2j and 2j+1 form a pair), got " +
                   std::to_string(p.tile_cols));

  config::Node scale = node.child("weight_scale");
  scale.choice("mode", p.scale, {{"max", ScaleMode::Max}, {"percentile", ScaleMode::Percentile}});
  if (p.scale == ScaleMode::Percentile)
    scale.get("clip_percentile", p.clip_percentile, {0.0, 100.0, true, false});
  else
    scale.known({"clip_percentile"});
  scale.finish();

  config::Node levels = node.child("levels");
  levels.choice("mode", p.levels,
                {{"off", LevelsMode::Off},
                 {"uniform", LevelsMode::Uniform},
                 {"explicit", LevelsMode::Explicit}});
  levels.known({"count", "values_uS"});
  if (p.levels == LevelsMode::Uniform) levels.get("count", p.levels_count, Range::at_least(2));
  if (p.levels == LevelsMode::Explicit) {
    levels.require("values_uS", p.levels_uS, Range::at_least(0.0));
    if (levels.has("values_uS") && p.levels_uS.size() < 2)
      levels.error("values_uS", "must hold at least 2 levels");
    for (std::size_t k = 1; k < p.levels_uS.size(); ++k) {
      if (!(p.levels_uS[k] > p.levels_uS[k - 1])) {
        levels.error("values_uS", "levels must be strictly increasing; level " + std::to_string(k) +
                                      " is not above level " + std::to_string(k - 1));
        break;
      }
    }
  }
  levels.finish();
  node.finish();
}

void resolve_range(MappingParams& p, double device_g_min_uS, double device_g_max_uS) {
  if (std::isnan(p.g_min_uS)) p.g_min_uS = device_g_min_uS;
  if (std::isnan(p.g_max_uS)) p.g_max_uS = device_g_max_uS;
  if (std::isnan(p.g_min_uS) || std::isnan(p.g_max_uS))
    throw ConfigError("/mapping/g_max_uS",
                      "no conductance range: set /mapping/g_min_uS and g_max_uS or "
                      "/device/g_min_uS and g_max_uS");
  if (!(p.g_max_uS > p.g_min_uS))
    throw ConfigError("/mapping/g_max_uS", "must be > g_min_uS (" + std::to_string(p.g_min_uS) +
                                               "), got " + std::to_string(p.g_max_uS));
  if (p.levels == LevelsMode::Explicit && !p.levels_uS.empty() &&
      (p.levels_uS.front() < p.g_min_uS - 1e-9 || p.levels_uS.back() > p.g_max_uS + 1e-9))
    throw ConfigError("/mapping/levels/values_uS",
                      "levels must lie within [g_min_uS, g_max_uS] = [" +
                          std::to_string(p.g_min_uS) + ", " + std::to_string(p.g_max_uS) + "]");
}

}  // namespace xbarmc::mapping
