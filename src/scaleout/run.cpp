#include "xbarmc/scaleout/run.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>

#include "xbarmc/io/results.h"
#include "xbarmc/scaleout/checkpoint.h"
#include "xbarmc/scaleout/comm.h"
#include "xbarmc/scaleout/interrupt.h"
#include "xbarmc/scaleout/items.h"
#include "xbarmc/util/error.h"

namespace xbarmc::scaleout {

namespace {

//! Items of the shard's block not yet done, in global order.
std::vector<std::uint64_t> pending_items(const study::Study& study, const Shard& shard,
                                         const study::StudyResults* prior) {
  const std::uint64_t I = study.monte_carlo.instances;
  const ItemRange range = block(study.points.size() * I, shard.index, shard.count);
  std::vector<std::uint64_t> items;
  items.reserve(range.size());
  for (std::uint64_t item = range.begin; item < range.end; ++item) {
    if (prior != nullptr && prior->item_has_run(item)) continue;
    items.push_back(item);
  }
  return items;
}

}  // namespace

DistOutcome run_distributed(const study::Study& study, const nn::Network& net,
                            const data::Dataset& test, const DistOptions& options) {
  Comm& comm = Comm::world();
  const io::ResultsMeta meta = io::make_meta(study, net);
  const std::string& out = study.output_path;
  io::WriteOptions wopts;
  if (options.shard.count > 1) wopts = {options.shard.index, options.shard.count};

  std::optional<io::LoadedResults> prior;
  if (options.resume && std::filesystem::exists(out))
    prior = load_for_resume(out, meta, options.shard);
  const study::StudyResults* prior_results = prior ? &prior->results : nullptr;
  const std::vector<std::uint64_t> pending = pending_items(study, options.shard, prior_results);

  DistOutcome outcome;
  outcome.skipped = block(study.points.size() * study.monte_carlo.instances, options.shard.index,
                          options.shard.count)
                        .size() -
                    pending.size();
  runner::RunOptions ro;
  ro.quiet = options.quiet || comm.rank() != 0;
  ro.threads = options.threads;
  if (ro.threads == 0 && comm.local_size() > 1)
    ro.threads =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / comm.local_size());
  ro.items = block_of(pending, static_cast<std::uint64_t>(comm.rank()),
                      static_cast<std::uint64_t>(comm.size()));
  ro.prior = prior_results;
  ro.stop_requested = [] { return InterruptGuard::requested(); };
  if (options.checkpoint_s > 0 && comm.size() == 1) {
    ro.checkpoint_s = options.checkpoint_s;
    ro.on_checkpoint = [&](const study::StudyResults& snapshot) {
      try {
        io::write_results(out, meta, snapshot, wopts);
      } catch (const IoError& e) {  // the run goes on; the final write reports a lasting problem
        std::cerr << "xbarmc: warning: checkpoint not written (the run goes on): " << e.what()
                  << "\n";
      }
    };
  } else if (options.checkpoint_s > 0 && comm.rank() == 0) {
    std::cerr << "xbarmc: note: --checkpoint-s is ignored with " << comm.size()
              << " MPI ranks; SIGTERM still saves the completed work\n";
  }
  study::StudyResults r = runner::run_study(study, net, test, ro);

  if (comm.size() > 1) {
    const auto gathered = comm.gather_to_root(pack_items(r, *ro.items));
    for (std::size_t rank = 1; rank < gathered.size(); ++rank) unpack_items(gathered[rank], r);
  }
  outcome.interrupted = comm.any(r.interrupted);
  outcome.nonfinite_limit = comm.any(r.nonfinite_limit);
  outcome.nonfinite = r.nonfinite;
  outcome.evaluated_items = r.evaluated_items;
  outcome.timings = r.timings;
  if (comm.rank() == 0) {
    io::write_results(out, meta, r, wopts);
    outcome.wrote = true;
    const std::vector<std::uint64_t> left = pending_items(study, options.shard, &r);
    outcome.complete = left.empty();
    outcome.ran = pending.size() - left.size();
  }
  return outcome;
}

}  // namespace xbarmc::scaleout
