#pragma once
//! \file scaleout/shard.h
//! Splitting a study's work items into contiguous blocks (job-array shards, MPI ranks).
//! Work item index is point-major: item = point * instances + instance (see docs/hpc.md).

#include <cstdint>
#include <string>
#include <vector>

namespace xbarmc::scaleout {

//! Block `index` of `count` (0 <= index < count).
struct Shard {
  std::uint64_t index = 0;  //!< 0-based block number (SLURM_ARRAY_TASK_ID with --array=0-N-1)
  std::uint64_t count = 1;  //!< number of blocks
};

//! Parses "K/N" (0 <= K < N); ConfigError on "--shard" otherwise.
Shard parse_shard(const std::string& text);

//! Half-open range [begin, end) of item indices.
struct ItemRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  [[nodiscard]] std::uint64_t size() const { return end - begin; }
};

//! Block `index` of `count` of [0, total): sizes differ by at most one, earlier blocks larger;
//! the blocks are disjoint and cover [0, total).
ItemRange block(std::uint64_t total, std::uint64_t index, std::uint64_t count);

//! The contiguous block `index` of `count` of a list (same split as `block`).
std::vector<std::uint64_t> block_of(const std::vector<std::uint64_t>& items, std::uint64_t index,
                                    std::uint64_t count);

}  // namespace xbarmc::scaleout
