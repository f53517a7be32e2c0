// "/circuit" config keys: values, defaults, and errors with their JSON pointers.
#include <gtest/gtest.h>

#include "xbarmc/circuit/params.h"
#include "xbarmc/config/node.h"

namespace xbarmc::circuit {
namespace {

using config::Json;

struct Parsed {
  CircuitParams p;
  std::vector<ConfigIssue> issues;
  Json resolved;
};

Parsed parse(const std::string& text) {
  const Json doc = config::parse_json_text(text, "test");
  config::Diagnostics diag;
  Parsed out;
  config::Node node(doc, "/circuit", diag, &out.resolved);
  parse_circuit(node, out.p);
  out.issues = diag.issues();
  return out;
}

bool has_issue(const Parsed& r, const std::string& pointer, const std::string& text) {
  for (const ConfigIssue& i : r.issues)
    if (i.pointer == pointer && i.message.find(text) != std::string::npos) return true;
  return false;
}

TEST(CircuitParams, DefaultsAreIdealAndExact) {
  const Parsed r = parse("{}");
  EXPECT_TRUE(r.issues.empty());
  EXPECT_TRUE(r.p.ideal());
  EXPECT_EQ(r.p.solver, Solver::Exact);
  EXPECT_EQ(r.p.precision, Precision::Float);
}

TEST(CircuitParams, ReadsEveryKey) {
  const Parsed r = parse(
      R"({"r_wire_row_ohm": 1.5, "r_wire_col_ohm": 2.5, "r_driver_ohm": 100,
          "r_sense_ohm": 50, "solver": "first_order", "precision": "double"})");
  EXPECT_TRUE(r.issues.empty());
  EXPECT_EQ(r.p.r_wire_row_ohm, 1.5);
  EXPECT_EQ(r.p.r_wire_col_ohm, 2.5);
  EXPECT_EQ(r.p.r_driver_ohm, 100.0);
  EXPECT_EQ(r.p.r_sense_ohm, 50.0);
  EXPECT_EQ(r.p.solver, Solver::FirstOrder);
  EXPECT_EQ(r.p.precision, Precision::Double);
  EXPECT_FALSE(r.p.ideal());
}

TEST(CircuitParams, WireShortcutSetsBothWires) {
  const Parsed r = parse(R"({"r_wire_ohm": 3})");
  EXPECT_TRUE(r.issues.empty());
  EXPECT_EQ(r.p.r_wire_row_ohm, 3.0);
  EXPECT_EQ(r.p.r_wire_col_ohm, 3.0);
}

TEST(CircuitParams, ReportsBadValuesWithPointers) {
  const Parsed both = parse(R"({"r_wire_ohm": 3, "r_wire_col_ohm": 1})");
  EXPECT_TRUE(has_issue(both, "/circuit/r_wire_ohm", "not both")) << both.issues.size();
  const Parsed neg = parse(R"({"r_sense_ohm": -1})");
  EXPECT_TRUE(has_issue(neg, "/circuit/r_sense_ohm", ">= 0"));
  const Parsed solver = parse(R"({"solver": "spice"})");
  EXPECT_TRUE(has_issue(solver, "/circuit/solver", ""));
  const Parsed precision = parse(R"({"precision": "half"})");
  EXPECT_TRUE(has_issue(precision, "/circuit/precision", "float"));
  const Parsed typo = parse(R"({"r_wire_rows_ohm": 1})");
  EXPECT_TRUE(has_issue(typo, "/circuit/r_wire_rows_ohm", "r_wire_row_ohm"));
}

}  // namespace
}  // namespace xbarmc::circuit
