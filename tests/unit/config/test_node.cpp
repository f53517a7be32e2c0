#include <gtest/gtest.h>

#include "xbarmc/config/node.h"

using namespace xbarmc::config;
using xbarmc::ConfigError;

namespace {
struct Params {
  double sigma = 0.1;
  std::int64_t instances = 10;
  bool enabled = true;
  std::string path;
  std::vector<double> times_s = {1.0};
  enum class Kind { A, B } kind = Kind::A;
};

// Parses {"model": {...}} into Params; returns the issues found.
std::vector<xbarmc::ConfigIssue> parse(const std::string& text, Params& p,
                                       Json* resolved = nullptr) {
  const Json doc = parse_json_text(text, "test.json");
  Diagnostics diag;
  Node root(doc, "", diag, resolved);
  Node m = root.child("model");
  m.get("sigma", p.sigma, Range::at_least(0));
  m.get("instances", p.instances, Range::at_least(1));
  m.get("enabled", p.enabled);
  m.require("path", p.path);
  m.get("times_s", p.times_s, Range::positive());
  m.choice("kind", p.kind, {{"a", Params::Kind::A}, {"b", Params::Kind::B}});
  m.finish();
  root.finish();
  return diag.issues();
}

bool has_issue(const std::vector<xbarmc::ConfigIssue>& issues, const std::string& pointer,
               const std::string& fragment) {
  for (const auto& i : issues)
    if (i.pointer == pointer && i.message.find(fragment) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST(ConfigNode, DefaultsAreResolved) {
  Params p;
  Json resolved;
  EXPECT_TRUE(parse(R"({"model": {"path": "x.h5"}})", p, &resolved).empty());
  EXPECT_EQ(p.path, "x.h5");
  EXPECT_EQ(resolved["model"]["sigma"], 0.1);
  EXPECT_EQ(resolved["model"]["instances"], 10);
  EXPECT_EQ(resolved["model"]["kind"], "a");
  EXPECT_EQ(resolved["model"]["times_s"], Json::array({1.0}));
}

TEST(ConfigNode, ValuesAreRead) {
  Params p;
  EXPECT_TRUE(parse(R"({"model": {"path": "y", "sigma": 0.3, "instances": 5, "enabled": false,
                      "times_s": [1, 10], "kind": "b"}})",
                    p)
                  .empty());
  EXPECT_EQ(p.sigma, 0.3);
  EXPECT_EQ(p.instances, 5);
  EXPECT_FALSE(p.enabled);
  EXPECT_EQ(p.times_s, (std::vector<double>{1, 10}));
  EXPECT_EQ(p.kind, Params::Kind::B);
}

TEST(ConfigNode, EveryErrorIsReportedWithItsPointer) {
  Params p;
  const auto issues = parse(R"({"model": {"sigam": 0.2, "instances": 0, "enabled": "yes",
                              "times_s": [1, -2], "kind": "c"}, "extra": 1})",
                            p);
  EXPECT_TRUE(has_issue(issues, "/model/sigam", "unknown key (did you mean \"sigma\"?)"));
  EXPECT_TRUE(has_issue(issues, "/model/instances", "must be >= 1, got 0"));
  EXPECT_TRUE(has_issue(issues, "/model/enabled", "must be true or false, got string \"yes\""));
  EXPECT_TRUE(has_issue(issues, "/model/path", "required key is missing"));
  EXPECT_TRUE(has_issue(issues, "/model/times_s/1", "must be > 0, got -2"));
  EXPECT_TRUE(has_issue(issues, "/model/kind", "must be one of \"a\", \"b\", got \"c\""));
  EXPECT_TRUE(has_issue(issues, "/extra", "unknown key"));
  EXPECT_EQ(issues.size(), 7u);
}

TEST(ConfigNode, WrongTypesAreNamed) {
  Params p;
  const auto issues = parse(R"({"model": {"path": 3, "sigma": "big", "instances": 2.5}})", p);
  EXPECT_TRUE(has_issue(issues, "/model/path", "must be a string, got number 3"));
  EXPECT_TRUE(has_issue(issues, "/model/sigma", "must be a number, got string \"big\""));
  EXPECT_TRUE(has_issue(issues, "/model/instances", "must be an integer, got number 2.5"));
  const auto not_object = parse(R"({"model": [1]})", p);
  EXPECT_TRUE(has_issue(not_object, "/model", "must be an object, got array"));
}

TEST(ConfigNode, MalformedJsonNamesLineAndColumn) {
  try {
    (void)parse_json_text("{\n  \"a\": 1,\n  \"b\": ]\n}", "bad.json");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.json: malformed JSON at line 3, column 8"), std::string::npos) << msg;
  }
}

TEST(ConfigNode, SetOverridesAreAppliedAndValidated) {
  Json doc = parse_json_text(R"({"model": {"path": "a", "sigma": 0.1}})", "t");
  apply_override(doc, "/model/sigma=0.25");
  apply_override(doc, "/model/path=other.h5");  // bare word -> string
  apply_override(doc, "/model/times_s=[1,2,3]");
  EXPECT_EQ(doc["model"]["sigma"], 0.25);
  EXPECT_EQ(doc["model"]["path"], "other.h5");
  EXPECT_EQ(doc["model"]["times_s"].size(), 3u);
  apply_override(doc, "/model/sigma=-1");
  Diagnostics diag;
  Node root(doc, "", diag, nullptr);
  Node m = root.child("model");
  double sigma = 0;
  m.get("sigma", sigma, Range::at_least(0));
  EXPECT_TRUE(has_issue(diag.issues(), "/model/sigma", "must be >= 0, got -1"));
  EXPECT_THROW(apply_override(doc, "model.sigma=1"), ConfigError);
  EXPECT_THROW(apply_override(doc, "/model/sigma/x/0=1"), ConfigError);
}

TEST(ConfigNode, SuggestionsNeedAReasonableMatch) {
  EXPECT_EQ(suggest("sigam", {"sigma", "mu"}), std::optional<std::string>("sigma"));
  EXPECT_EQ(suggest("completely_different", {"sigma", "mu"}), std::nullopt);
}

TEST(ConfigNode, OutOfRangeNumbersAndInvalidUtf8AreConfigErrors) {
  EXPECT_THROW((void)parse_json_text(R"({"a": 1e999})", "big.json"), ConfigError);
  Json doc = Json::object();
  EXPECT_THROW(apply_override(doc, "/a=1e999"), ConfigError);
  EXPECT_THROW(apply_override(doc, "/a=\xff\xfe"), ConfigError);
  apply_override(doc, "/a=caf\xc3\xa9");  // valid UTF-8 word
  EXPECT_EQ(doc["a"], "caf\xc3\xa9");
}
