#include "xbarmc/cli/app.h"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "xbarmc/cli/commands.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/version.h"

namespace xbarmc::cli {

namespace {
void print_version() {
  std::cout << "xbarmc " << version_string() << " (git " << git_sha() << ", " << build_type()
            << ")\ncompiler " << compiler_string() << "\n"
            << dependency_versions();
}
}  // namespace

int run_main(int argc, char** argv) {
  CLI::App app{"xbarmc: Monte Carlo variability analysis of analog in-memory-computing crossbars"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print version, git sha, compiler and dependency versions");
  add_validate_command(app);
  add_run_command(app);
  add_train_command(app);
  add_summary_command(app);
  add_merge_command(app);
  add_spice_command(app);
  add_fit_command(app);
  add_fit_synth_command(app);
  add_import_command(app);
  try {
    try {
      app.parse(argc, argv);  // subcommand callbacks run inside parse
    } catch (const CLI::ParseError& e) {
      return app.exit(e) == 0 ? 0 : static_cast<int>(ExitCode::Usage);
    }
    if (version) {
      print_version();
      return 0;
    }
    if (app.get_subcommands().empty()) std::cout << app.help();
    return 0;
  } catch (const ConfigError& e) {
    std::cerr << "xbarmc: configuration error" << (e.issues().size() > 1 ? "s" : "") << ":\n";
    for (const auto& issue : e.issues())
      std::cerr << "  " << (issue.pointer.empty() ? "/" : issue.pointer) << ": " << issue.message
                << "\n";
    return static_cast<int>(ExitCode::Usage);
  } catch (const Error& e) {
    std::cerr << "xbarmc: error: " << e.what() << "\n";
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::cerr << "xbarmc: internal error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::Io);
  }
}

}  // namespace xbarmc::cli
