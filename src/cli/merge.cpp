#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "xbarmc/cli/commands.h"
#include "xbarmc/io/results.h"
#include "xbarmc/io/summary_format.h"
#include "xbarmc/scaleout/merge.h"
#include "xbarmc/util/error.h"

namespace xbarmc::cli {

namespace {
struct MergeArgs {
  std::string output;
  std::vector<std::string> shards;
  bool force = false;
  bool quiet = false;
};
}  // namespace

void add_merge_command(CLI::App& app) {
  auto args = std::make_shared<MergeArgs>();
  auto* sub =
      app.add_subcommand("merge", "Merge shard results files into one complete results file");
  sub->add_option("output", args->output, "Merged results file")->required();
  sub->add_option("shards", args->shards, "Shard files (xbarmc run --shard K/N)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_flag("--force", args->force, "Overwrite an existing output file");
  sub->add_flag("--quiet", args->quiet, "Do not print the summary table");
  sub->callback([args] {
    if (!args->force && std::filesystem::exists(args->output))
      throw IoError(args->output + ": output file exists (use --force to overwrite)");
    scaleout::merge_shards(args->output, args->shards);
    if (!args->quiet) std::cout << io::summary_table(io::read_summary(args->output));
    std::cout << "merged " << args->shards.size() << " shards into " << args->output << "\n";
  });
}

}  // namespace xbarmc::cli
