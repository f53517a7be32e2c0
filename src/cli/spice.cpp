#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>
#include "xbarmc/util/eigen.h"

#include "xbarmc/chip/instance_tile.h"
#include "xbarmc/circuit/params.h"
#include "xbarmc/circuit/spice.h"
#include "xbarmc/cli/commands.h"
#include "xbarmc/config/node.h"
#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/study/open_study.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/version.h"

namespace xbarmc::cli {

namespace {

struct SpiceOptions {
  std::string
      config;  // study config (instance mode) or any JSON with a "/circuit" object (-g mode)
  chip::TileAddress address;
  std::vector<std::string> overrides;
  std::string conductances;  // CSV, rows x cols, uS
  std::string inputs;        // CSV of row voltages, V (optional)
  std::string out = "tile.cir";
  std::string title;
};

// Numbers separated by commas/whitespace, one matrix row per line; '#' starts a comment.
std::vector<std::vector<double>> read_csv_numbers(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read '" + path + "'");
  std::vector<std::vector<double>> rows;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    line = line.substr(0, line.find('#'));
    for (char& c : line)
      if (c == ',' || c == ';' || c == '\t') c = ' ';
    std::istringstream ls(line);
    std::vector<double> row;
    std::string tok;
    while (ls >> tok) {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(tok, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != tok.size())
        throw IoError(path + ":" + std::to_string(line_no) + ": not a number: '" + tok + "'");
      row.push_back(v);
    }
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

Eigen::MatrixXd read_conductances(const std::string& path) {
  const auto rows = read_csv_numbers(path);
  if (rows.empty()) throw IoError("'" + path + "' holds no conductances");
  Eigen::MatrixXd g(rows.size(), rows[0].size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != rows[0].size())
      throw IoError("'" + path + "': row " + std::to_string(i + 1) + " has " +
                    std::to_string(rows[i].size()) + " values, the first has " +
                    std::to_string(rows[0].size()));
    for (std::size_t j = 0; j < rows[i].size(); ++j) g(i, j) = rows[i][j];
  }
  return g;
}

//! Instance mode: the tile as chip instance `o.address` has it in the study's Monte Carlo run.
void run_spice_instance(const SpiceOptions& o) {
  if (o.config.empty()) throw ConfigError("", "xbarmc spice needs a study CONFIG (or -g G.csv)");
  const study::OpenStudy opened = study::open_study(o.config, o.overrides);
  const study::Study& study = opened.study;
  const Eigen::MatrixXd g =
      chip::instance_tile_conductances(study, opened.network, opened.probe, o.address)
          .cast<double>();
  const auto& a = o.address;
  const circuit::CircuitParams& p = study.points[a.point].circuit;
  char title[256];
  std::snprintf(
      title, sizeof title,
      "xbarmc %s: study %s point %zu instance %llu cycle %u time %g s layer %zu tile %zu (%ldx%ld)",
      version_string(), study.name.c_str(), a.point, static_cast<unsigned long long>(a.instance),
      a.cycle, study.monte_carlo.times_s[a.time_index], a.layer, a.tile,
      static_cast<long>(g.rows()), static_cast<long>(g.cols()));
  const Eigen::VectorXd v = circuit::spice_default_input_V(static_cast<int>(g.rows()));
  const std::string csv = std::filesystem::path(o.out).replace_extension(".csv").string();
  circuit::write_spice_tile(o.out, csv, g, v, p, title);
  std::cerr << "wrote " << o.out << " and " << csv << " (" << g.rows() << "x" << g.cols()
            << " tile); check with: ngspice -b " << o.out << "\n";
}

void run_spice(const SpiceOptions& o) {
  if (o.conductances.empty()) {
    run_spice_instance(o);
    return;
  }
  config::Json doc = o.config.empty() ? config::Json::object() : config::load_json_file(o.config);
  for (const std::string& s : o.overrides) config::apply_override(doc, s);
  config::Diagnostics diag;
  config::Node root(doc, "", diag, nullptr);
  config::Node node = root.child("circuit");
  circuit::CircuitParams p;
  circuit::parse_circuit(node, p);
  diag.throw_if_any();

  const Eigen::MatrixXd g = read_conductances(o.conductances);
  Eigen::VectorXd v = circuit::spice_default_input_V(static_cast<int>(g.rows()));
  if (!o.inputs.empty()) {
    std::vector<double> flat;
    for (const auto& row : read_csv_numbers(o.inputs))
      flat.insert(flat.end(), row.begin(), row.end());
    if (flat.size() != static_cast<std::size_t>(g.rows()))
      throw IoError("'" + o.inputs + "' holds " + std::to_string(flat.size()) +
                    " input voltages, the tile has " + std::to_string(g.rows()) + " rows");
    v = Eigen::Map<const Eigen::VectorXd>(flat.data(), g.rows());
  }
  const std::string csv = std::filesystem::path(o.out).replace_extension(".csv").string();
  circuit::write_spice_tile(o.out, csv, g, v, p,
                            o.title.empty() ? "xbarmc tile from " + o.conductances : o.title);
  std::cerr << "wrote " << o.out << " and " << csv << " (" << g.rows() << "x" << g.cols()
            << " tile); check with: ngspice -b " << o.out << "\n";
}

}  // namespace

void add_spice_command(CLI::App& app) {
  auto opt = std::make_shared<SpiceOptions>();
  auto* sub = app.add_subcommand(
      "spice",
      "Write an ngspice netlist of one tile and xbarmc's predicted column currents beside it");
  sub->add_option(
      "config", opt->config,
      "study::Study config: exports tile --tile of layer --layer of chip --instance at sweep point "
      "--point, cycle --cycle, read time --time-index, after every device stage. With -g, "
      "any JSON whose \"/circuit\" object sets the resistances");
  auto& a = opt->address;
  sub->add_option("--point", a.point, "Sweep point (default 0)");
  sub->add_option("--instance", a.instance, "chip::Chip instance (default 0)");
  sub->add_option("--cycle", a.cycle, "Programming cycle (default 0)");
  sub->add_option("--time-index", a.time_index, "Index into /monte_carlo/times_s (default 0)");
  sub->add_option("--layer", a.layer, "Weight layer (default 0)");
  sub->add_option("--tile", a.tile, "Tile of the layer, row-major over its tile grid (default 0)");
  sub->add_option("--set", opt->overrides, "Override a config value: /circuit/r_wire_ohm=1");
  sub->add_option(
      "--conductances,-g", opt->conductances,
      "Instead of a chip instance: CSV of device conductances in uS, one line per row (input)");
  sub->add_option("--inputs", opt->inputs,
                  "Row voltages in V (default 0.1*(1 + i mod 4) V for row i)");
  sub->add_option("-o,--output", opt->out, "Netlist path; the currents go to the same name .csv");
  sub->add_option("--title", opt->title, "First line of the netlist");
  sub->callback([opt] { run_spice(*opt); });
}

}  // namespace xbarmc::cli
