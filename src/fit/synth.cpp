// Synthetic measurements from the engine's device stages (device::TileDevices): the same D2D
// draws per device across cycles (draw_instance with the instance's key), a new C2C draw per
// cycle (program), drift and relaxation per read time (at_time), and Gaussian read noise with
// the per-device sigma of read_sigma, drawn from the ReadNoise stream.
#include "xbarmc/fit/synth.h"

#include <string>

#include "xbarmc/device/tile_devices.h"
#include "xbarmc/fit/estimators.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::fit {

Measurements synthesize(const device::DeviceParams& p, const SynthDesign& d) {
  if (d.targets_uS.empty() || d.times_s.empty() || d.reads == 0 || d.rows * d.cols == 0)
    throw InputError("synthesize: empty design");
  const auto rows = static_cast<Eigen::Index>(d.rows), cols = static_cast<Eigen::Index>(d.cols);
  Measurements m;
  m.source = "synthetic";
  m.columns = {"device", "cycle", "target_uS", "time_s", "g_uS", "read", "row", "col"};
  for (std::size_t i = 0; i < d.rows * d.cols; ++i) {
    std::string id = "d";  // (not "d" + to_string: GCC 12 reports a false -Wrestrict there)
    id += std::to_string(i);
    m.devices.push_back(id);
  }
  device::TileDevices tile;
  const device::TileKey key{d.seed, d.instance, 0, 0};
  Eigen::MatrixXf target(rows, cols), g(rows, cols), sigma(rows, cols);
  std::vector<float> z(static_cast<std::size_t>(rows * cols));
  const std::size_t k_levels = d.targets_uS.size();
  std::size_t line = 2;
  for (std::uint32_t c = 0; c < d.cycles; ++c) {
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = 0; j < cols; ++j)
        target(i, j) = static_cast<float>(
            d.targets_uS[(static_cast<std::size_t>(i * cols + j) + c) % k_levels]);
    tile.draw_instance(p, key, target);
    tile.program(p, key, c);
    for (std::size_t ti = 0; ti < d.times_s.size(); ++ti) {
      tile.at_time(p, key, c, d.times_s[ti], static_cast<std::uint32_t>(ti), g);
      tile.read_sigma(p, d.times_s[ti], g, sigma);
      for (std::uint32_t rd = 0; rd < d.reads; ++rd) {
        RandomStream rs(d.seed, StreamId{d.instance, Purpose::ReadNoise, 0, 0, c,
                                         (static_cast<std::uint64_t>(ti) << 32) | rd});
        rs.normals(z.data(), z.size());
        for (Eigen::Index i = 0; i < rows; ++i)
          for (Eigen::Index j = 0; j < cols; ++j) {
            Read r;
            r.line = line++;
            r.device = static_cast<std::size_t>(i * cols + j);
            r.cycle = c;
            r.target_uS = tile.target_uS()(i, j);
            r.time_s = d.times_s[ti];
            r.g_uS = std::max(
                0.0, double(g(i, j)) + double(sigma(i, j)) * z[static_cast<std::size_t>(r.device)]);
            r.read = rd;
            r.row = i;
            r.col = j;
            m.reads.push_back(r);
          }
      }
    }
  }
  return m;
}

}  // namespace xbarmc::fit
