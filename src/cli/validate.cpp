#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "xbarmc/cli/commands.h"
#include "xbarmc/study/study.h"

namespace xbarmc::cli {

void add_validate_command(CLI::App& app) {
  struct Args {
    std::string config;
    std::vector<std::string> sets;
  };
  auto args = std::make_shared<Args>();
  auto* sub =
      app.add_subcommand("validate", "Check a config and print it with every default resolved");
  sub->add_option("config", args->config, "study::Study config (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--set", args->sets, "Override a config value: /json/pointer=value (repeatable)");
  sub->callback([args] {
    const study::Study study = study::load_study(args->config, args->sets);
    std::cout << study.resolved.dump(2) << "\n";
    std::cerr << "valid: " << study.points.size() << " point(s), " << study.monte_carlo.instances
              << " instances each\n";
  });
}

}  // namespace xbarmc::cli
