#include "xbarmc/circuit/topology.h"

#include <cmath>
#include <string>

#include "xbarmc/util/error.h"

namespace xbarmc::circuit {

namespace {
void check_resistance(double r, const char* name) {
  if (!(std::isfinite(r) && r >= 0))
    throw InputError(std::string("circuit: ") + name + " must be finite and >= 0, got " +
                     std::to_string(r));
}

template <class Matrix>
void check_impl(const Matrix& g, int rows, int cols, const char* what) {
  if (g.rows() != rows || g.cols() != cols)
    throw InputError(std::string(what) + ": conductance matrix is " + std::to_string(g.rows()) +
                     "x" + std::to_string(g.cols()) + ", expected " + std::to_string(rows) + "x" +
                     std::to_string(cols));
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i)
      if (!(std::isfinite(g(i, j)) && g(i, j) >= 0))
        throw InputError(std::string(what) + ": conductance of cell (" + std::to_string(i) + "," +
                         std::to_string(j) + ") must be finite and >= 0 uS, got " +
                         std::to_string(g(i, j)));
}
}  // namespace

void check_conductances(const Eigen::Ref<const Eigen::MatrixXd>& g_uS, int rows, int cols,
                        const char* what) {
  check_impl(g_uS, rows, cols, what);
}
void check_conductances(const Eigen::Ref<const Eigen::MatrixXf>& g_uS, int rows, int cols,
                        const char* what) {
  check_impl(g_uS, rows, cols, what);
}

TileTopology::TileTopology(int rows, int cols, const CircuitParams& p)
    : rows_(rows), cols_(cols), p_(p) {
  if (rows < 1 || cols < 1)
    throw InputError("circuit: tile must have at least one row and one column, got " +
                     std::to_string(rows) + "x" + std::to_string(cols));
  check_resistance(p.r_wire_row_ohm, "r_wire_row_ohm");
  check_resistance(p.r_wire_col_ohm, "r_wire_col_ohm");
  check_resistance(p.r_driver_ohm, "r_driver_ohm");
  check_resistance(p.r_sense_ohm, "r_sense_ohm");
  n_row_nodes_ = p.r_wire_row_ohm > 0 ? rows * cols : rows;
  n_col_nodes_ = p.r_wire_col_ohm > 0 ? rows * cols : cols;
  num_nodes_ = n_row_nodes_ + n_col_nodes_ + (p.r_driver_ohm > 0 ? rows : 0) +
               (p.r_sense_ohm > 0 ? cols : 0);
  terminal_.assign(num_nodes_, 0);
  for (int i = 0; i < rows; ++i) terminal_[input_node(i)] = 1;
  for (int j = 0; j < cols; ++j) terminal_[output_node(j)] = 1;

  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      elements_.push_back({row_node(i, j), col_node(i, j), ElementKind::Device, i, j});
  if (p.r_wire_row_ohm > 0)
    for (int i = 0; i < rows; ++i)
      for (int j = 1; j < cols; ++j)
        elements_.push_back({row_node(i, j - 1), row_node(i, j), ElementKind::RowWire, i, j});
  if (p.r_wire_col_ohm > 0)
    for (int i = 1; i < rows; ++i)
      for (int j = 0; j < cols; ++j)
        elements_.push_back({col_node(i - 1, j), col_node(i, j), ElementKind::ColWire, i, j});
  if (p.r_driver_ohm > 0)
    for (int i = 0; i < rows; ++i)
      elements_.push_back({input_node(i), row_node(i, 0), ElementKind::Driver, i, 0});
  if (p.r_sense_ohm > 0)
    for (int j = 0; j < cols; ++j)
      elements_.push_back({col_node(rows - 1, j), output_node(j), ElementKind::Sense, rows - 1, j});
}

double TileTopology::fixed_conductance_uS(ElementKind kind) const {
  // 1 / R in uS; zero resistances never produce elements (their nodes are merged).
  switch (kind) {
    case ElementKind::RowWire:
      return 1e6 / p_.r_wire_row_ohm;
    case ElementKind::ColWire:
      return 1e6 / p_.r_wire_col_ohm;
    case ElementKind::Driver:
      return 1e6 / p_.r_driver_ohm;
    case ElementKind::Sense:
      return 1e6 / p_.r_sense_ohm;
    case ElementKind::Device:
      break;
  }
  throw InputError("circuit: a device has no fixed conductance");
}

}  // namespace xbarmc::circuit
