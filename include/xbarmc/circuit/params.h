#pragma once
//! \file circuit/params.h
//! Line-resistance parameters of one crossbar tile, their "/circuit" config
//! keys, and the dimensionless IR-drop strength that says when the
//! first-order mode is usable. Geometry and model: docs/line-resistance.md.

#include <string>

namespace xbarmc::config {
class Node;
}

namespace xbarmc::circuit {

//! How the effective conductance matrix of a tile is computed.
enum class Solver {
  Exact,      //!< exact nodal solve (multifrontal Kron reduction onto the terminals)
  FirstOrder  //!< O(rows*cols) first-order correction in the wire resistances
};

//! Arithmetic of the exact solve when the engine asks for a float G_eff.
//! Callers that pass double matrices (tests, SPICE export) always get double.
enum class Precision {
  Float,  //!< single precision (the elimination is subtraction-free, so each entry keeps a small
          //!< relative error)
  Double  //!< double precision
};

//! Resistances of the tile's wiring. All in ohm, all >= 0; zero means an ideal wire.
struct CircuitParams {
  double r_wire_row_ohm = 0.0;    //!< per cell-to-cell segment along a row (input line), ohm
  double r_wire_col_ohm = 0.0;    //!< per cell-to-cell segment along a column (output line), ohm
  double r_driver_ohm = 0.0;      //!< at each row input, between source and row node (i,0), ohm
  double r_sense_ohm = 0.0;       //!< at each column output, into the virtual ground, ohm
  Solver solver = Solver::Exact;  //!< exact or first-order mode
  //! Arithmetic of the exact solve on the engine's (float) path; the first-order mode is
  //! always computed in double.
  Precision precision = Precision::Float;
  //! True when every resistance is zero: G_eff = G and no solve is needed.
  [[nodiscard]] bool ideal() const;
};

//! Reads the "/circuit" object: r_wire_row_ohm, r_wire_col_ohm, r_driver_ohm,
//! r_sense_ohm (all >= 0, default 0), solver ("exact" | "first_order"), precision
//! ("float" | "double", default "float"), and the
//! shortcut r_wire_ohm that sets both wire resistances (an error together with
//! either of them). Calls node.finish().
void parse_circuit(config::Node& node, CircuitParams& p);

//! Dimensionless IR-drop strength
//!   s = g * (r_row * cols^2 / 2 + r_col * rows^2 / 2 + r_driver * cols + r_sense * rows)
//! with g = g_typical_uS * 1e-6 S and resistances in ohm. It is the first-order
//! fractional voltage loss seen by the far-corner device (row end cols-1, column
//! end farthest from the sense amplifier, cell (0, cols-1)) when every device has
//! conductance g and every input the same voltage. For a square N x N tile with
//! r_row = r_col = r and no driver/sense resistance it equals r * g * N^2.
double ir_drop_strength(const CircuitParams& p, int rows, int cols, double g_typical_uS);

//! Largest IR-drop strength at which the first-order mode is accepted without
//! a warning. The first-order relative error of G_eff (Frobenius norm) measured
//! for uniform tiles at g_typical is about 0.5 * strength^2, so 0.5 % here
//! (docs/line-resistance.md has the table).
inline constexpr double FIRST_ORDER_MAX_STRENGTH = 0.1;

//! Warning text when the first-order mode is used with ir_drop_strength above
//! FIRST_ORDER_MAX_STRENGTH; empty when the mode is exact or the strength is small.
std::string first_order_warning(const CircuitParams& p, int rows, int cols, double g_typical_uS);

}  // namespace xbarmc::circuit
