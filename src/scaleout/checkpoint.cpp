#include "xbarmc/scaleout/checkpoint.h"

#include "xbarmc/util/error.h"

namespace xbarmc::scaleout {

std::string config_difference(const std::string& config_a, const std::string& config_b) {
  config::Json a = config::Json::parse(config_a), b = config::Json::parse(config_b);
  // Where the file is written and when a run gives up on non-finite outputs do not change
  // what any work item holds: a run stopped by those limits may resume with higher ones.
  for (config::Json* j : {&a, &b}) {
    if (j->contains("output") && (*j)["output"].is_object()) (*j)["output"].erase("path");
    if (j->contains("monte_carlo") && (*j)["monte_carlo"].is_object()) {
      (*j)["monte_carlo"].erase("max_nonfinite");
      (*j)["monte_carlo"].erase("max_nonfinite_fraction");
    }
  }
  const config::Json patch = config::Json::diff(a, b);
  if (patch.empty()) return "";
  return patch.front().value("path", std::string("/"));
}

io::LoadedResults load_for_resume(const std::string& path, const io::ResultsMeta& meta,
                                  const Shard& shard) {
  io::LoadedResults f = io::read_results(path);
  if (f.meta.seed != meta.seed)
    throw IoError(path + ": cannot resume: the file has seed " + std::to_string(f.meta.seed) +
                  " but this study has seed " + std::to_string(meta.seed));
  const std::string diff = config_difference(f.meta.config, meta.config);
  if (!diff.empty())
    throw IoError(path + ": cannot resume: the file was written by another config (its resolved " +
                  "config differs at " + diff + "); use --force to start over");
  const std::uint64_t count = shard.count > 1 ? shard.count : 0;
  const std::uint64_t index = shard.count > 1 ? shard.index : 0;
  if (f.shard_count != count || f.shard_index != index) {
    auto name = [](std::uint64_t k, std::uint64_t n) {
      return n == 0 ? std::string("a whole-study file")
                    : "shard " + std::to_string(k) + "/" + std::to_string(n);
    };
    throw IoError(path + ": cannot resume: the file is " + name(f.shard_index, f.shard_count) +
                  " but this run is " + name(index, count));
  }
  return f;
}

}  // namespace xbarmc::scaleout
