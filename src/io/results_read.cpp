// Reading a whole results file back (raw arrays and metadata), for merge and resume.
// The writer and the layout are in results.cpp and docs/results-format.md.
#include <algorithm>

#include "xbarmc/config/node.h"
#include "xbarmc/io/results.h"
#include "xbarmc/stats/summary.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/hdf5.h"

namespace xbarmc::io {

namespace {

//! Checks the file type and format version; IoError naming the file otherwise.
void check_header(const h5::Group& root, const std::string& path) {
  if (!root.has_attr("filetype") || root.read_attr<std::string>("filetype") != "xbarmc-results")
    throw IoError(path + ": not an xbarmc results file (attribute filetype != \"xbarmc-results\")");
  const auto version = root.read_attr_vector<std::int32_t>("format_version");
  if (version.empty() || version[0] != RESULTS_FORMAT_MAJOR)
    throw IoError(path + ": results format version " +
                  (version.empty() ? std::string("?") : std::to_string(version[0])) +
                  ".x is not supported (this xbarmc reads " + std::to_string(RESULTS_FORMAT_MAJOR) +
                  ".x)");
}

//! Reads a dataset and checks its element count.
template <class T>
std::vector<T> read_sized(const h5::Group& g, const std::string& name, std::size_t expected,
                          const std::string& path) {
  std::vector<T> v = g.read<T>(name);
  if (v.size() != expected)
    throw IoError(path + ": " + g.path() + "/" + name + " has " + std::to_string(v.size()) +
                  " values, expected " + std::to_string(expected));
  return v;
}

}  // namespace

LoadedResults read_results(const std::string& path) {
  h5::File f = h5::File::open(path);
  h5::Group root = f.root();
  check_header(root, path);
  LoadedResults out;
  ResultsMeta& m = out.meta;
  m.name = root.read_attr<std::string>("name");
  m.seed = root.read_attr<std::uint64_t>("seed");
  m.config = root.read_attr<std::string>("config");
  m.thresholds_configured = root.read<double>("thresholds_configured");
  m.threshold_mode = root.read_attr<std::string>("threshold_mode") == "drop"
                         ? study::ThresholdMode::Drop
                         : study::ThresholdMode::Absolute;
  m.confidence = root.read_attr<double>("confidence");
  out.complete = root.read_attr<std::uint8_t>("complete") != 0;
  out.format_version = root.read_attr_vector<std::int32_t>("format_version");
  if (root.has_attr("shard_count")) {
    out.shard_index = root.read_attr<std::uint64_t>("shard_index");
    out.shard_count = root.read_attr<std::uint64_t>("shard_count");
  }
  h5::Group netg = root.open_group("network");
  m.network_name = netg.read_attr<std::string>("name");
  m.network_description = netg.read_attr<std::string>("description");

  study::StudyResults& r = out.results;
  r.software_accuracy = netg.read_attr<double>("software_accuracy");
  r.layers = static_cast<std::size_t>(netg.read_attr<std::uint64_t>("weight_layers"));
  r.instances = root.read_attr<std::uint64_t>("instances");
  r.cycles = static_cast<std::uint32_t>(root.read_attr<std::uint64_t>("cycles"));
  r.test_samples = root.read_attr<std::uint64_t>("test_samples");
  r.times_s = root.read<double>("times");
  const auto tm = config::Json::parse(root.read_attr<std::string>("timings_json"));
  r.timings.setup_s = tm.value("setup_s", 0.0);
  r.timings.monte_carlo_s = tm.value("monte_carlo_s", 0.0);
  r.timings.device_s = tm.value("device_s", 0.0);
  r.timings.circuit_s = tm.value("circuit_s", 0.0);
  r.timings.evaluate_s = tm.value("evaluate_s", 0.0);

  const study::ResultsShape shape = r.shape();
  const std::size_t I = shape.instances, CT = shape.reads();
  h5::Group points = root.open_group("points");
  for (std::size_t p = 0; points.exists(std::to_string(p)); ++p) {
    h5::Group g = points.open_group(std::to_string(p));
    m.point_params.push_back(g.read_attr<std::string>("params"));
    m.point_labels.push_back(g.read_attr<std::string>("label"));
    if (p == 0) m.histogram_bins = static_cast<int>(g.shape("summary/histogram").back());
    study::PointResults pr;
    pr.noise_free_accuracy = g.read_attr<double>("noise_free_accuracy");
    pr.accuracy = read_sized<float>(g, "accuracy", I * CT, path);
    pr.layer_error = read_sized<float>(g, "layer_error", I * CT * r.layers, path);
    pr.status = read_sized<std::uint8_t>(g, "status", I, path);
    r.points.push_back(std::move(pr));
  }
  if (r.points.empty()) throw IoError(path + ": no /points/0 group");
  return out;
}

ResultsSummary read_summary(const std::string& path) {
  h5::File f = h5::File::open(path);
  h5::Group root = f.root();
  check_header(root, path);
  ResultsSummary out;
  out.name = root.read_attr<std::string>("name");
  out.complete = root.read_attr<std::uint8_t>("complete") != 0;
  out.instances = root.read_attr<std::uint64_t>("instances");
  out.confidence = root.read_attr<double>("confidence");
  out.software_accuracy = root.open_group("network").read_attr<double>("software_accuracy");
  const auto times = root.read<double>("times");
  const auto thresholds = root.read<double>("thresholds");
  const std::size_t T = times.size(), K = thresholds.size(), Q = std::size(stats::QUANTILE_LEVELS);
  const auto cycles = static_cast<std::size_t>(root.read_attr<std::uint64_t>("cycles"));
  h5::Group points = root.open_group("points");
  for (std::size_t p = 0; points.exists(std::to_string(p)); ++p) {
    h5::Group g = points.open_group(std::to_string(p));
    study::PointResults pr;
    pr.status = read_sized<std::uint8_t>(g, "status", out.instances, path);
    for (std::uint64_t i = 0; i < out.instances; ++i)
      out.nonfinite += pr.status_of(i) == study::InstanceStatus::NonFinite ? 1 : 0;
    h5::Group s = g.open_group("summary");
    const auto n = s.read<std::int64_t>("n");
    const auto mean = s.read<double>("mean"), sd = s.read<double>("std"),
               sem = s.read<double>("sem");
    const auto mn = s.read<double>("min"), mx = s.read<double>("max"),
               q = s.read<double>("quantiles");
    const auto y = s.read<double>("yield"), lo = s.read<double>("yield_lo"),
               hi = s.read<double>("yield_hi");
    for (std::size_t c = 0; c < cycles; ++c) {
      for (std::size_t k = 0; k < T; ++k) {
        const std::size_t ct = c * T + k;
        SummaryRow row;
        row.point = p;
        row.label = g.read_attr<std::string>("label");
        row.noise_free_accuracy = g.read_attr<double>("noise_free_accuracy");
        row.cycle = static_cast<std::uint32_t>(c);
        row.time_s = times[k];
        row.n = static_cast<std::uint64_t>(n[ct]);
        row.mean = mean[ct];
        row.std = sd[ct];
        row.sem = sem[ct];
        row.min = mn[ct];
        row.max = mx[ct];
        row.quantiles.assign(q.begin() + static_cast<std::ptrdiff_t>(ct * Q),
                             q.begin() + static_cast<std::ptrdiff_t>((ct + 1) * Q));
        row.thresholds = thresholds;
        for (std::size_t t = 0; t < K; ++t) {
          row.yield.push_back(y[ct * K + t]);
          row.yield_lo.push_back(lo[ct * K + t]);
          row.yield_hi.push_back(hi[ct * K + t]);
        }
        out.rows.push_back(std::move(row));
      }
    }
  }
  return out;
}

}  // namespace xbarmc::io
