#include "xbarmc/circuit/first_order.h"

#include "xbarmc/circuit/topology.h"
#include "xbarmc/util/error.h"

namespace xbarmc::circuit {

void first_order_effective(const Eigen::Ref<const Eigen::MatrixXd>& g_uS, const CircuitParams& p,
                           Eigen::Ref<Eigen::MatrixXd> geff_uS) {
  const int m = static_cast<int>(g_uS.rows());
  const int n = static_cast<int>(g_uS.cols());
  check_conductances(g_uS, m, n, "circuit first-order solver");
  if (geff_uS.rows() != m || geff_uS.cols() != n)
    throw InputError("circuit first-order solver: output matrix has the wrong shape");
  constexpr double S_PER_uS = 1e-6;
  // Row term a(r,j) = r_d S_r + r_row (sum_{l<=j} g(r,l) l + j sum_{l>j} g(r,l)), by one
  // pass along the rows with running sums (sum over l <= j of g*l, and of g). All rows advance
  // together, column by column, so the inner loop runs down a contiguous column (vectorised);
  // each row's sums see the same operations in the same order as a row-by-row pass.
  thread_local Eigen::ArrayXd row_total, weighted_below, below;
  row_total = g_uS.col(0).array();
  for (int j = 1; j < n; ++j) row_total += g_uS.col(j).array();  // same order as row(r).sum()
  weighted_below.setZero(m);                                     // sum_{l<=j} g(r,l) * l
  below.setZero(m);                                              // sum_{l<=j} g(r,l)
  for (int j = 0; j < n; ++j) {
    const double* g = g_uS.col(j).data();
    double* a = geff_uS.col(j).data();  // holds a(r,j) until the column pass
    for (int r = 0; r < m; ++r) {
      weighted_below[r] += g[r] * j;
      below[r] += g[r];
      a[r] = S_PER_uS * (p.r_driver_ohm * row_total[r] +
                         p.r_wire_row_ohm * (weighted_below[r] + j * (row_total[r] - below[r])));
    }
  }
  // Column term b(r,j) = r_s T_j + r_col ((M-1-r) sum_{i<=r} g(i,j) + sum_{i>r} g(i,j)(M-1-i)).
  for (int j = 0; j < n; ++j) {
    const double total = g_uS.col(j).sum();
    double tail_weighted = 0.0;  // sum_{i>r} g(i,j) (M-1-i), built from the bottom up
    for (int i = 0; i < m; ++i) tail_weighted += g_uS(i, j) * (m - 1 - i);
    double head = 0.0;  // sum_{i<=r} g(i,j)
    for (int r = 0; r < m; ++r) {
      head += g_uS(r, j);
      tail_weighted -= g_uS(r, j) * (m - 1 - r);
      const double b = S_PER_uS * (p.r_sense_ohm * total +
                                   p.r_wire_col_ohm * ((m - 1 - r) * head + tail_weighted));
      geff_uS(r, j) = g_uS(r, j) * (1.0 - geff_uS(r, j) - b);
    }
  }
}

}  // namespace xbarmc::circuit
