#pragma once
//! \file circuit/reference.h
//! Reference solution of a tile's nodal equations by a dense direct solve.
//! O((2*rows*cols)^3): for validating the fast solver on small tiles only.

#include "xbarmc/util/eigen.h"

#include "xbarmc/circuit/params.h"

namespace xbarmc::circuit {

//! Effective conductance matrix [rows x cols], uS, from the modified nodal
//! equations K v = B V_in over every non-terminal node (K dense, Cholesky),
//! solved for all unit inputs; geff(i,j) is the current into the virtual ground
//! of column j per volt at input i. g_uS: device conductances [rows x cols], uS.
Eigen::MatrixXd dense_effective_uS(const Eigen::MatrixXd& g_uS, const CircuitParams& p);

}  // namespace xbarmc::circuit
