// xbarmc's column currents against ngspice's operating point of the exported
// netlist (an independent solver: ngspice's sparse LU on the full circuit).
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tile_helpers.h"
#include "xbarmc/circuit/spice.h"
#include "xbarmc/circuit/tile_solver.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::circuit {
namespace {

namespace fs = std::filesystem;

struct Spice {
  bool ok = false;
  std::string error;
  std::map<std::string, double> values;  // raw-file variable name -> value
};

// Runs `ngspice -b` on `cir` with an ASCII raw file (full double precision; the
// printed operating point has only 7 digits) and reads every variable.
Spice run_ngspice(const fs::path& dir, const std::string& cir) {
  Spice s;
  const fs::path raw = dir / "out.raw";
  const std::string cmd = "cd '" + dir.string() + "' && SPICE_ASCIIRAWFILE=1 ngspice -b -r '" +
                          raw.string() + "' '" + cir + "' > ngspice.log 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    s.error = "running ngspice failed (exit status " + std::to_string(rc) +
              "); ngspice must be installed for this test: " + cmd;
    return s;
  }
  std::ifstream in(raw);
  if (!in) {
    s.error = "ngspice wrote no raw file " + raw.string();
    return s;
  }
  std::string line;
  int n_vars = -1;
  std::vector<std::string> names;
  while (std::getline(in, line)) {
    if (line.rfind("No. Variables:", 0) == 0) n_vars = std::stoi(line.substr(14));
    if (line == "Variables:") {
      for (int k = 0; k < n_vars && std::getline(in, line); ++k) {
        std::istringstream ls(line);
        std::string idx, name;
        ls >> idx >> name;
        names.push_back(name);
      }
    }
    if (line == "Values:") {
      std::string point;
      in >> point;
      for (const std::string& name : names) in >> s.values[name];
      s.ok = n_vars > 0 && static_cast<int>(s.values.size()) == n_vars;
      if (!s.ok) s.error = "could not parse raw file " + raw.string();
      return s;
    }
  }
  s.error = "raw file " + raw.string() + " has no values";
  return s;
}

// A per-process scratch directory (several test processes may run at once).
fs::path scratch_dir(const std::string& tag) {
  return fs::temp_directory_path() /
         ("xbarmc_ngspice_" + tag + "_" + std::to_string(static_cast<long>(::getpid())));
}

struct Case {
  int n;
  double r_row, r_col, r_drv, r_sense;
};

TEST(Ngspice, ColumnCurrentsMatchOperatingPoint) {
  // Acceptance: random tiles with conductances in [1, 100] uS and wire
  // resistance between 0.5 and 10 ohm; relative error <= 1e-6 per column.
  const std::vector<Case> cases = {
      {8, 10.0, 0.5, 0, 0}, {8, 2.0, 3.0, 50, 25}, {32, 0.5, 10.0, 10, 0}, {64, 4.0, 1.0, 0, 20}};
  const fs::path dir = scratch_dir("op");
  fs::create_directories(dir);
  std::uint64_t seed = 500;
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << c.n << "x" << c.n << " r_row=" << c.r_row << " r_col=" << c.r_col);
    const Eigen::MatrixXd g = test::random_tile(c.n, c.n, ++seed);
    CircuitParams p;
    p.r_wire_row_ohm = c.r_row;
    p.r_wire_col_ohm = c.r_col;
    p.r_driver_ohm = c.r_drv;
    p.r_sense_ohm = c.r_sense;
    const Eigen::VectorXd v = spice_default_input_V(c.n);
    write_spice_tile((dir / "tile.cir").string(), (dir / "tile.csv").string(), g, v, p,
                     "ngspice cross-check");
    const Spice s = run_ngspice(dir, "tile.cir");
    ASSERT_TRUE(s.ok) << s.error;
    const Eigen::VectorXd mine = column_currents_A(g, v, p);
    // The CSV beside the netlist holds the same prediction.
    std::ifstream csv(dir / "tile.csv");
    std::string header;
    std::getline(csv, header);
    EXPECT_EQ(header, "column,current_A");
    for (int j = 0; j < c.n; ++j) {
      const auto it = s.values.find("i(vsense" + std::to_string(j) + ")");
      ASSERT_NE(it, s.values.end()) << "ngspice reported no current for vsense" << j;
      EXPECT_NEAR(mine[j], it->second, 1e-6 * std::abs(it->second)) << "column " << j;
      std::string row;
      ASSERT_TRUE(std::getline(csv, row));
      EXPECT_EQ(row.substr(0, row.find(',')), std::to_string(j));
      EXPECT_DOUBLE_EQ(std::stod(row.substr(row.find(',') + 1)), mine[j]);
    }
    // Strong enough line resistance that the check is not against the ideal G^T V.
    const Eigen::VectorXd ideal = 1e-6 * (g.transpose() * v);
    EXPECT_GT((ideal - mine).norm() / mine.norm(), 1e-4);
  }
  fs::remove_all(dir);
}

TEST(Ngspice, NetlistWithZeroResistancesMergesNodes) {
  // Zero driver/sense and zero column wire: merged nodes, still the same currents.
  const fs::path dir = scratch_dir("merged");
  fs::create_directories(dir);
  const Eigen::MatrixXd g = test::random_tile(6, 9, 7);
  CircuitParams p;
  p.r_wire_row_ohm = 5.0;
  const Eigen::VectorXd v = spice_default_input_V(6);
  write_spice_tile((dir / "z.cir").string(), (dir / "z.csv").string(), g, v, p, "zero r");
  const Spice s = run_ngspice(dir, "z.cir");
  ASSERT_TRUE(s.ok) << s.error;
  const Eigen::VectorXd mine = column_currents_A(g, v, p);
  for (int j = 0; j < 9; ++j)
    EXPECT_NEAR(mine[j], s.values.at("i(vsense" + std::to_string(j) + ")"), 1e-6 * mine[j]);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace xbarmc::circuit
