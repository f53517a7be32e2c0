#include "xbarmc/study/estimate.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "xbarmc/util/error.h"

namespace xbarmc::study {

namespace {
std::string bytes_text(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (b >= 1024 && u < 6) {
    b /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g %s", b, units[u]);
  return buf;
}

std::string time_text(double s) {
  char buf[64];
  if (s < 120)
    std::snprintf(buf, sizeof buf, "%.3g s", s);
  else if (s < 7200)
    std::snprintf(buf, sizeof buf, "%.3g min", s / 60);
  else if (s < 2 * 86400)
    std::snprintf(buf, sizeof buf, "%.3g h", s / 3600);
  else if (s < 2 * 365.25 * 86400)
    std::snprintf(buf, sizeof buf, "%.3g days", s / 86400);
  else
    std::snprintf(buf, sizeof buf, "%.3g years", s / (365.25 * 86400));
  return buf;
}
}  // namespace

std::string RunEstimate::describe() const {
  char reads[64];
  std::snprintf(reads, sizeof reads, "%.3g", evaluations);
  return "results arrays " + bytes_text(results_bytes) + ", about " + time_text(time_s) + " on " +
         std::to_string(threads) + " thread" + (threads == 1 ? "" : "s") + " (" + reads +
         " chip reads)";
}

double macs_per_sample(const nn::Network& net) {
  double macs = 0;
  for (std::size_t k = 0; k < net.num_weight_layers(); ++k) {
    const auto& w = net.weight_matrix(k);
    // A convolution applies its im2col matrix once per output position.
    const auto positions = static_cast<double>(net.weight_positions(k));
    macs += static_cast<double>(w.rows()) * static_cast<double>(w.cols()) * positions;
  }
  return macs;
}

RunEstimate estimate_run(const Study& study, const nn::Network& net, std::uint64_t test_samples,
                         int threads) {
  RunEstimate e;
  const double points = static_cast<double>(study.points.size());
  const double instances = static_cast<double>(study.monte_carlo.instances);
  const double reads = static_cast<double>(study.monte_carlo.cycles) *
                       static_cast<double>(study.monte_carlo.times_s.size());
  const double layers = static_cast<double>(net.num_weight_layers());
  // Sizes in doubles: 10^12 instances must not overflow an integer product.
  e.evaluations = points * instances * reads;
  e.results_bytes = e.evaluations * (4.0 + 4.0 * layers) + points * instances;
  e.macs = e.evaluations * static_cast<double>(test_samples) * macs_per_sample(net);
  e.threads =
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  e.time_s = e.macs / (MACS_PER_THREAD_SECOND * e.threads);
  return e;
}

void check_run_size(const RunEstimate& e, double ram_bytes) {
  constexpr double YEAR_S = 365.25 * 86400;
  const bool too_big = ram_bytes > 0 && e.results_bytes > 0.5 * ram_bytes;
  if (!too_big && !(e.time_s > YEAR_S)) return;
  const std::string why =
      too_big ? "more than half of this machine's " + bytes_text(ram_bytes) + " of memory"
              : "more than a year of compute";
  throw ConfigError("/monte_carlo/instances",
                    "the study is too large to run: " + e.describe() + "; that is " + why +
                        ". Reduce /monte_carlo/instances, cycles, times_s or the sweep "
                        "(or split it into shards)");
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
}

}  // namespace xbarmc::study
