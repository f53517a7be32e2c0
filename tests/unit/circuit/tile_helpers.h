#pragma once
// Helpers shared by the circuit tests: random tiles and matrix error norms.

#include <Eigen/Core>
#include <cstdint>

#include "xbarmc/circuit/params.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::circuit::test {

//! Conductances uniform in [lo_uS, hi_uS], drawn from a fixed-seed stream.
inline Eigen::MatrixXd random_tile(int rows, int cols, std::uint64_t seed, double lo_uS = 1.0,
                                   double hi_uS = 100.0) {
  RandomStream rng(seed, StreamId{0, Purpose::ProgrammingD2D, 0, 0, 0, 0});
  Eigen::MatrixXd g(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) g(i, j) = lo_uS + (hi_uS - lo_uS) * rng.uniform01();
  return g;
}

//! Resistances in ohm (row wire, column wire, driver, sense) and the exact solve's precision.
inline CircuitParams params(double row, double col, double drv, double sense,
                            Precision prec = CircuitParams{}.precision) {
  CircuitParams p;
  p.r_wire_row_ohm = row;
  p.r_wire_col_ohm = col;
  p.r_driver_ohm = drv;
  p.r_sense_ohm = sense;
  p.precision = prec;
  return p;
}

//! Frobenius-norm relative error of `x` against `ref`.
inline double rel_error(const Eigen::MatrixXd& x, const Eigen::MatrixXd& ref) {
  return (x - ref).norm() / ref.norm();
}

//! Largest element-wise relative error of `x` against `ref` (entries of ref > 0).
inline double max_rel_error(const Eigen::MatrixXd& x, const Eigen::MatrixXd& ref) {
  return ((x - ref).array().abs() / ref.array().abs()).maxCoeff();
}

}  // namespace xbarmc::circuit::test
