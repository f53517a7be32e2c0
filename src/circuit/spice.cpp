#include "xbarmc/circuit/spice.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "xbarmc/circuit/tile_solver.h"
#include "xbarmc/circuit/topology.h"
#include "xbarmc/util/error.h"

namespace xbarmc::circuit {

namespace {

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// printf-style name (also avoids GCC 12's false -Wrestrict on chained string +).
std::string label(const char* prefix, int a, int b = -1) {
  char buf[48];
  if (b < 0)
    std::snprintf(buf, sizeof buf, "%s%d", prefix, a);
  else
    std::snprintf(buf, sizeof buf, "%s%d_%d", prefix, a, b);
  return buf;
}

// Readable node names; merged nodes (zero resistance) get the merged name.
std::vector<std::string> node_names(const TileTopology& t) {
  const CircuitParams& p = t.params();
  std::vector<std::string> name(t.num_nodes());
  for (int i = 0; i < t.rows(); ++i)
    for (int j = 0; j < t.cols(); ++j) {
      name[t.row_node(i, j)] = p.r_wire_row_ohm > 0 ? label("r", i, j) : label("row", i);
      name[t.col_node(i, j)] = p.r_wire_col_ohm > 0 ? label("c", i, j) : label("col", j);
    }
  if (p.r_driver_ohm > 0)
    for (int i = 0; i < t.rows(); ++i) name[t.input_node(i)] = label("in", i);
  if (p.r_sense_ohm > 0)
    for (int j = 0; j < t.cols(); ++j) name[t.output_node(j)] = label("out", j);
  return name;
}

const char* prefix(ElementKind k) {
  switch (k) {
    case ElementKind::Device:
      return "RG";
    case ElementKind::RowWire:
      return "RW";
    case ElementKind::ColWire:
      return "RC";
    case ElementKind::Driver:
      return "RD";
    case ElementKind::Sense:
      return "RS";
  }
  return "R";
}

}  // namespace

Eigen::VectorXd spice_default_input_V(int rows) {
  Eigen::VectorXd v(rows);
  for (int i = 0; i < rows; ++i) v[i] = 0.1 * (1 + i % 4);
  return v;
}

std::string spice_netlist(const Eigen::MatrixXd& g_uS, const Eigen::VectorXd& v_in_V,
                          const CircuitParams& p, const std::string& title) {
  const TileTopology t(static_cast<int>(g_uS.rows()), static_cast<int>(g_uS.cols()), p);
  check_conductances(g_uS, t.rows(), t.cols(), "spice_netlist");
  if (v_in_V.size() != t.rows())
    throw InputError("spice_netlist: " + std::to_string(v_in_V.size()) +
                     " input voltages for a tile of " + std::to_string(t.rows()) + " rows");
  const std::vector<std::string> name = node_names(t);
  std::ostringstream out;
  // The first line of a SPICE deck is its title; keep it to one line.
  std::string first = title.empty() ? "xbarmc tile" : title;
  for (char& c : first)
    if (c == '\n' || c == '\r') c = ' ';
  out << first << "\n"
      << "* xbarmc crossbar tile, " << t.rows() << " rows x " << t.cols() << " columns\n"
      << "* r_wire_row_ohm=" << num(p.r_wire_row_ohm) << " r_wire_col_ohm=" << num(p.r_wire_col_ohm)
      << " r_driver_ohm=" << num(p.r_driver_ohm) << " r_sense_ohm=" << num(p.r_sense_ohm) << "\n"
      << "* row i driven at column 0 (source V<i>, driver RD<i>); column j read at row "
      << t.rows() - 1 << " (sense RS<j>, 0 V source vsense<j> to ground)\n"
      << "* I(vsense<j>) is the column current in A, positive for positive inputs\n";
  for (const Element& e : t.elements()) {
    const double g = t.conductance_uS(e, g_uS);
    const std::string id = e.kind == ElementKind::Driver  ? label(prefix(e.kind), e.i)
                           : e.kind == ElementKind::Sense ? label(prefix(e.kind), e.j)
                                                          : label(prefix(e.kind), e.i, e.j);
    if (g == 0.0) {
      out << "* " << id << " omitted: device conductance 0 (open)\n";
      continue;
    }
    // Fixed elements are written with the configured resistance itself (no
    // round trip through 1/r); devices as 1/g.
    const double r_ohm = e.kind == ElementKind::Device    ? 1e6 / g
                         : e.kind == ElementKind::RowWire ? p.r_wire_row_ohm
                         : e.kind == ElementKind::ColWire ? p.r_wire_col_ohm
                         : e.kind == ElementKind::Driver  ? p.r_driver_ohm
                                                          : p.r_sense_ohm;
    out << id << " " << name[e.a] << " " << name[e.b] << " " << num(r_ohm) << "\n";
  }
  for (int i = 0; i < t.rows(); ++i)
    out << "V" << i << " " << name[t.input_node(i)] << " 0 DC " << num(v_in_V[i]) << "\n";
  for (int j = 0; j < t.cols(); ++j)
    out << "vsense" << j << " " << name[t.output_node(j)] << " 0 DC 0\n";
  out << ".op\n.end\n";
  return out.str();
}

void write_spice_tile(const std::string& cir_path, const std::string& csv_path,
                      const Eigen::MatrixXd& g_uS, const Eigen::VectorXd& v_in_V,
                      const CircuitParams& p, const std::string& title) {
  const std::string netlist = spice_netlist(g_uS, v_in_V, p, title);
  const Eigen::VectorXd current = column_currents_A(g_uS, v_in_V, p);
  std::ofstream cir(cir_path);
  cir << netlist;
  cir.close();
  if (!cir) throw IoError("cannot write SPICE netlist '" + cir_path + "'");
  std::ofstream csv(csv_path);
  csv << "column,current_A\n";
  for (Eigen::Index j = 0; j < current.size(); ++j) csv << j << "," << num(current[j]) << "\n";
  csv.close();
  if (!csv) throw IoError("cannot write column currents '" + csv_path + "'");
}

}  // namespace xbarmc::circuit
