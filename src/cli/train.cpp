#include <CLI/CLI.hpp>

#include "xbarmc/cli/commands.h"
#include "xbarmc/error.h"

namespace xbarmc::cli {

void add_train_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "train", "Train a network from a training config and write it as an HDF5 network file");
  sub->callback([] { throw Error("'xbarmc train' is not available in this build yet"); });
}

}  // namespace xbarmc::cli
