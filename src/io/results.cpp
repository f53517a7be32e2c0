#include "xbarmc/io/results.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <numeric>
#include <optional>

#include "xbarmc/stats/summary.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/hdf5.h"
#include "xbarmc/util/rng.h"
#include "xbarmc/util/version.h"

namespace xbarmc::io {

namespace {

std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::vector<double> applied_thresholds(const ResultsMeta& meta, double software_accuracy) {
  std::vector<double> out;
  for (double th : meta.thresholds_configured)
    out.push_back(meta.threshold_mode == study::ThresholdMode::Drop ? software_accuracy - th : th);
  return out;
}

//! Flushes a file or folder to disk (POSIX fsync); IoError when it fails.
void fsync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) throw IoError(path + ": cannot open to fsync: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw IoError(path + ": fsync failed: " + std::strerror(err));
}

//! An HDF5 file built in memory (core driver, no backing store): libhdf5 never sees an I/O
//! error, so a full disk cannot leave it with a half-closed file (it did: cascading errors
//! and a crash at exit); the bytes are written by write_bytes with plain POSIX calls.
class InMemoryFile {
 public:
  explicit InMemoryFile(const std::string& name) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // the error stack is per thread
    const h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (!fapl.valid() || H5Pset_fapl_core(fapl.id(), 1 << 20, 0) < 0)
      throw IoError(name + ": cannot set up an in-memory HDF5 file");
    file_ = h5::Handle(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id()), H5Fclose);
    if (!file_.valid()) throw IoError(name + ": cannot create an in-memory HDF5 file");
    root_.emplace(h5::Handle(H5Gopen2(file_.id(), "/", H5P_DEFAULT), H5Gclose), name, "/");
  }
  h5::Group& root() { return *root_; }
  //! The complete file's bytes (call after everything was written).
  std::vector<char> image() {
    const std::string& name = root_->file();
    if (H5Fflush(file_.id(), H5F_SCOPE_GLOBAL) < 0) throw IoError(name + ": flush failed");
    const ssize_t size = H5Fget_file_image(file_.id(), nullptr, 0);
    std::vector<char> bytes(size > 0 ? static_cast<std::size_t>(size) : 0);
    if (size <= 0 || H5Fget_file_image(file_.id(), bytes.data(), bytes.size()) != size)
      throw IoError(name + ": cannot take the in-memory HDF5 file image");
    return bytes;
  }

 private:
  h5::Handle file_;
  std::optional<h5::Group> root_;  // closed before file_
};

//! Writes `bytes` to a new file `path` and flushes it to disk (fsync); IoError naming the
//! path and the system's error text (ENOSPC, EACCES, EFBIG, ...) otherwise.
void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(path + ": cannot create the file: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      throw IoError(path + ": cannot write the file (" + std::to_string(done) + " of " +
                    std::to_string(bytes.size()) + " bytes written): " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  const int rc = ::fsync(fd);
  const int err = errno;
  if (::close(fd) != 0 || rc != 0)
    throw IoError(path +
                  ": cannot flush the file to disk: " + std::strerror(rc != 0 ? err : errno));
}

bool all_done(const study::StudyResults& r) {
  for (const auto& pr : r.points)
    for (std::uint64_t i = 0; i < r.instances; ++i)
      if (!pr.has_run(i)) return false;
  return true;
}

//! Index scale 0..n-1 named `name` in group `g` (HDF5 dimension scale, docs/results-format.md).
void write_index_scale(h5::Group& g, const char* name, std::size_t n) {
  std::vector<std::uint64_t> index(n);
  std::iota(index.begin(), index.end(), std::uint64_t{0});
  g.write(name, index, {static_cast<hsize_t>(n)});
  g.make_scale(name, name);
}

//! Value scale `name` in group `g` with a `units` attribute.
void write_value_scale(h5::Group& g, const char* name, const std::vector<double>& values,
                       const char* units) {
  g.write(name, values, {static_cast<hsize_t>(values.size())});
  g.make_scale(name, name);
  g.write_dataset_attr(name, "units", units);
}

//! The dimension scales of the summary group: cycle, time (s), threshold, quantile, bin.
void write_scales(h5::Group& s, const study::StudyResults& r, const std::vector<double>& thresholds,
                  int bins) {
  write_index_scale(s, "cycle", r.cycles);
  write_value_scale(s, "time", r.times_s, "s");
  write_value_scale(s, "threshold", thresholds, "accuracy fraction");
  write_value_scale(
      s, "quantile",
      std::vector<double>(std::begin(stats::QUANTILE_LEVELS), std::end(stats::QUANTILE_LEVELS)),
      "probability");
  std::vector<double> lower(static_cast<std::size_t>(bins));
  for (int b = 0; b < bins; ++b) lower[static_cast<std::size_t>(b)] = static_cast<double>(b) / bins;
  write_value_scale(s, "bin", lower, "accuracy fraction (lower bin edge)");
}

//! Statistics of one point: arrays over (cycle, time) computed from the instances.
void write_point_summary(h5::Group& g, const ResultsMeta& meta, const study::StudyResults& r,
                         const study::PointResults& pr, const std::vector<double>& thresholds) {
  const std::size_t C = r.cycles, T = r.times_s.size(), K = thresholds.size(),
                    Q = std::size(stats::QUANTILE_LEVELS);
  const int bins = meta.histogram_bins;
  std::vector<double> mean(C * T), sd(C * T), sem(C * T), mn(C * T), mx(C * T), quant(C * T * Q);
  std::vector<std::int64_t> n(C * T), passed(C * T * K);
  std::vector<double> yield(C * T * K), lo(C * T * K), hi(C * T * K);
  std::vector<std::int64_t> hist(C * T * static_cast<std::size_t>(bins));
  std::vector<double> sample(r.instances);
  for (std::size_t c = 0; c < C; ++c) {
    for (std::size_t k = 0; k < T; ++k) {
      const std::size_t ct = c * T + k;
      for (std::size_t i = 0; i < r.instances; ++i)
        sample[i] = pr.accuracy[r.shape().read_slot(i, static_cast<std::uint32_t>(c), k)];
      const stats::Summary s = stats::summarize(sample);
      n[ct] = static_cast<std::int64_t>(s.n);
      mean[ct] = s.mean;
      sd[ct] = s.std;
      sem[ct] = s.sem;
      mn[ct] = s.min;
      mx[ct] = s.max;
      for (std::size_t q = 0; q < Q; ++q) quant[ct * Q + q] = s.quantiles[q];
      const auto h = stats::histogram(sample, 0.0, 1.0, bins);
      for (int b = 0; b < bins; ++b)
        hist[ct * static_cast<std::size_t>(bins) + static_cast<std::size_t>(b)] =
            static_cast<std::int64_t>(h[static_cast<std::size_t>(b)]);
      for (std::size_t t = 0; t < K; ++t) {
        const stats::Yield y = stats::yield_at(sample, thresholds[t], meta.confidence);
        passed[ct * K + t] = static_cast<std::int64_t>(y.passed);
        yield[ct * K + t] = y.fraction;
        lo[ct * K + t] = y.interval.lo;
        hi[ct * K + t] = y.interval.hi;
      }
    }
  }
  h5::Group s = g.create_group("summary");
  const std::vector<hsize_t> ct_shape = {C, T};
  s.write("n", n, ct_shape);
  s.write("mean", mean, ct_shape);
  s.write("std", sd, ct_shape);
  s.write("sem", sem, ct_shape);
  s.write("min", mn, ct_shape);
  s.write("max", mx, ct_shape);
  s.write("quantiles", quant, {C, T, Q});
  s.write("quantile_levels", std::vector<double>(std::begin(stats::QUANTILE_LEVELS),
                                                 std::end(stats::QUANTILE_LEVELS)));
  s.write("histogram", hist, {C, T, static_cast<hsize_t>(bins)});
  std::vector<double> edges(static_cast<std::size_t>(bins) + 1);
  for (int b = 0; b <= bins; ++b)
    edges[static_cast<std::size_t>(b)] = static_cast<double>(b) / bins;
  s.write("histogram_edges", edges);
  s.write("yield", yield, {C, T, K});
  s.write("yield_lo", lo, {C, T, K});
  s.write("yield_hi", hi, {C, T, K});
  s.write("yield_passed", passed, {C, T, K});
  // Dimension scales of the summary group (its own, so the group opens alone in xarray).
  write_scales(s, r, thresholds, bins);
  for (const char* name : {"n", "mean", "std", "sem", "min", "max"})
    s.attach_scales(name, {"cycle", "time"});
  s.attach_scales("quantiles", {"cycle", "time", "quantile"});
  s.attach_scales("quantile_levels", {"quantile"});
  s.make_scale("histogram_edges", "histogram_edges");
  s.attach_scales("histogram", {"cycle", "time", "bin"});
  for (const char* name : {"yield", "yield_lo", "yield_hi", "yield_passed"})
    s.attach_scales(name, {"cycle", "time", "threshold"});
}

}  // namespace

ResultsMeta make_meta(const study::Study& study, const nn::Network& net) {
  ResultsMeta m;
  m.name = study.name;
  m.seed = study.seed;
  m.config = study.resolved.dump();
  m.thresholds_configured = study.statistics.thresholds;
  m.threshold_mode = study.statistics.threshold_mode;
  m.confidence = study.statistics.confidence;
  m.histogram_bins = study.statistics.histogram_bins;
  for (const auto& p : study.points) {
    m.point_params.push_back(p.overrides.dump());
    m.point_labels.push_back(p.label);
  }
  m.network_name = net.name();
  m.network_description = net.describe();
  return m;
}

void write_results(const std::string& path, const study::Study& study, const nn::Network& net,
                   const study::StudyResults& results, const WriteOptions& options) {
  write_results(path, make_meta(study, net), results, options);
}

void write_results(const std::string& path, const ResultsMeta& meta, const study::StudyResults& r,
                   const WriteOptions& options) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (!fs::is_directory(dir))
    throw IoError(path + ": output folder " + dir.string() + " does not exist");
  static std::atomic<std::uint64_t> writes{0};  // a unique name per write of this process
  const std::string tmp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(writes.fetch_add(1));
  try {
    std::vector<char> image;
    {
      InMemoryFile f(tmp);
      h5::Group& root = f.root();
      root.write_attr("filetype", "xbarmc-results");
      root.write_attr("format_version",
                      std::vector<std::int32_t>{RESULTS_FORMAT_MAJOR, RESULTS_FORMAT_MINOR});
      root.write_attr("xbarmc_version", version_string());
      root.write_attr("git_sha", git_sha());
      root.write_attr("created", now_iso8601());
      root.write_attr("name", meta.name);
      root.write_attr("seed", meta.seed);
      root.write_attr("rng", RNG_NAME);
      root.write_attr("boost_version", boost_version());
      root.write_attr("config", meta.config);
      root.write_attr("complete", std::uint8_t{0});
      root.write_attr("instances", r.instances);
      root.write_attr("cycles", static_cast<std::uint64_t>(r.cycles));
      root.write_attr("test_samples", r.test_samples);
      root.write_attr("threshold_mode",
                      meta.threshold_mode == study::ThresholdMode::Drop ? "drop" : "absolute");
      root.write_attr("confidence", meta.confidence);
      if (options.shard_count > 0) {
        root.write_attr("shard_index", options.shard_index);
        root.write_attr("shard_count", options.shard_count);
      }
      const auto& tm = r.timings;
      root.write_attr("timings_json", config::Json{{"setup_s", tm.setup_s},
                                                   {"monte_carlo_s", tm.monte_carlo_s},
                                                   {"device_s", tm.device_s},
                                                   {"circuit_s", tm.circuit_s},
                                                   {"evaluate_s", tm.evaluate_s}}
                                          .dump());

      h5::Group netg = root.create_group("network");
      netg.write_attr("name", meta.network_name);
      netg.write_attr("description", meta.network_description);
      netg.write_attr("software_accuracy", r.software_accuracy);
      netg.write_attr("weight_layers", static_cast<std::uint64_t>(r.layers));

      root.write("times", r.times_s);
      const auto thresholds = applied_thresholds(meta, r.software_accuracy);
      root.write("thresholds", thresholds);
      root.write("thresholds_configured", meta.thresholds_configured);

      const hsize_t I = r.instances, C = r.cycles, T = r.times_s.size(), L = r.layers;
      h5::Group points = root.create_group("points");
      if (meta.point_params.size() != r.points.size())
        throw IoError(path + ": " + std::to_string(r.points.size()) + " points of results but " +
                      std::to_string(meta.point_params.size()) + " in the study");
      for (std::size_t p = 0; p < r.points.size(); ++p) {
        const auto& pr = r.points[p];
        h5::Group g = points.create_group(std::to_string(p));
        g.write_attr("params", meta.point_params[p]);
        g.write_attr("label", meta.point_labels[p]);
        g.write_attr("noise_free_accuracy", pr.noise_free_accuracy);
        const hsize_t chunk_i = std::min<hsize_t>(I, INSTANCE_CHUNK);
        g.write("accuracy", pr.accuracy, {I, C, T}, {{chunk_i, C, T}, DEFLATE_LEVEL});
        g.write("layer_error", pr.layer_error, {I, C, T, L}, {{chunk_i, C, T, L}, DEFLATE_LEVEL});
        g.write("status", pr.status, {I}, {{chunk_i}, DEFLATE_LEVEL});
        std::vector<std::uint8_t> done(pr.status.size());
        for (std::size_t i = 0; i < done.size(); ++i) done[i] = pr.status[i] != 0 ? 1 : 0;
        g.write("done", done, {I}, {{chunk_i}, DEFLATE_LEVEL});
        // Dimension scales: xarray (h5netcdf) opens the group as a labelled dataset.
        write_index_scale(g, "instance", r.instances);
        write_index_scale(g, "cycle", r.cycles);
        write_value_scale(g, "time", r.times_s, "s");
        write_index_scale(g, "layer", r.layers);
        g.attach_scales("accuracy", {"instance", "cycle", "time"});
        g.attach_scales("layer_error", {"instance", "cycle", "time", "layer"});
        g.attach_scales("status", {"instance"});
        g.attach_scales("done", {"instance"});
        write_point_summary(g, meta, r, pr, thresholds);
      }
      const bool complete = options.shard_count == 0 && all_done(r);
      root.write_attr("complete", static_cast<std::uint8_t>(complete ? 1 : 0));
      image = f.image();
    }
    write_bytes(tmp, image);
    std::error_code rename_error;
    fs::rename(tmp, target, rename_error);
    if (rename_error)
      throw IoError(path + ": cannot rename " + tmp + " into place: " + rename_error.message());
  } catch (const IoError& e) {
    // Disk full, permission, file size limit...: the file at `path`, if any, is untouched
    // (the new content only ever lived in `tmp`), e.g. the last checkpoint of a run.
    std::error_code ec;
    fs::remove(tmp, ec);
    throw IoError(std::string(e.what()) + "; " +
                  (fs::exists(target, ec) ? path + " keeps its previous content"
                                          : "nothing was written to " + path));
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  fsync_path(dir.string(), true);  // the rename itself reaches the disk
}

}  // namespace xbarmc::io
