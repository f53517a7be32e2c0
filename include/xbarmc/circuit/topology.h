#pragma once
//! \file circuit/topology.h
//! Nodes and two-terminal elements of one tile's resistive network.
//!
//! Geometry (docs/line-resistance.md has the drawing): row i is driven at its
//! column-0 end; the device of cell (i,j) joins row node (i,j) to column node
//! (i,j); column j is read at its row-(rows-1) end into a virtual ground. A zero
//! resistance merges the nodes it would join (no infinite conductances): with
//! r_wire_row = 0 a row is one node, with r_driver = 0 the input terminal is
//! row node (i,0), and likewise for columns and the sense resistance.

#include <vector>
#include "xbarmc/util/eigen.h"

#include "xbarmc/circuit/params.h"

namespace xbarmc::circuit {

//! What a network element is.
enum class ElementKind {
  Device,   //!< memory device of cell (i,j): row node (i,j) -- column node (i,j)
  RowWire,  //!< row segment between cells (i,j-1) and (i,j)
  ColWire,  //!< column segment between cells (i-1,j) and (i,j)
  Driver,   //!< input terminal of row i -- row node (i,0)
  Sense     //!< column node (rows-1,j) -- output terminal of column j
};

//! One two-terminal element. (i, j) is the cell it belongs to: the device's cell,
//! the cell at the end of a wire segment farther from the driver / nearer the
//! sense end (j >= 1 for RowWire, i >= 1 for ColWire), (i, 0) for a driver and
//! (rows-1, j) for a sense resistance.
struct Element {
  int a = 0;                               //!< first node id
  int b = 0;                               //!< second node id
  ElementKind kind = ElementKind::Device;  //!< element type
  int i = 0;                               //!< owning cell row
  int j = 0;                               //!< owning cell column
};

//! Node numbering and element list of a rows x cols tile with given resistances.
class TileTopology {
 public:
  //! Throws InputError for non-positive sizes or negative/non-finite resistances.
  TileTopology(int rows, int cols, const CircuitParams& p);

  [[nodiscard]] int rows() const { return rows_; }                  //!< input lines
  [[nodiscard]] int cols() const { return cols_; }                  //!< output lines
  [[nodiscard]] int num_nodes() const { return num_nodes_; }        //!< distinct nodes
  [[nodiscard]] const CircuitParams& params() const { return p_; }  //!< resistances
  //! Node id of row-wire node (i,j).
  [[nodiscard]] int row_node(int i, int j) const {
    return p_.r_wire_row_ohm > 0 ? i * cols_ + j : i;
  }
  //! Node id of column-wire node (i,j).
  [[nodiscard]] int col_node(int i, int j) const {
    return n_row_nodes_ + (p_.r_wire_col_ohm > 0 ? i * cols_ + j : j);
  }
  //! Node held at the input voltage of row i (the source's node).
  [[nodiscard]] int input_node(int i) const {
    return p_.r_driver_ohm > 0 ? n_row_nodes_ + n_col_nodes_ + i : row_node(i, 0);
  }
  //! Node held at 0 V whose current into ground is the output of column j.
  [[nodiscard]] int output_node(int j) const {
    return p_.r_sense_ohm > 0 ? n_row_nodes_ + n_col_nodes_ + (p_.r_driver_ohm > 0 ? rows_ : 0) + j
                              : col_node(rows_ - 1, j);
  }
  //! True for input and output nodes (fixed voltages).
  [[nodiscard]] bool is_terminal(int node) const { return terminal_[node] != 0; }
  //! Every element; devices first in row-major cell order.
  [[nodiscard]] const std::vector<Element>& elements() const { return elements_; }
  //! Conductance of a non-device element, uS (wires, driver, sense).
  [[nodiscard]] double fixed_conductance_uS(ElementKind kind) const;
  //! Conductance of element `e`, uS; devices read `g_uS(e.i, e.j)`.
  template <class Matrix>
  [[nodiscard]] double conductance_uS(const Element& e, const Matrix& g_uS) const {
    return e.kind == ElementKind::Device ? static_cast<double>(g_uS(e.i, e.j))
                                         : fixed_conductance_uS(e.kind);
  }

 private:
  int rows_;
  int cols_;
  CircuitParams p_;
  int n_row_nodes_ = 0;
  int n_col_nodes_ = 0;
  int num_nodes_ = 0;
  std::vector<char> terminal_;
  std::vector<Element> elements_;
};

//! Throws InputError unless g_uS is rows x cols with finite entries >= 0; `what`
//! names the caller in the message.
void check_conductances(const Eigen::Ref<const Eigen::MatrixXd>& g_uS, int rows, int cols,
                        const char* what);
//! Float variant of check_conductances.
void check_conductances(const Eigen::Ref<const Eigen::MatrixXf>& g_uS, int rows, int cols,
                        const char* what);

}  // namespace xbarmc::circuit
