#include "xbarmc/study/open_study.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "xbarmc/nn/network_io.h"
#include "xbarmc/util/error.h"

namespace xbarmc::study {

data::Dataset limit_test_set(const Study& study, const nn::Network& net, data::Dataset test) {
  if (test.features() != net.input_features())
    throw InputError("dataset has " + std::to_string(test.features()) +
                     " features per sample but network " + net.name() + " expects " +
                     std::to_string(net.input_features()) +
                     " (/dataset and /network/path do not match)");
  const std::uint64_t limit = study.monte_carlo.test_limit;
  if (limit > 0 && limit < test.count) {
    std::vector<std::size_t> rows(limit);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    test = data::select_rows(test, rows);
  }
  return test;
}

nn::MatrixRM probe_batch(const MonteCarloParams& mc, const data::Dataset& test) {
  const std::size_t n = std::min<std::size_t>(mc.probe_size, test.count);
  return test.inputs.topRows(static_cast<Eigen::Index>(n));
}

OpenStudy open_study(Study study) {
  OpenStudy s{std::move(study), {}, {}, {}};
  s.network = nn::load_network(s.study.network.path);
  s.test = limit_test_set(s.study, s.network, data::load_dataset(s.study.dataset));
  s.probe = probe_batch(s.study.monte_carlo, s.test);
  return s;
}

OpenStudy open_study(const std::string& config_path, const std::vector<std::string>& overrides) {
  return open_study(load_study(config_path, overrides));
}

}  // namespace xbarmc::study
