#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "xbarmc/cli/commands.h"
#include "xbarmc/error.h"

namespace xbarmc::cli {

void add_validate_command(CLI::App& app) {
  auto* sub =
      app.add_subcommand("validate", "Check a config and print it with every default resolved");
  sub->callback([] { throw Error("'xbarmc validate' is not available in this build yet"); });
}

}  // namespace xbarmc::cli
