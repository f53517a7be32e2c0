#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "xbarmc/cli/commands.h"
#include "xbarmc/device/params.h"
#include "xbarmc/fit/fit.h"
#include "xbarmc/fit/synth.h"
#include "xbarmc/util/error.h"

namespace xbarmc::cli {

void add_fit_command(CLI::App& app) {
  struct Args {
    std::string input, output, report, model = "table", criterion = "bic", name;
    double confidence = 0.95, g_min_uS = -1, g_max_uS = -1, drift_t0_s = 1;
    int order = -1;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand(
      "fit",
      "Fit a device model to measurements (CSV, docs/device-fit.md) and write a device config");
  sub->add_option("measurements", args->input, "Measurement CSV")->required();
  sub->add_option("-o,--output", args->output, "Device config to write (JSON)")->required();
  sub->add_option("--report", args->report,
                  "Folder for fit_report.json (draw it with plots/fit_report.py)");
  sub->add_option("--model", args->model, "table (per level) or parametric (polynomials)")
      ->check(CLI::IsMember({"table", "parametric"}));
  sub->add_option("--confidence", args->confidence, "Two-sided confidence level of the intervals")
      ->check(CLI::Range(0.5, 0.9999));
  sub->add_option("--order", args->order,
                  "Parametric: polynomial order of sigma(x) (default: chosen by --criterion)")
      ->check(CLI::Range(0, 6));
  sub->add_option("--criterion", args->criterion, "Parametric: order chosen by bic or aic")
      ->check(CLI::IsMember({"bic", "aic"}));
  sub->add_option("--g-min-uS", args->g_min_uS, "Device g_min (default: lowest target)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--g-max-uS", args->g_max_uS, "Device g_max (default: highest target)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--drift-t0-s", args->drift_t0_s,
                  "Drift reference time when the first read is at t = 0 (t_eff = t + t0)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--name", args->name, "Device name (default: the output file's stem)");
  sub->callback([args] {
    const fit::Measurements m = fit::load_measurements(args->input);
    fit::FitOptions o;
    o.model = args->model == "table" ? fit::ModelKind::Table : fit::ModelKind::Parametric;
    o.level = args->confidence;
    o.poly_order = args->order;
    o.use_bic = args->criterion == "bic";
    o.g_min_uS = args->g_min_uS;
    o.g_max_uS = args->g_max_uS;
    o.drift_t0_s = args->drift_t0_s;
    o.name = args->name.empty() ? std::filesystem::path(args->output).stem().string() : args->name;
    const fit::FitResult r = fit::fit_measurements(m, o);
    fit::write_device_json(r, args->output);
    if (!args->report.empty()) fit::write_report_data(r, args->report);
    for (const auto& w : r.warnings) std::cerr << "xbarmc fit: warning: " << w << "\n";
    std::cerr << "fitted " << r.levels.size() << " levels from " << r.rows_used << " of " << r.rows
              << " rows (" << r.devices - (r.stuck_min + r.stuck_max + r.erratic) << " of "
              << r.devices << " devices; " << r.stuck_min << " stuck at g_min, " << r.stuck_max
              << " at g_max, " << r.erratic << " erratic) -> " << args->output << "\n";
  });
}

void add_fit_synth_command(CLI::App& app) {
  struct Args {
    std::string device, output;
    std::vector<double> targets_uS, times_s = {0};
    std::size_t rows = 4, cols = 8;
    std::uint32_t cycles = 8, reads = 1;
    std::uint64_t seed = 1, instance = 0;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand(
      "fit-synth", "Write synthetic measurements (CSV) drawn from a device config's stages");
  sub->add_option("device", args->device, "Device config (JSON, as in configs/devices)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("-o,--output", args->output, "CSV to write")->required();
  sub->add_option("--targets-uS", args->targets_uS, "Target levels (uS)")->required();
  sub->add_option("--times-s", args->times_s, "Read times after programming (s)");
  sub->add_option("--rows", args->rows, "Device array rows")->check(CLI::Range(1, 4096));
  sub->add_option("--cols", args->cols, "Device array columns")->check(CLI::Range(1, 4096));
  sub->add_option("--cycles", args->cycles, "Programmings per device")->check(CLI::Range(1, 10000));
  sub->add_option("--reads", args->reads, "Repeated reads per time")->check(CLI::Range(1, 1000));
  sub->add_option("--seed", args->seed, "Random seed");
  sub->add_option("--instance", args->instance, "Chip instance");
  sub->callback([args] {
    config::Diagnostics diag;
    const auto path = std::filesystem::absolute(args->device);
    const config::Json doc{{"preset_file", path.filename().string()}};
    config::Node node(doc, "/device", diag, nullptr);
    device::DeviceParams p;
    device::parse_device(node, p, path.parent_path());
    diag.throw_if_any();
    fit::SynthDesign d;
    d.rows = args->rows;
    d.cols = args->cols;
    d.targets_uS = args->targets_uS;
    d.cycles = args->cycles;
    d.times_s = args->times_s;
    d.reads = args->reads;
    d.seed = args->seed;
    d.instance = args->instance;
    fit::write_measurements_csv(fit::synthesize(p, d), args->output);
  });
}

}  // namespace xbarmc::cli
