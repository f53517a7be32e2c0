#include <tbb/global_control.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "xbarmc/cli/commands.h"
#include "xbarmc/config/node.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/nn/train.h"
#include "xbarmc/util/error.h"

namespace xbarmc::cli {

namespace {
struct TrainOptions {
  std::string config;
  std::string output;
  std::vector<std::string> overrides;
  bool quiet = false;
  int threads = 0;
};

void run_train(const TrainOptions& o) {
  std::unique_ptr<tbb::global_control> limit;
  if (o.threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                  static_cast<std::size_t>(o.threads));
  config::Json json = config::load_json_file(o.config);
  for (const auto& s : o.overrides) config::apply_override(json, s);
  nn::TrainConfig cfg = nn::parse_train_config(json);
  if (!o.output.empty()) cfg.output = o.output;
  const data::Dataset train = data::load_dataset(cfg.dataset);
  const data::Dataset test = data::load_dataset(cfg.test_dataset);
  if (!o.quiet) {
    std::cerr << "train: " << train.count << " samples (" << train.description << ")\n"
              << "test:  " << test.count << " samples (" << test.description << ")\n"
              << "optimizer: " << cfg.optimizer.describe() << ", " << cfg.epochs
              << " epochs, batch " << cfg.batch_size << ", seed " << cfg.seed << "\n";
  }
  nn::TrainingMetadata meta;
  const nn::Network net = nn::train_network(cfg, train, test, meta, [&](const nn::EpochReport& r) {
    if (o.quiet) return;
    char line[160];
    std::snprintf(line, sizeof line,
                  "epoch %3zu/%zu  loss %.4f  train acc %.4f  test acc %.4f  %.1f s\n", r.epoch,
                  r.epochs, r.loss, r.train_accuracy, r.test_accuracy, r.seconds);
    std::cerr << line << std::flush;
  });
  if (!o.quiet) std::cerr << net.describe();
  nn::save_network(net, cfg.output, &meta);
  char acc[32];
  std::snprintf(acc, sizeof acc, "%.4f", *meta.test_accuracy);
  std::cout << "wrote " << cfg.output << "\ntest_accuracy " << acc << " (" << test.count
            << " samples), training time " << static_cast<int>(meta.train_time_s + 0.5) << " s\n";
}
}  // namespace

void add_train_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "train", "Train a network from a training config and write it as an HDF5 network file");
  auto opts = std::make_shared<TrainOptions>();
  sub->add_option("config", opts->config,
                  "Training config (JSON), e.g. configs/networks/fashion_mlp.json")
      ->required();
  sub->add_option("-o,--output", opts->output,
                  "Network file to write (default: the config's \"output\")");
  sub->add_option("--set", opts->overrides,
                  "Override a config value: /json/pointer=value (repeatable)");
  sub->add_option("--threads", opts->threads,
                  "Threads for the mini-batch shards (0 = all cores); results do not depend on it")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--quiet", opts->quiet, "No progress on stderr");
  sub->callback([opts] { run_train(*opts); });
}

}  // namespace xbarmc::cli
