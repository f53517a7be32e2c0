#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <numeric>

#include "xbarmc/circuit/params.h"
#include "xbarmc/cli/commands.h"
#include "xbarmc/data/dataset.h"
#include "xbarmc/io/output_check.h"
#include "xbarmc/io/results.h"
#include "xbarmc/io/summary_format.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/runner/runner.h"
#include "xbarmc/scaleout/comm.h"
#include "xbarmc/scaleout/interrupt.h"
#include "xbarmc/scaleout/run.h"
#include "xbarmc/scaleout/shard.h"
#include "xbarmc/study/estimate.h"
#include "xbarmc/study/open_study.h"
#include "xbarmc/study/study.h"
#include "xbarmc/util/error.h"

namespace xbarmc::cli {

namespace {

struct RunArgs {
  std::string config;
  std::string output;
  int threads = 0;
  std::int64_t instances = -1;
  std::int64_t test_limit = -1;
  std::vector<std::string> sets;
  bool quiet = false;
  bool force = false;
  std::int64_t instance = -1;
  std::string shard;
  bool resume = false;
  double checkpoint_s = 0;
};

void print_instance(const study::Study& study, const study::StudyResults& r,
                    std::uint64_t instance) {
  const std::uint32_t C = r.cycles;
  const std::size_t T = r.times_s.size();
  std::cout << "instance " << instance << " (seed " << study.seed << "), accuracy:\n";
  for (std::size_t p = 0; p < r.points.size(); ++p)
    for (std::uint32_t c = 0; c < C; ++c)
      for (std::size_t k = 0; k < T; ++k)
        std::cout << "  point " << p << " cycle " << c << " time_s " << r.times_s[k] << ": "
                  << r.points[p].accuracy[r.shape().read_slot(instance, c, k)] << "  ("
                  << study.points[p].label << ")\n";
}

void run(const RunArgs& a) {
  std::vector<std::string> sets = a.sets;
  if (a.instances >= 0) sets.push_back("/monte_carlo/instances=" + std::to_string(a.instances));
  if (a.test_limit >= 0) sets.push_back("/monte_carlo/test_limit=" + std::to_string(a.test_limit));
  if (!a.output.empty()) sets.push_back("/output/path=" + config::Json(a.output).dump());
  const study::Study study = study::load_study(a.config, sets);
  if (a.instance >= 0 && static_cast<std::uint64_t>(a.instance) >= study.monte_carlo.instances)
    throw ConfigError("/monte_carlo/instances",
                      "--instance " + std::to_string(a.instance) + " is outside the study's " +
                          std::to_string(study.monte_carlo.instances) + " instances");
  const bool replay = a.instance >= 0;
  for (std::size_t p = 0; p < study.points.size(); ++p) {
    const auto& m = study.points[p];
    const std::string w = circuit::first_order_warning(m.circuit, m.mapping.tile_rows,
                                                       m.mapping.tile_cols, m.mapping.g_max_uS);
    if (!w.empty())
      std::cerr << "xbarmc: warning: sweep point " << p << " (" << m.label << "): " << w << "\n";
  }
  if (replay && (!a.shard.empty() || a.resume))
    throw ConfigError("--instance",
                      "a replay (--instance) cannot be combined with --shard or --resume");
  if (a.resume && a.force)
    throw ConfigError("--resume",
                      "--resume continues the existing output; --force overwrites it: pick one");
  if (!replay && !a.resume && !a.force && std::filesystem::exists(study.output_path))
    throw IoError(
        study.output_path +
        ": output file exists (use --force to overwrite); --resume continues a partial one");
  if (!replay) io::check_output_writable(study.output_path);  // before hours of work, not after
  const study::OpenStudy opened = study::open_study(study);
  const nn::Network& net = opened.network;
  const data::Dataset& test = opened.test;
  study::check_run_size(study::estimate_run(study, net, test.count, a.threads),
                        study::physical_memory_bytes());  // refuse absurd sizes up front

  if (replay) {
    runner::RunOptions options;
    options.threads = a.threads;
    options.quiet = true;
    options.instances = {static_cast<std::uint64_t>(a.instance)};
    options.stop_requested = [] { return scaleout::InterruptGuard::requested(); };
    const study::StudyResults r = runner::run_study(study, net, test, options);
    if (r.interrupted) throw InterruptedError("replay interrupted by a signal; nothing written");
    print_instance(study, r, static_cast<std::uint64_t>(a.instance));
    return;
  }
  scaleout::DistOptions options;
  if (!a.shard.empty()) options.shard = scaleout::parse_shard(a.shard);
  options.resume = a.resume;
  options.checkpoint_s = a.checkpoint_s;
  options.threads = a.threads;
  options.quiet = a.quiet;
  const scaleout::DistOutcome o = scaleout::run_distributed(study, net, test, options);
  if (o.nonfinite_limit)
    throw runner::NumericalFaultError(
        (runner::nonfinite_limit_exceeded(study.monte_carlo, o.nonfinite, o.evaluated_items)
             ? runner::nonfinite_limit_message(study.monte_carlo, o.nonfinite, o.evaluated_items)
             : std::string("another MPI rank passed the non-finite limits "
                           "(/monte_carlo/max_nonfinite, /monte_carlo/max_nonfinite_fraction)")) +
        "; " + study.output_path + " holds the completed work items" +
        (o.complete ? "" : " (partial)") +
        "; check the device and circuit parameters (an extreme sigma?) or raise the limits, "
        "then continue with --resume");
  if (o.interrupted)
    throw InterruptedError(
        (scaleout::InterruptGuard::requested()
             ? "interrupted by signal " + std::to_string(scaleout::InterruptGuard::signal_number())
             : std::string("interrupted by a signal to another MPI rank")) +
        "; " + study.output_path +
        " holds the completed work items (partial); continue with --resume");
  if (!o.wrote) return;
  if (options.shard.count > 1) {
    std::cout << "shard " << options.shard.index << "/" << options.shard.count << ": " << o.ran
              << " work items run, " << o.skipped << " resumed\n";
  } else {
    std::cout << io::summary_table(io::read_summary(study.output_path));
    if (o.skipped > 0) std::cout << o.skipped << " work items resumed from the file\n";
    if (o.nonfinite > 0)
      std::cout << o.nonfinite
                << " work items gave non-finite outputs (status 2, left out of the statistics)\n";
  }
  std::cout << "wall time " << o.timings.setup_s + o.timings.monte_carlo_s << " s\n";
  std::cout << "results: " << study.output_path << "\n";
}

//! Runs the command; with several MPI ranks an error on one rank ends all of them.
void run_guarded(const RunArgs& a) {
  const scaleout::InterruptGuard guard;
  scaleout::Comm& comm = scaleout::Comm::world();
  try {
    run(a);
  } catch (const InterruptedError&) {
    throw;
  } catch (const runner::NumericalFaultError&) {  // collective, like an interruption
    throw;
  } catch (const Error& e) {
    if (comm.size() <= 1) throw;
    std::cerr << "xbarmc: error on MPI rank " << comm.rank() << ": " << e.what() << "\n";
    comm.abort(static_cast<int>(e.exit_code()));
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  auto* sub = app.add_subcommand(
      "run", "Run the Monte Carlo study of a config and write an HDF5 results file");
  sub->add_option("config", args->config, "study::Study config (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("-o,--output", args->output,
                  "Results file (default: /output/path of the config)");
  sub->add_option("--threads", args->threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 4096));
  sub->add_option("--instances", args->instances,
                  "Instances per point (overrides /monte_carlo/instances)");
  sub->add_option("--test-limit", args->test_limit, "Evaluate only the first N test samples");
  sub->add_option("--set", args->sets, "Override a config value: /json/pointer=value (repeatable)");
  sub->add_flag("--quiet", args->quiet, "No progress output");
  sub->add_flag("--force", args->force, "Overwrite an existing results file");
  sub->add_option(
      "--instance", args->instance,
      "Replay one instance: print its accuracies (identical to the full run), write nothing");
  sub->add_option("--shard", args->shard,
                  "Run only block K of N of the work items (0-based K/N) into a shard file "
                  "(xbarmc merge joins them)");
  sub->add_flag("--resume", args->resume,
                "Continue the existing output file: run only its missing work items");
  sub->add_option("--checkpoint-s", args->checkpoint_s,
                  "Save completed work into the output every S seconds (0 = only on "
                  "SIGINT/SIGTERM)")
      ->check(CLI::Range(0.0, 1e9));
  sub->callback([args] { run_guarded(*args); });
}

}  // namespace xbarmc::cli
