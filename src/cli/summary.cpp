#include <CLI/CLI.hpp>

#include "xbarmc/cli/commands.h"
#include "xbarmc/error.h"

namespace xbarmc::cli {

void add_summary_command(CLI::App& app) {
  auto* sub = app.add_subcommand("summary", "Print the summary statistics of a results file");
  sub->callback([] { throw Error("'xbarmc summary' is not available in this build yet"); });
}

}  // namespace xbarmc::cli
