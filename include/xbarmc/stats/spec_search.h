#pragma once
//! \file stats/spec_search.h
//! Spec search: the largest (or smallest) value of one parameter at which the yield meets a
//! target with confidence, by bracketing and bisection over a callback that runs a
//! sequential point (stats/stopping.h) at a parameter value; and the two-parameter frontier
//! (a search over parameter 2 at each value of a grid over parameter 1). Pure functions: the
//! engine supplies the callback (same instance keys at every value: common random numbers).
//! Algorithms and guarantees: docs/statistics.md.

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "xbarmc/config/node.h"
#include "xbarmc/stats/stopping.h"

namespace xbarmc::stats {

//! Which end of the passing region is sought.
enum class SearchDirection {
  Largest,  //!< yield decreases with the parameter: largest value meeting the spec
  Smallest  //!< yield increases with the parameter: smallest value meeting the spec
};

//! What one search needs besides the callback.
struct SearchSpec {
  double lo = 0, hi = 1;  //!< parameter range, lo < hi (parameter units)
  SearchDirection direction = SearchDirection::Largest;
  double target_yield = 0.9;  //!< a value meets the spec when its yield lower bound >= this
  double resolution = 0.01;   //!< stop when |first_fail - last_pass| <= resolution
};

//! Runs the sequential rule at a parameter value and returns its outcome.
using PointEvaluator = std::function<SequentialOutcome(double value)>;

//! One evaluated parameter value.
struct EvaluatedPoint {
  double value = 0;           //!< parameter value
  SequentialOutcome outcome;  //!< instances, passes, interval, stop reason
  bool meets_spec = false;    //!< outcome.interval.lo >= target_yield
};

enum class SearchStatus {
  Bracketed,  //!< last_pass and first_fail both found, within `resolution`
  AllPass,    //!< even the far end of the range meets the spec (last_pass = that end)
  NonePass    //!< even the near end fails (first_fail = that end)
};

//! Stable lower-case name ("bracketed", "all_pass", "none_pass").
const char* to_string(SearchStatus status);

struct SearchResult {
  SearchStatus status = SearchStatus::Bracketed;
  double last_pass = 0;   //!< best value meeting the spec (NaN when NonePass)
  double first_fail = 0;  //!< nearest value beyond it not meeting the spec (NaN when AllPass)
  std::vector<EvaluatedPoint> points;  //!< in evaluation order
  std::vector<std::string> warnings;   //!< non-monotone observations, undecided points
  [[nodiscard]] std::uint64_t total_instances() const;
};

//! Evaluates the near end of the range (lo for Largest, hi for Smallest), then the far end,
//! then bisects the bracket [passing, failing] at its midpoint until it is no wider than
//! spec.resolution: at most 2 + ceil(log2((hi - lo) / resolution)) evaluations
//! (max_evaluations()). Throws InputError on an invalid spec.
SearchResult search_spec(const SearchSpec& spec, const PointEvaluator& evaluate);

//! Upper bound on the number of evaluations of search_spec (for Bonferroni, see
//! per_point_confidence).
std::size_t max_evaluations(const SearchSpec& spec);

//! Warnings for evaluated points that contradict a monotone yield: a pair x_i < x_j whose
//! intervals are disjoint in the wrong order (Largest: hi(x_i) < lo(x_j)), or whose spec
//! classification is in the wrong order (Largest: x_i fails, x_j passes). Each names both
//! points with their intervals. Undecided points (stopped with the target inside the
//! interval, counted as failing) get a warning each.
std::vector<std::string> monotonicity_warnings(std::span<const EvaluatedPoint> points,
                                               SearchDirection direction, double target_yield);

//! Per-chip violations of the common-random-numbers premise between two evaluated values.
struct ChipViolations {
  double higher = 0;             //!< value that should have the higher yield (smaller, for Largest)
  double lower = 0;              //!< value that should have the lower yield
  std::uint64_t chips = 0;       //!< instances compared (common prefix of both flag vectors)
  std::uint64_t violations = 0;  //!< chips failing at `higher` but passing at `lower`
};

//! Checks that pass flags are monotone chip by chip (the premise of the no-correction argument,
//! docs/statistics.md Sec. 4): `flags[i]` are the pass flags of `values[i]` in instance-index
//! order (same instance keys at every value). Returns every pair with at least one violation.
//! Throws InputError when the spans differ in length.
std::vector<ChipViolations> chip_monotonicity(std::span<const double> values,
                                              std::span<const std::vector<std::uint8_t>> flags,
                                              SearchDirection direction);

//! Runs the sequential rule at (value of parameter 1, value of parameter 2).
using PairEvaluator = std::function<SequentialOutcome(double outer, double inner)>;

//! One row of a frontier: parameter 1's value and the search over parameter 2 there.
struct FrontierRow {
  double outer = 0;
  SearchResult search;
};

//! Two-parameter frontier: for each value of `outer_values` (in the given order), a
//! search_spec over parameter 2 with `inner`. The boundary curve is
//! outer -> [last_pass, first_fail]. Each row's warnings are its own search's.
std::vector<FrontierRow> search_frontier(const SearchSpec& inner,
                                         std::span<const double> outer_values,
                                         const PairEvaluator& evaluate);

// ---------------------------------------------------------------------------------------
// Configuration: the `/search` section.

//! Checks a parameter pointer at integration time: returns "" when it is a numeric,
//! sweepable pointer of the study, otherwise the reason (recorded at the key's pointer).
using PointerCheck = std::function<std::string(const std::string& pointer)>;

//! A validated `/search` section.
struct SearchConfig {
  std::string pointer;        //!< JSON pointer of the searched parameter
  SearchSpec spec;            //!< range, direction, target yield, resolution
  double threshold = 0;       //!< accuracy threshold of a pass (as /statistics/threshold_mode)
  double confidence = 0.95;   //!< confidence of the whole result (see per_point_confidence)
  bool bonferroni = true;     //!< split 1 - confidence over max_evaluations points
  std::string outer_pointer;  //!< frontier: parameter 1 ("" = single search)
  std::vector<double> outer_values;  //!< frontier: parameter 1's grid
};

//! Parses `/search` (node of that object). Keys: pointer (required), range [lo, hi]
//! (required, lo < hi), direction "largest" | "smallest", target_yield in (0, 1) (required),
//! resolution > 0 (required), threshold in [0, 1] (default `default_threshold`),
//! confidence in (0, 1) (default `default_confidence`), correction "bonferroni" | "none",
//! frontier {pointer, values} (optional). `check` validates each pointer.
SearchConfig parse_search(config::Node node, double default_threshold, double default_confidence,
                          const PointerCheck& check);

//! Confidence each evaluated point's sequence must use so that all of them hold at once with
//! probability >= config.confidence: 1 - (1 - confidence) / max_evaluations(spec) with
//! Bonferroni, else config.confidence.
double per_point_confidence(const SearchConfig& config);

//! The stopping rule to run at each search point: `base` (the study's /monte_carlo/stopping,
//! enabled or not, which supplies batch and max_instances) with the search's target yield,
//! threshold and per-point confidence, enabled, and without a width criterion (a point
//! stopped by width would stay undecided).
StoppingRule rule_for_search(const StoppingRule& base, const SearchConfig& config);

}  // namespace xbarmc::stats
