#pragma once
//! \file circuit/first_order.h
//! First-order (in the wire, driver and sense resistances) effective conductance
//! matrix of a tile, O(rows*cols). Accurate only for small IR-drop strength
//! (ir_drop_strength() well below 1); its error grows as the strength squared.

#include "xbarmc/util/eigen.h"

#include "xbarmc/circuit/params.h"

namespace xbarmc::circuit {

//! geff(m,j) = g(m,j) * (1 - a(m,j) - b(m,j)), the first-order Taylor expansion
//! of the exact G_eff around zero resistance (derivation in
//! docs/line-resistance.md): with the zeroth-order currents g(i,l) V_i,
//!   a(m,j) = r_driver * sum_l g(m,l) + r_row * sum_l g(m,l) min(l, j)
//! is the relative voltage lost along row m up to cell (m,j), and
//!   b(m,j) = sum_i g(i,j) (r_sense + r_col * (rows-1-max(i,m)))
//! the voltage raised on column j at the cells by input m's current, per volt
//! (resistances in ohm, g in S inside a, b). g_uS, geff_uS: [rows x cols], uS.
void first_order_effective(const Eigen::Ref<const Eigen::MatrixXd>& g_uS, const CircuitParams& p,
                           Eigen::Ref<Eigen::MatrixXd> geff_uS);

}  // namespace xbarmc::circuit
