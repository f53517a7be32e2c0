#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "xbarmc/cli/commands.h"
#include "xbarmc/io/results.h"
#include "xbarmc/io/summary_format.h"

namespace xbarmc::cli {

void add_summary_command(CLI::App& app) {
  struct Args {
    std::string path;
    bool json = false, csv = false;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("summary", "Print the summary statistics of a results file");
  sub->add_option("results", args->path, "Results file (HDF5)")->required();
  auto* json = sub->add_flag("--json", args->json, "JSON output");
  sub->add_flag("--csv", args->csv, "CSV output, one row per point, cycle and time")
      ->excludes(json);
  sub->callback([args] {
    const auto s = io::read_summary(args->path);
    std::cout << (args->json  ? io::summary_json(s)
                  : args->csv ? io::summary_csv(s)
                              : io::summary_table(s));
  });
}

}  // namespace xbarmc::cli
