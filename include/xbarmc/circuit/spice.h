#pragma once
//! \file circuit/spice.h
//! ngspice netlist of one tile, so anyone can check xbarmc's circuit solver
//! against their own SPICE. Node and element names: docs/line-resistance.md.

#include <string>
#include "xbarmc/util/eigen.h"

#include "xbarmc/circuit/params.h"

namespace xbarmc::circuit {

//! The documented default input vector of `xbarmc spice`: V_in[i] = 0.1 V *
//! (1 + i mod 4), i.e. 0.1, 0.2, 0.3, 0.4, 0.1, ... V, so that row-dependent
//! errors show in the column currents.
Eigen::VectorXd spice_default_input_V(int rows);

//! Netlist text: devices as resistors RG<i>_<j> (1/g; a device with g = 0 is
//! left out), row segments RW<i>_<j>, column segments RC<i>_<j>, drivers RD<i>,
//! sense resistors RS<j>, sources V<i> (DC v_in_V[i]) at the row inputs, 0 V
//! sources vsense<j> from each column output to ground (their branch current is
//! the column current, positive for positive inputs), and `.op`.
std::string spice_netlist(const Eigen::MatrixXd& g_uS, const Eigen::VectorXd& v_in_V,
                          const CircuitParams& p, const std::string& title);

//! Writes spice_netlist() to cir_path and the exact solver's column currents for
//! the same inputs to csv_path (header "column,current_A", one row per column,
//! 17 significant digits). Throws IoError when a file cannot be written.
void write_spice_tile(const std::string& cir_path, const std::string& csv_path,
                      const Eigen::MatrixXd& g_uS, const Eigen::VectorXd& v_in_V,
                      const CircuitParams& p, const std::string& title);

}  // namespace xbarmc::circuit
