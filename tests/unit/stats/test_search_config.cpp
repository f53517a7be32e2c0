#include <gtest/gtest.h>

#include "xbarmc/stats/spec_search.h"

using namespace xbarmc::stats;
using xbarmc::config::Diagnostics;
using xbarmc::config::Json;
using xbarmc::config::Node;

namespace {

//! Stand-in for the integration's check: numeric sweepable pointers start with /device/.
std::string check(const std::string& pointer) {
  return pointer.rfind("/device/", 0) == 0 ? "" : "is not a numeric sweepable parameter";
}

std::pair<SearchConfig, std::vector<xbarmc::ConfigIssue>> parse(const char* text) {
  Diagnostics diag;
  Json resolved = Json::object();
  const Json raw = Json::parse(text);
  SearchConfig c = parse_search(Node(raw, "/search", diag, &resolved), 0.85, 0.95, check);
  return {c, diag.issues()};
}

std::string pointers(const std::vector<xbarmc::ConfigIssue>& issues) {
  std::string s;
  for (const auto& i : issues) s += i.pointer + " (" + i.message + "); ";
  return s;
}

}  // namespace

TEST(SearchConfig, ReadsAValidSection) {
  auto [c, issues] = parse(R"({"pointer": "/device/programming/d2d/sigma_rel",
      "range": [0, 0.2], "direction": "largest", "target_yield": 0.9, "resolution": 0.01,
      "frontier": {"pointer": "/device/wire/r_ohm", "values": [1, 2, 4]}})");
  ASSERT_TRUE(issues.empty()) << pointers(issues);
  EXPECT_EQ(c.pointer, "/device/programming/d2d/sigma_rel");
  EXPECT_EQ(c.spec.lo, 0.0);
  EXPECT_EQ(c.spec.hi, 0.2);
  EXPECT_EQ(c.spec.direction, SearchDirection::Largest);
  EXPECT_EQ(c.threshold, 0.85);
  EXPECT_EQ(c.confidence, 0.95);
  EXPECT_TRUE(c.bonferroni);
  EXPECT_EQ(c.outer_values.size(), 3u);
  // 2 + ceil(log2(0.2 / 0.01)) = 7 evaluations share alpha = 0.05.
  EXPECT_EQ(max_evaluations(c.spec), 7u);
  EXPECT_NEAR(per_point_confidence(c), 1 - 0.05 / 7, 1e-15);
  StoppingRule base;
  base.batch = 64;
  base.max_instances = 4096;
  base.width = 0.05;
  const StoppingRule r = rule_for_search(base, c);
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.batch, 64u);
  EXPECT_FALSE(r.width.has_value());
  EXPECT_EQ(*r.target_yield, 0.9);
  EXPECT_EQ(r.threshold, 0.85);
  EXPECT_EQ(r.confidence, per_point_confidence(c));
}

TEST(SearchConfig, ErrorsNameTheirPointers) {
  const auto expect = [](const char* text, const std::string& pointer) {
    auto [c, issues] = parse(text);
    bool found = false;
    for (const auto& i : issues) found |= i.pointer == pointer;
    EXPECT_TRUE(found) << text << " -> " << pointers(issues);
  };
  expect(R"({"pointer": "/device/a", "range": [0.2, 0.1], "target_yield": 0.9,
      "resolution": 0.01})",
         "/search/range");  // inverted
  expect(R"({"pointer": "/device/a", "range": [0.1, 0.1], "target_yield": 0.9,
      "resolution": 0.01})",
         "/search/range");  // empty
  expect(R"({"pointer": "/device/a", "range": [0.1], "target_yield": 0.9, "resolution": 0.01})",
         "/search/range");
  expect(R"({"pointer": "/device/a", "range": [0, "x"], "target_yield": 0.9,
      "resolution": 0.01})",
         "/search/range/1");
  expect(R"({"pointer": "/device/a", "target_yield": 0.9, "resolution": 0.01})",
         "/search/range");  // missing
  expect(R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 1, "resolution": 0.01})",
         "/search/target_yield");
  expect(R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 0, "resolution": 0.01})",
         "/search/target_yield");
  expect(R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 0.9, "resolution": 0})",
         "/search/resolution");
  expect(R"({"pointer": "/name", "range": [0, 1], "target_yield": 0.9, "resolution": 0.1})",
         "/search/pointer");  // rejected by the integration's check
  expect(R"({"range": [0, 1], "target_yield": 0.9, "resolution": 0.1})", "/search/pointer");
  expect(R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 0.9, "resolution": 0.1,
      "direction": "up"})",
         "/search/direction");
  expect(R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 0.9, "resolution": 0.1,
      "frontier": {"pointer": "/device/a", "values": [1, 0]}})",
         "/search/frontier/pointer");
  expect(R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 0.9, "resolution": 0.1,
      "frontier": {"pointer": "/device/b", "values": [1, 0]}})",
         "/search/frontier/values/1");
  expect(R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 0.9, "resolution": 0.1,
      "resolutoin": 0.1})",
         "/search/resolutoin");
}

// Malformed sections are reported as issues, never thrown or crashed on.
TEST(SearchConfig, MalformedSectionsAreReportedNotThrown) {
  for (const char* text :
       {R"([])", R"({"pointer": 5, "range": "x", "target_yield": "a", "resolution": null})",
        R"({"pointer": "", "range": [], "target_yield": 0.9, "resolution": 0.1})",
        R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 0.9, "resolution": 0.1,
            "frontier": 3})",
        R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 0.9, "resolution": 0.1,
            "frontier": {"pointer": ["x"], "values": "y"}})",
        R"({"pointer": "/device/a", "range": [0, 1], "target_yield": 0.9, "resolution": 0.1,
            "frontier": {"pointer": "/device/b", "values": []}})",
        R"({"pointer": "/device/a", "range": [1e308, -1e308], "target_yield": 0.9,
            "resolution": 1e-300, "direction": 1, "correction": "holm"})"}) {
    std::vector<xbarmc::ConfigIssue> issues;
    EXPECT_NO_THROW(issues = parse(text).second) << text;
    EXPECT_FALSE(issues.empty()) << text;
  }
}
