#include "xbarmc/circuit/params.h"

#include <cmath>
#include <cstdio>

#include "xbarmc/config/node.h"

namespace xbarmc::circuit {

bool CircuitParams::ideal() const {
  return r_wire_row_ohm == 0.0 && r_wire_col_ohm == 0.0 && r_driver_ohm == 0.0 &&
         r_sense_ohm == 0.0;
}

void parse_circuit(config::Node& node, CircuitParams& p) {
  const auto non_negative = config::Range::at_least(0.0);
  if (node.has("r_wire_ohm")) {
    // Shortcut for both wires; combining it with either explicit key would leave
    // one of the two meanings unused, so that is an error rather than a silent choice.
    for (const char* key : {"r_wire_row_ohm", "r_wire_col_ohm"})
      if (node.has(key))
        node.error("r_wire_ohm", std::string("give either r_wire_ohm or ") + key + ", not both");
    double r = 0.0;
    node.get("r_wire_ohm", r, non_negative);
    p.r_wire_row_ohm = r;
    p.r_wire_col_ohm = r;
    node.accept("r_wire_row_ohm");
    node.accept("r_wire_col_ohm");
  } else {
    node.get("r_wire_row_ohm", p.r_wire_row_ohm, non_negative);
    node.get("r_wire_col_ohm", p.r_wire_col_ohm, non_negative);
    node.known({"r_wire_ohm"});
  }
  node.get("r_driver_ohm", p.r_driver_ohm, non_negative);
  node.get("r_sense_ohm", p.r_sense_ohm, non_negative);
  node.choice("solver", p.solver, {{"exact", Solver::Exact}, {"first_order", Solver::FirstOrder}});
  node.choice("precision", p.precision,
              {{"float", Precision::Float}, {"double", Precision::Double}});
  node.finish();
}

double ir_drop_strength(const CircuitParams& p, int rows, int cols, double g_typical_uS) {
  const double m = rows;
  const double n = cols;
  const double g_S = g_typical_uS * 1e-6;
  // Row wire: segment k (k = 1..n-1 from the driver) carries the current of the
  // n-k devices beyond it, so the far device loses r*g*V*sum_k (n-k) ~ r*g*n^2/2;
  // likewise for the column, and r*g*n (r*g*m) through the driver (sense) resistance.
  return g_S * (p.r_wire_row_ohm * n * n / 2 + p.r_wire_col_ohm * m * m / 2 + p.r_driver_ohm * n +
                p.r_sense_ohm * m);
}

std::string first_order_warning(const CircuitParams& p, int rows, int cols, double g_typical_uS) {
  if (p.solver != Solver::FirstOrder) return {};
  const double s = ir_drop_strength(p, rows, cols, g_typical_uS);
  if (!(s > FIRST_ORDER_MAX_STRENGTH)) return {};
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "circuit solver \"first_order\" used outside its valid range: IR-drop strength "
                "%.3g (tile %dx%d, g = %.4g uS) exceeds %.2g; its relative error in the effective "
                "conductances is about 0.5 * strength^2 = %.2g %% here; use solver \"exact\"",
                s, rows, cols, g_typical_uS, FIRST_ORDER_MAX_STRENGTH, 50.0 * s * s);
  return buf;
}

}  // namespace xbarmc::circuit
