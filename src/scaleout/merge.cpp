#include "xbarmc/scaleout/merge.h"

#include <set>

#include "xbarmc/io/results.h"
#include "xbarmc/scaleout/checkpoint.h"
#include "xbarmc/scaleout/items.h"
#include "xbarmc/util/error.h"

namespace xbarmc::scaleout {

namespace {

std::string shard_name(const io::LoadedResults& f, const std::string& path) {
  return path + (f.shard_count > 0 ? " (shard " + std::to_string(f.shard_index) + "/" +
                                         std::to_string(f.shard_count) + ")"
                                   : "");
}

//! Refuses a shard that is not of the same study as the first one.
void check_same_study(const io::LoadedResults& first, const std::string& first_path,
                      const io::LoadedResults& f, const std::string& path) {
  const std::string what = "merge: " + path + " and " + first_path;
  if (f.format_version != first.format_version)
    throw IoError(what + " have different results format versions");
  if (f.meta.seed != first.meta.seed)
    throw IoError(what + " have different seeds (" + std::to_string(f.meta.seed) + " and " +
                  std::to_string(first.meta.seed) + ")");
  const std::string diff = config_difference(first.meta.config, f.meta.config);
  if (!diff.empty())
    throw IoError(what + " are of different configs (they differ at " + diff + ")");
  if (f.shard_count != first.shard_count)
    throw IoError(what + " were split into different shard counts (" +
                  std::to_string(f.shard_count) + " and " + std::to_string(first.shard_count) +
                  ")");
  if (f.results.software_accuracy != first.results.software_accuracy ||
      f.results.test_samples != first.results.test_samples)
    throw IoError(what + " evaluated different test data (software accuracy differs)");
}

}  // namespace

void merge_shards(const std::string& out, const std::vector<std::string>& shards) {
  if (shards.empty()) throw InputError("merge: no shard files given");
  std::vector<io::LoadedResults> files;
  for (const auto& path : shards) {
    files.push_back(io::read_results(path));
    if (files.size() > 1) check_same_study(files.front(), shards.front(), files.back(), path);
  }
  io::LoadedResults merged = files.front();
  study::StudyResults& r = merged.results;
  const std::size_t n_items = r.points.size() * r.instances;
  std::vector<std::int64_t> owner(n_items, -1);
  std::set<std::uint64_t> shard_indices;
  study::Timings sum;
  for (std::size_t s = 0; s < files.size(); ++s) {
    const study::StudyResults& fr = files[s].results;
    std::vector<std::uint64_t> items;
    for (std::size_t p = 0; p < fr.points.size(); ++p) {
      for (std::uint64_t i = 0; i < fr.instances; ++i) {
        if (!fr.points[p].has_run(i)) continue;
        const std::uint64_t item = study::item_index(p, i, fr.instances);
        if (owner[item] >= 0)
          throw IoError("merge: instance " + std::to_string(i) + " of point " + std::to_string(p) +
                        " is in both " +
                        shard_name(files[static_cast<std::size_t>(owner[item])],
                                   shards[static_cast<std::size_t>(owner[item])]) +
                        " and " + shard_name(files[s], shards[s]) + " (overlapping shards)");
        owner[item] = static_cast<std::int64_t>(s);
        items.push_back(item);
      }
    }
    if (files[s].shard_count > 0 && !shard_indices.insert(files[s].shard_index).second)
      throw IoError("merge: shard " + std::to_string(files[s].shard_index) + "/" +
                    std::to_string(files[s].shard_count) + " is given twice (" + shards[s] + ")");
    if (s > 0) unpack_items(pack_items(fr, items), r);
    sum.setup_s += fr.timings.setup_s;
    sum.monte_carlo_s += fr.timings.monte_carlo_s;
    sum.device_s += fr.timings.device_s;
    sum.circuit_s += fr.timings.circuit_s;
    sum.evaluate_s += fr.timings.evaluate_s;
  }
  std::uint64_t missing = 0, first_missing = 0;
  for (std::uint64_t item = 0; item < n_items; ++item)
    if (owner[item] < 0 && missing++ == 0) first_missing = item;
  if (missing > 0) {
    std::string msg = "merge: " + std::to_string(missing) + " of " + std::to_string(n_items) +
                      " instances are in no shard, the first is instance " +
                      std::to_string(first_missing % r.instances) + " of point " +
                      std::to_string(first_missing / r.instances);
    if (files.front().shard_count > 0) {
      std::string absent;
      for (std::uint64_t k = 0; k < files.front().shard_count; ++k)
        if (!shard_indices.count(k))
          absent += (absent.empty() ? "" : ", ") + std::to_string(k) + "/" +
                    std::to_string(files.front().shard_count);
      msg += absent.empty() ? " (a shard is incomplete: resume it with --resume)"
                            : " (missing shards: " + absent + ")";
    }
    throw IoError(msg);
  }
  r.timings = sum;
  config::Json config = config::Json::parse(merged.meta.config);
  if (config.contains("output") && config["output"].is_object()) config["output"]["path"] = out;
  merged.meta.config = config.dump();
  io::write_results(out, merged.meta, r);
}

}  // namespace xbarmc::scaleout
