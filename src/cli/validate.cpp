#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "xbarmc/cli/commands.h"
#include "xbarmc/study/open_study.h"
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
    // The inputs as `run` opens them: network, test set (limited) and probe batch must load and
    // fit together. A network that does not exist yet (to be trained or written later) is
    // reported, not an error: configs are validated before their networks are made.
    if (!std::filesystem::exists(study.network.path)) {
      std::cerr << "note: network " << study.network.path << " does not exist yet"
                << (study.network.train_config.empty()
                        ? std::string("; run needs it")
                        : "; `xbarmc train " + study.network.train_config + "` makes it")
                << " (inputs not checked)\n";
      return;
    }
    const study::OpenStudy opened = study::open_study(study);
    std::cerr << "inputs: network " << opened.network.name() << " ("
              << opened.network.num_weight_layers() << " weight layers), " << opened.test.count
              << " test samples, probe batch of " << opened.probe.rows() << "\n";
  });
}

}  // namespace xbarmc::cli
