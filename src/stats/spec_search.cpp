#include "xbarmc/stats/spec_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "xbarmc/util/error.h"

namespace xbarmc::stats {

namespace {

std::string describe_point(const EvaluatedPoint& p) {
  std::ostringstream s;
  s.precision(6);
  s << p.value << " (yield " << p.outcome.passed << "/" << p.outcome.n << ", interval ["
    << p.outcome.interval.lo << ", " << p.outcome.interval.hi << "], "
    << (p.meets_spec ? "meets" : "fails") << ")";
  return s.str();
}

void check_spec(const SearchSpec& s) {
  if (!(std::isfinite(s.lo) && std::isfinite(s.hi) && s.lo < s.hi && std::isfinite(s.hi - s.lo)))
    throw InputError("search range must be finite with lo < hi");
  if (!(s.target_yield > 0 && s.target_yield < 1))
    throw InputError("search target yield must lie in (0, 1)");
  if (!(s.resolution > 0)) throw InputError("search resolution must be > 0");
}

}  // namespace

const char* to_string(SearchStatus status) {
  switch (status) {
    case SearchStatus::Bracketed:
      return "bracketed";
    case SearchStatus::AllPass:
      return "all_pass";
    case SearchStatus::NonePass:
      return "none_pass";
  }
  return "?";
}

std::uint64_t SearchResult::total_instances() const {
  std::uint64_t n = 0;
  for (const auto& p : points) n += p.outcome.n;
  return n;
}

std::size_t max_evaluations(const SearchSpec& spec) {
  check_spec(spec);
  // Bisection of a double interval ends after at most ~2100 halvings (see search_spec).
  const double halvings = std::ceil(std::log2((spec.hi - spec.lo) / spec.resolution));
  return 2 + static_cast<std::size_t>(std::clamp(halvings, 0.0, 2100.0));
}

SearchResult search_spec(const SearchSpec& spec, const PointEvaluator& evaluate) {
  check_spec(spec);
  SearchResult r;
  const auto eval = [&](double x) {
    EvaluatedPoint p{x, evaluate(x), false};
    p.meets_spec = p.outcome.interval.lo >= spec.target_yield;
    r.points.push_back(p);
    return p.meets_spec;
  };
  const bool largest = spec.direction == SearchDirection::Largest;
  const double near_end = largest ? spec.lo : spec.hi;
  const double far_end = largest ? spec.hi : spec.lo;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!eval(near_end)) {
    r.status = SearchStatus::NonePass;
    r.last_pass = nan;
    r.first_fail = near_end;
  } else if (eval(far_end)) {
    r.status = SearchStatus::AllPass;
    r.last_pass = far_end;
    r.first_fail = nan;
  } else {
    double pass = near_end, fail = far_end;
    while (std::abs(fail - pass) > spec.resolution) {
      const double mid = pass + (fail - pass) / 2;
      if (mid == pass || mid == fail) break;  // floating-point resolution reached
      (eval(mid) ? pass : fail) = mid;
    }
    r.status = SearchStatus::Bracketed;
    r.last_pass = pass;
    r.first_fail = fail;
  }
  r.warnings = monotonicity_warnings(r.points, spec.direction, spec.target_yield);
  return r;
}

std::vector<std::string> monotonicity_warnings(std::span<const EvaluatedPoint> points,
                                               SearchDirection direction, double target_yield) {
  std::vector<std::string> out;
  const bool largest = direction == SearchDirection::Largest;
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = 0; j < points.size(); ++j) {
      if (!(points[i].value < points[j].value)) continue;
      // a = the point that should have the higher yield, b = the lower.
      const EvaluatedPoint& a = largest ? points[i] : points[j];
      const EvaluatedPoint& b = largest ? points[j] : points[i];
      if (a.outcome.interval.hi < b.outcome.interval.lo)
        out.push_back("non-monotone yield: " + describe_point(a) + " is significantly below " +
                      describe_point(b));
      else if (!a.meets_spec && b.meets_spec)
        out.push_back("non-monotone spec: " + describe_point(a) + " fails but " +
                      describe_point(b) + " meets the spec");
    }
  }
  for (const auto& p : points) {
    const auto& ci = p.outcome.interval;
    if (ci.lo < target_yield && ci.hi >= target_yield)
      out.push_back(std::string("undecided (stopped by ") + to_string(p.outcome.reason) +
                    "), counted as failing: " + describe_point(p));
  }
  return out;
}

std::vector<ChipViolations> chip_monotonicity(std::span<const double> values,
                                              std::span<const std::vector<std::uint8_t>> flags,
                                              SearchDirection direction) {
  if (values.size() != flags.size())
    throw InputError("chip_monotonicity: one flag vector per value is needed");
  std::vector<ChipViolations> out;
  const bool largest = direction == SearchDirection::Largest;
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (std::size_t j = 0; j < values.size(); ++j) {
      if (!(values[i] < values[j])) continue;
      const std::size_t hi = largest ? i : j, lo = largest ? j : i;
      ChipViolations v{values[hi], values[lo], std::min(flags[hi].size(), flags[lo].size()), 0};
      for (std::size_t k = 0; k < v.chips; ++k) v.violations += !flags[hi][k] && flags[lo][k];
      if (v.violations > 0) out.push_back(v);
    }
  }
  return out;
}

std::vector<FrontierRow> search_frontier(const SearchSpec& inner,
                                         std::span<const double> outer_values,
                                         const PairEvaluator& evaluate) {
  std::vector<FrontierRow> rows;
  rows.reserve(outer_values.size());
  for (double outer : outer_values) {
    FrontierRow row;
    row.outer = outer;
    row.search = search_spec(inner, [&](double v) { return evaluate(outer, v); });
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace xbarmc::stats
