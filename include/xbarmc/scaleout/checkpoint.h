#pragma once
//! \file scaleout/checkpoint.h
//! Checks that an existing results file belongs to the current study before it is resumed or
//! merged: same resolved config (except /output/path), seed and format version.

#include <string>

#include "xbarmc/config/node.h"
#include "xbarmc/io/results.h"
#include "xbarmc/scaleout/shard.h"

namespace xbarmc::scaleout {

//! JSON pointer of the first difference between two resolved configs, ignoring /output/path
//! and /monte_carlo/max_nonfinite{,_fraction} (where a file is written and when a run gives
//! up are not part of what it holds); "" when they are equal.
std::string config_difference(const std::string& config_a, const std::string& config_b);

//! Reads `path` for --resume of the study described by `meta`, run as `shard` (count 1 = not a
//! shard). IoError with a clear message when the file is another study (config, seed), another
//! shard, or not a results file.
io::LoadedResults load_for_resume(const std::string& path, const io::ResultsMeta& meta,
                                  const Shard& shard);

}  // namespace xbarmc::scaleout
