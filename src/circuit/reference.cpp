#include "xbarmc/circuit/reference.h"

#include <Eigen/Cholesky>
#include <vector>

#include "xbarmc/circuit/topology.h"
#include "xbarmc/util/error.h"

namespace xbarmc::circuit {

Eigen::MatrixXd dense_effective_uS(const Eigen::MatrixXd& g_uS, const CircuitParams& p) {
  const TileTopology topo(static_cast<int>(g_uS.rows()), static_cast<int>(g_uS.cols()), p);
  check_conductances(g_uS, topo.rows(), topo.cols(), "dense_effective_uS");
  const int m = topo.rows();
  const int n = topo.cols();
  // Unknowns: every node that is not held at a fixed voltage.
  std::vector<int> unknown(topo.num_nodes(), -1);
  std::vector<int> input_of(topo.num_nodes(), -1);
  int nx = 0;
  for (int v = 0; v < topo.num_nodes(); ++v)
    if (!topo.is_terminal(v)) unknown[v] = nx++;
  for (int i = 0; i < m; ++i) input_of[topo.input_node(i)] = i;

  // Kirchhoff's current law at each unknown node: sum_e g_e (v_node - v_other) = 0,
  // with the terminal voltages moved to the right-hand side (one column per input).
  Eigen::MatrixXd k = Eigen::MatrixXd::Zero(nx, nx);
  Eigen::MatrixXd rhs = Eigen::MatrixXd::Zero(nx, m);
  for (const Element& e : topo.elements()) {
    const double g = topo.conductance_uS(e, g_uS);
    const int ua = unknown[e.a];
    const int ub = unknown[e.b];
    if (ua >= 0) k(ua, ua) += g;
    if (ub >= 0) k(ub, ub) += g;
    if (ua >= 0 && ub >= 0) {
      k(ua, ub) -= g;
      k(ub, ua) -= g;
    }
    if (ua >= 0 && input_of[e.b] >= 0) rhs(ua, input_of[e.b]) += g;
    if (ub >= 0 && input_of[e.a] >= 0) rhs(ub, input_of[e.a]) += g;
  }
  Eigen::MatrixXd volts(nx, m);  // node voltages per unit input
  if (nx > 0) {
    const Eigen::LLT<Eigen::MatrixXd> llt(k);
    if (llt.info() != Eigen::Success)
      throw InputError("dense_effective_uS: nodal matrix is not positive definite");
    volts = llt.solve(rhs);
  }
  // Output current of column j: the current flowing into output node j through
  // every element attached to it, sum_e g_e v_other (the output node is at 0 V).
  std::vector<int> output_of(topo.num_nodes(), -1);
  for (int j = 0; j < n; ++j) output_of[topo.output_node(j)] = j;
  Eigen::MatrixXd geff = Eigen::MatrixXd::Zero(m, n);
  for (const Element& e : topo.elements()) {
    const double g = topo.conductance_uS(e, g_uS);
    for (int side = 0; side < 2; ++side) {
      const int out = side == 0 ? e.a : e.b;
      const int other = side == 0 ? e.b : e.a;
      const int j = output_of[out];
      if (j < 0) continue;
      if (unknown[other] >= 0) geff.col(j) += g * volts.row(unknown[other]).transpose();
      if (input_of[other] >= 0) geff(input_of[other], j) += g;
    }
  }
  return geff;
}

}  // namespace xbarmc::circuit
