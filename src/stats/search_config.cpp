// Parsing of the `/search` section and the per-point settings derived from it.
#include <cmath>

#include "xbarmc/stats/spec_search.h"

namespace xbarmc::stats {

using config::Json;
using config::Range;

namespace {

void read_pointer(config::Node& node, const std::string& key, std::string& out,
                  const PointerCheck& check) {
  node.require(key, out);
  if (out.empty() && node.has(key) && node.raw()[key].is_string())
    node.error(key, "must be a JSON pointer to a numeric parameter, got \"\"");
  else if (!out.empty() && check)
    if (std::string why = check(out); !why.empty()) node.error(key, why);
}

}  // namespace

SearchConfig parse_search(config::Node node, double default_threshold, double default_confidence,
                          const PointerCheck& check) {
  SearchConfig c;
  c.threshold = default_threshold;
  c.confidence = default_confidence;
  read_pointer(node, "pointer", c.pointer, check);

  std::vector<double> range;
  node.require("range", range);
  if (node.has("range") && node.raw()["range"].is_array()) {
    const Json& raw = node.raw()["range"];
    bool numeric = true;
    for (const auto& e : raw) numeric = numeric && e.is_number();
    if (!numeric) {
      // each non-number was already reported at its own pointer
    } else if (range.size() != 2) {
      node.error("range", "must be [lo, hi], got " + config::describe(raw));
    } else if (!(range[0] < range[1])) {
      node.error("range", "must be [lo, hi] with lo < hi (an empty or inverted range), got " +
                              config::describe(raw));
    } else {
      c.spec.lo = range[0];
      c.spec.hi = range[1];
    }
  }
  node.choice("direction", c.spec.direction,
              {{"largest", SearchDirection::Largest}, {"smallest", SearchDirection::Smallest}});
  node.require("target_yield", c.spec.target_yield, Range{0.0, 1.0, true, true});
  node.require("resolution", c.spec.resolution, Range::positive());
  node.get("threshold", c.threshold, Range::unit());
  node.get("confidence", c.confidence, Range{0.0, 1.0, true, true});
  node.choice("correction", c.bonferroni, {{"bonferroni", true}, {"none", false}});

  if (node.has("frontier")) {
    config::Node f = node.child("frontier");
    read_pointer(f, "pointer", c.outer_pointer, check);
    if (!c.outer_pointer.empty() && c.outer_pointer == c.pointer)
      f.error("pointer", "must differ from /search/pointer (\"" + c.pointer + "\")");
    f.require("values", c.outer_values);
    if (f.has("values") && f.raw()["values"].is_array() && f.raw()["values"].empty())
      f.error("values", "must list at least one value, got []");
    for (std::size_t i = 1; i < c.outer_values.size(); ++i)
      if (!(c.outer_values[i] > c.outer_values[i - 1]))
        f.diagnostics().add(f.pointer_of("values") + "/" + std::to_string(i),
                            "frontier values must increase strictly");
    f.finish();
  } else {
    node.known({"frontier"});
  }
  node.finish();
  return c;
}

double per_point_confidence(const SearchConfig& config) {
  if (!config.bonferroni) return config.confidence;
  return 1.0 - (1.0 - config.confidence) / static_cast<double>(max_evaluations(config.spec));
}

StoppingRule rule_for_search(const StoppingRule& base, const SearchConfig& config) {
  StoppingRule r = base;
  r.enabled = true;
  r.width.reset();  // a search point needs a decision; a width stop would leave it undecided
  r.target_yield = config.spec.target_yield;
  r.threshold = config.threshold;
  r.confidence = per_point_confidence(config);
  return r;
}

}  // namespace xbarmc::stats
