#pragma once
//! \file scaleout/run.h
//! A study run spread over MPI ranks and job-array shards, with periodic checkpoints,
//! SIGINT/SIGTERM handling and resume (docs/hpc.md).

#include <string>

#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network.h"
#include "xbarmc/runner/runner.h"
#include "xbarmc/scaleout/shard.h"
#include "xbarmc/study/study.h"

namespace xbarmc::scaleout {

//! How `xbarmc run` spreads and protects its work.
struct DistOptions {
  Shard shard;              //!< block of the study's items this job runs (1 block = all)
  bool resume = false;      //!< run only the items missing from the existing output file
  double checkpoint_s = 0;  //!< seconds between checkpoints of the output file (0 = none)
  int threads = 0;          //!< TBB threads per rank (0 = cores on the node / ranks on the node)
  bool quiet = false;       //!< no progress output (ranks other than 0 are always quiet)
};

//! What happened, as seen by this rank.
struct DistOutcome {
  bool wrote = false;        //!< this rank wrote the output file
  bool complete = false;     //!< every item of the run's block is done
  bool interrupted = false;  //!< stopped by a signal (the output holds the completed items)
  //! Some rank passed the non-finite limits (study::StudyResults::nonfinite_limit).
  bool nonfinite_limit = false;
  std::uint64_t nonfinite = 0;        //!< this rank's non-finite work items of this run
  std::uint64_t evaluated_items = 0;  //!< this rank's work items of this run
  std::uint64_t ran = 0;              //!< items evaluated by the whole run now
  std::uint64_t skipped = 0;          //!< items found done in the output file (resume)
  study::Timings timings;             //!< rank 0's timings
};

//! Runs `study` into `study.output_path` (rank 0 writes; shard files carry shard attributes).
//! The caller has checked that the output may be written (or is resumed) and holds an
//! InterruptGuard. Collective over the ranks of Comm::world().
DistOutcome run_distributed(const study::Study& study, const nn::Network& net,
                            const data::Dataset& test, const DistOptions& options);

}  // namespace xbarmc::scaleout
