#pragma once
//! \file runner/runner.h
//! The Monte Carlo engine: every (point, instance) work item in parallel (TBB),
//! each single-threaded with reused per-thread scratch; results stored by index
//! so they do not depend on the thread count or schedule.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network.h"
#include "xbarmc/study/results.h"
#include "xbarmc/study/study.h"
#include "xbarmc/util/error.h"

namespace xbarmc::runner {

//! Options of one run (command line).
struct RunOptions {
  int threads = 0;                       //!< 0 = all cores
  bool quiet = false;                    //!< no progress output
  std::vector<std::size_t> point_order;  //!< order in which points are scheduled (empty = natural)
  //! Evaluate only these instances (empty = all), e.g. a replay of one instance.
  std::vector<std::uint64_t> instances;
  //! Evaluate only these work items (global index point * instances + instance, see
  //! docs/hpc.md); when set it replaces `point_order` and `instances` (and may be empty).
  std::optional<std::vector<std::uint64_t>> items;
  //! Results of an earlier, partial run of the same study (resume): instances whose status is
  //! not NotRun are copied into the result and count as done. Null = start empty.
  const study::StudyResults* prior = nullptr;
  //! Polled before each work item; when it returns true no further item starts, items in
  //! flight finish, and the run returns with `StudyResults::interrupted` set.
  std::function<bool()> stop_requested;
  //! Seconds between calls of `on_checkpoint` (<= 0: never).
  double checkpoint_s = 0;
  //! Receives a consistent snapshot of every completed item (others NotRun) every
  //! `checkpoint_s` seconds, from a helper thread while the workers go on.
  std::function<void(const study::StudyResults&)> on_checkpoint;
};

//! Whether `nonfinite` non-finite instances out of a run of `items` work items exceed both
//! limits of `mc`: nonfinite > max_nonfinite and nonfinite > max_nonfinite_fraction * items.
bool nonfinite_limit_exceeded(const study::MonteCarloParams& mc, std::uint64_t nonfinite,
                              std::uint64_t items);

//! The message of a run stopped by the non-finite limit: the count, both limits with their
//! config pointers, and where the partial results are.
std::string nonfinite_limit_message(const study::MonteCarloParams& mc, std::uint64_t nonfinite,
                                    std::uint64_t items);

//! Too many instances gave non-finite outputs; the completed work was saved (partial file).
class NumericalFaultError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] ExitCode exit_code() const override { return ExitCode::NumericalFault; }
};

//! Runs a study on `net` and `test` (already limited to the samples to evaluate).
study::StudyResults run_study(const study::Study& study, const nn::Network& net,
                              const data::Dataset& test, const RunOptions& options);

}  // namespace xbarmc::runner
