#include <CLI/CLI.hpp>

#include "xbarmc/cli/commands.h"
#include "xbarmc/error.h"

namespace xbarmc::cli {

void add_run_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "run", "Run the Monte Carlo study of a config and write an HDF5 results file");
  sub->callback([] { throw Error("'xbarmc run' is not available in this build yet"); });
}

}  // namespace xbarmc::cli
