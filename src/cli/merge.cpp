#include <CLI/CLI.hpp>

#include "xbarmc/cli/commands.h"
#include "xbarmc/error.h"

namespace xbarmc::cli {

void add_merge_command(CLI::App& app) {
  auto* sub =
      app.add_subcommand("merge", "Merge shard results files into one complete results file");
  sub->callback([] { throw Error("'xbarmc merge' is not available in this build yet"); });
}

}  // namespace xbarmc::cli
