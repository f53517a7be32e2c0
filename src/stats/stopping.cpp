#include "xbarmc/stats/stopping.h"

#include <algorithm>

#include "xbarmc/util/error.h"

namespace xbarmc::stats {

using config::Range;

StoppingRule parse_stopping(config::Node& monte_carlo, const StoppingDefaults& defaults) {
  StoppingRule r;
  r.max_instances = defaults.max_instances;
  r.threshold = defaults.threshold;
  r.confidence = defaults.confidence;
  if (!monte_carlo.has("stopping")) {  // absent section: off
    monte_carlo.known({"stopping"});
    return r;
  }
  config::Node node = monte_carlo.child("stopping");
  r.enabled = true;
  node.get("enabled", r.enabled);
  node.get("batch", r.batch, Range::between(1, 1e9));
  node.get("max_instances", r.max_instances, Range::between(1, 1e15));
  if (node.has("width")) {
    double w = 0;
    node.get("width", w, Range{0.0, 1.0, true, false});
    r.width = w;
  }
  if (node.has("target_yield")) {
    double t = 0;
    node.get("target_yield", t, Range{0.0, 1.0, true, true});
    r.target_yield = t;
  }
  node.get("threshold", r.threshold, Range::unit());
  node.get("confidence", r.confidence, Range{0.0, 1.0, true, true});
  if (r.enabled && !node.has("width") && !node.has("target_yield"))
    node.diagnostics().add(node.pointer(),
                           "set \"width\" and/or \"target_yield\" (or \"enabled\": false): "
                           "without them the rule never stops before max_instances");
  node.known({"width", "target_yield"});
  node.finish();
  return r;
}

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::Continue:
      return "continue";
    case StopReason::Width:
      return "width";
    case StopReason::DecidedAbove:
      return "above";
    case StopReason::DecidedBelow:
      return "below";
    case StopReason::MaxInstances:
      return "max_instances";
  }
  return "?";
}

SequentialYield::SequentialYield(const StoppingRule& rule)
    : rule_(rule), cs_(rule.confidence, rule.prior) {
  if (rule.batch == 0 || rule.max_instances == 0)
    throw InputError("stopping rule needs batch >= 1 and max_instances >= 1");
}

std::uint64_t SequentialYield::next_batch_size() const {
  if (outcome_.stopped()) return 0;
  return std::min(rule_.batch, rule_.max_instances - outcome_.n);
}

const SequentialOutcome& SequentialYield::add_batch(std::span<const std::uint8_t> passed) {
  std::uint64_t k = 0;
  for (auto p : passed) k += p != 0 ? 1 : 0;
  return add_batch(k, passed.size());
}

const SequentialOutcome& SequentialYield::add_batch(std::uint64_t passed, std::uint64_t count) {
  if (count != next_batch_size() || count == 0)
    throw InputError("sequential batch of " + std::to_string(count) + " instances, expected " +
                     std::to_string(next_batch_size()));
  if (passed > count) throw InputError("more passes than instances in a batch");
  cs_.add(passed, count);
  outcome_.n = cs_.n();
  outcome_.passed = cs_.successes();
  outcome_.interval = cs_.interval();
  // Decisions first (they answer the question asked), then width, then the cap.
  const Interval& ci = outcome_.interval;
  if (rule_.target_yield && ci.lo >= *rule_.target_yield)
    outcome_.reason = StopReason::DecidedAbove;
  else if (rule_.target_yield && ci.hi < *rule_.target_yield)
    outcome_.reason = StopReason::DecidedBelow;
  else if (rule_.width && ci.hi - ci.lo <= *rule_.width)
    outcome_.reason = StopReason::Width;
  else if (outcome_.n >= rule_.max_instances)
    outcome_.reason = StopReason::MaxInstances;
  return outcome_;
}

SequentialOutcome run_sequential(const StoppingRule& rule, std::span<const std::uint8_t> passed) {
  SequentialYield seq(rule);
  std::uint64_t used = 0;
  while (!seq.outcome().stopped()) {
    const std::uint64_t k = seq.next_batch_size();
    if (used + k > passed.size()) break;
    seq.add_batch(passed.subspan(used, k));
    used += k;
  }
  return seq.outcome();
}

}  // namespace xbarmc::stats
