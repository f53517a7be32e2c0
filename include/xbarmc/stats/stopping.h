#pragma once
//! \file stats/stopping.h
//! Sequential instance counts (`/monte_carlo/stopping`): a point runs instances in batches
//! of consecutive instance indices and, after each complete batch, stops once the
//! anytime-valid yield interval (stats/confidence_sequence.h) is narrow enough, or decides
//! whether the yield is above or below a target, or the maximum count is reached.
//! Decisions depend only on the pass/fail flags in instance-index order, never on which
//! thread, rank or shard computed them, so results are deterministic.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "xbarmc/config/node.h"
#include "xbarmc/stats/confidence_sequence.h"

namespace xbarmc::stats {

//! A validated `/monte_carlo/stopping` section (docs/statistics.md, docs/config.md).
struct StoppingRule {
  bool enabled = false;                //!< off unless the section is present
  std::uint64_t batch = 100;           //!< instances per batch
  std::uint64_t max_instances = 0;     //!< hard cap on instances (default /monte_carlo/instances)
  std::optional<double> width;         //!< stop when hi - lo <= width (yield fraction)
  std::optional<double> target_yield;  //!< stop when the interval excludes it (fraction)
  double threshold = 0;  //!< accuracy threshold of a pass (fraction; as /statistics/threshold_mode)
  double confidence = 0.95;  //!< 1 - alpha of the confidence sequence
  BetaPrior prior;           //!< mixing prior (not configurable; Jeffreys)
};

//! Values the caller takes from the rest of the configuration.
struct StoppingDefaults {
  std::uint64_t max_instances = 0;  //!< /monte_carlo/instances
  double threshold = 0;             //!< the first of /statistics/thresholds
  double confidence = 0.95;         //!< /statistics/confidence
};

//! Parses the optional "stopping" object of the `/monte_carlo` node `monte_carlo` (call it
//! before monte_carlo.finish(); an absent section gives a disabled rule). Keys: enabled (bool,
//! default true when the section exists), batch, max_instances, width in (0, 1],
//! target_yield in (0, 1), threshold in [0, 1], confidence in (0, 1); an enabled rule needs
//! width and/or target_yield. Problems are recorded in the node's Diagnostics with their JSON
//! pointers (the caller throws); unknown keys are reported with suggestions.
StoppingRule parse_stopping(config::Node& monte_carlo, const StoppingDefaults& defaults);

//! Why a sequential point stopped (or did not yet).
enum class StopReason {
  Continue,      //!< no criterion met: run the next batch
  Width,         //!< interval width <= target width
  DecidedAbove,  //!< interval lower end >= target yield
  DecidedBelow,  //!< interval upper end < target yield
  MaxInstances   //!< max_instances reached without another criterion
};

//! Stable lower-case name ("continue", "width", "above", "below", "max_instances").
const char* to_string(StopReason reason);

//! State of a sequential point after some batches.
struct SequentialOutcome {
  std::uint64_t n = 0;       //!< instances used
  std::uint64_t passed = 0;  //!< of which met the threshold
  Interval interval;         //!< anytime-valid interval of the yield at `confidence`
  StopReason reason = StopReason::Continue;
  [[nodiscard]] bool stopped() const { return reason != StopReason::Continue; }
  [[nodiscard]] double fraction() const {
    return n ? static_cast<double>(passed) / static_cast<double>(n) : 0.0;
  }
};

//! Applies a rule batch by batch. Batch k covers instances [k * batch, min((k + 1) * batch,
//! max_instances)); the caller feeds them in k order.
class SequentialYield {
 public:
  explicit SequentialYield(const StoppingRule& rule);
  //! Instances the next batch must contain (0 once stopped).
  [[nodiscard]] std::uint64_t next_batch_size() const;
  //! Index of the first instance of the next batch (= instances used so far).
  [[nodiscard]] std::uint64_t next_instance() const { return outcome_.n; }
  //! Feeds the next batch as pass flags (non-zero = met the threshold) in instance order.
  //! Throws InputError when the batch size is not next_batch_size().
  const SequentialOutcome& add_batch(std::span<const std::uint8_t> passed);
  //! Same, as a count of passes among `count` instances.
  const SequentialOutcome& add_batch(std::uint64_t passed, std::uint64_t count);
  [[nodiscard]] const SequentialOutcome& outcome() const { return outcome_; }
  [[nodiscard]] const StoppingRule& rule() const { return rule_; }

 private:
  StoppingRule rule_;
  BernoulliConfidenceSequence cs_;
  SequentialOutcome outcome_;
};

//! Runs the rule over pass flags in instance-index order, as many complete batches as
//! `passed` holds (or until it stops). Returns Continue when more instances are needed.
SequentialOutcome run_sequential(const StoppingRule& rule, std::span<const std::uint8_t> passed);

}  // namespace xbarmc::stats
