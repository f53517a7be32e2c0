#include <CLI/CLI.hpp>

#include "xbarmc/cli/commands.h"
#include "xbarmc/error.h"

namespace xbarmc::cli {

void add_spice_command(CLI::App& app) {
  auto* sub =
      app.add_subcommand("spice", "Write an ngspice netlist of one tile of one chip instance");
  sub->callback([] { throw Error("'xbarmc spice' is not available in this build yet"); });
}

}  // namespace xbarmc::cli
