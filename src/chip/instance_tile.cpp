#include "xbarmc/chip/instance_tile.h"

#include <string>

#include "xbarmc/chip/chip.h"
#include "xbarmc/chip/point_setup.h"

namespace xbarmc::chip {

namespace {
void check_index(const char* option, std::uint64_t value, std::uint64_t count,
                 const std::string& what) {
  if (value >= count)
    throw ConfigError("", std::string(option) + " " + std::to_string(value) +
                              " is out of range: " + what + " has " + std::to_string(count));
}
}  // namespace

Eigen::MatrixXf instance_tile_conductances(const study::Study& study, const nn::Network& net,
                                           const nn::MatrixRM& calibration, const TileAddress& a) {
  check_index("--point", a.point, study.points.size(), "the study's sweep");
  check_index("--instance", a.instance, study.monte_carlo.instances, "/monte_carlo/instances");
  check_index("--cycle", a.cycle, study.monte_carlo.cycles, "/monte_carlo/cycles");
  check_index("--time-index", a.time_index, study.monte_carlo.times_s.size(),
              "/monte_carlo/times_s");
  check_index("--layer", a.layer, net.num_weight_layers(), "the network's weight layers");
  const PointSetup setup = prepare_point(net, study.points[a.point], calibration);
  check_index("--tile", a.tile, setup.layers[a.layer].map.tiles.size(),
              "layer " + std::to_string(a.layer) + "'s tile grid");
  Chip chip;
  chip.begin_instance(setup, a.point, study.seed, a.instance);
  chip.program(a.cycle);
  chip.read_at(static_cast<std::uint32_t>(a.time_index), study.monte_carlo.times_s[a.time_index]);
  return chip.conductances_uS(a.layer, a.tile);
}

}  // namespace xbarmc::chip
