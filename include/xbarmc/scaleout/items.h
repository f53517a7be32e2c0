#pragma once
//! \file scaleout/items.h
//! Per-instance results as bytes, to move completed work items between processes (MPI gather).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "xbarmc/study/results.h"

namespace xbarmc::scaleout {

//! The completed items of `r` (status not NotRun) among `items` (global indices), as records
//! [item u64][status u8][accuracy f32 x C*T][layer_error f32 x C*T*L] in native byte order.
std::vector<std::byte> pack_items(const study::StudyResults& r,
                                  const std::vector<std::uint64_t>& items);

//! Copies packed records into `r` (same study shape); returns the number of records.
//! InputError on a truncated buffer or an item outside the study.
std::size_t unpack_items(const std::vector<std::byte>& bytes, study::StudyResults& r);

}  // namespace xbarmc::scaleout
