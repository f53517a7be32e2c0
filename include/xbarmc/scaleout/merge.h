#pragma once
//! \file scaleout/merge.h
//! `xbarmc merge`: shard files of one study into one complete results file.

#include <string>
#include <vector>

namespace xbarmc::scaleout {

//! Merges `shards` into `out` (written atomically, complete = 1), equal to a single run's file
//! except provenance (created, timings_json summed over the shards, /output/path in config).
//! IoError naming the files when they differ in config (ignoring /output/path), seed, format
//! version or shard count, when two shards hold the same instance, or when an instance is in
//! no shard (naming the point and instance and the missing shard numbers).
void merge_shards(const std::string& out, const std::vector<std::string>& shards);

}  // namespace xbarmc::scaleout
