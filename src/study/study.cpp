#include "xbarmc/study/study.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace xbarmc::study {

namespace {

using config::Json;
using config::Node;
using config::Range;

//! Most points a sweep may expand into (each is parsed, validated and stored up front).
constexpr double MAX_SWEEP_POINTS = 100000;

const std::vector<std::string> kPointSections = {"mapping", "device", "circuit", "periphery"};

void parse_monte_carlo(Node n, MonteCarloParams& p) {
  // Up to 10^15 (exact in a double): larger sizes are refused by the pre-flight estimate of
  // `xbarmc run` (study/estimate.h) with their memory and time, not by a bare range.
  n.get("instances", p.instances, Range::between(1, 1e15));
  std::int64_t cycles = p.cycles;
  n.get("cycles", cycles, Range::between(1, 1e6));
  p.cycles = static_cast<std::uint32_t>(cycles);
  n.get("times_s", p.times_s, Range::positive());
  if (p.times_s.empty()) n.error("times_s", "must list at least one read time, got []");
  for (std::size_t i = 1; i < p.times_s.size(); ++i)
    if (!(p.times_s[i] > p.times_s[i - 1]))
      n.diagnostics().add(n.pointer_of("times_s") + "/" + std::to_string(i),
                          "read times must increase strictly");
  n.get("test_limit", p.test_limit);
  n.get("batch_size", p.batch_size, Range::between(1, 1e6));
  n.get("probe_size", p.probe_size, Range::between(1, 1e5));
  n.get("max_nonfinite", p.max_nonfinite, Range::between(0, 1e15));
  n.get("max_nonfinite_fraction", p.max_nonfinite_fraction, Range::unit());
  n.finish();
}

void parse_statistics(Node n, StatisticsParams& p) {
  n.choice("threshold_mode", p.threshold_mode,
           {{"absolute", ThresholdMode::Absolute}, {"drop", ThresholdMode::Drop}});
  n.get("thresholds", p.thresholds, Range::unit());
  if (p.thresholds.empty()) n.error("thresholds", "must list at least one threshold, got []");
  n.get("confidence", p.confidence, Range{0.0, 1.0, true, true});
  n.get("histogram_bins", p.histogram_bins, Range::between(1, 100000));
  n.finish();
}

bool pointer_is_sweepable(const std::string& pointer) {
  for (const auto& s : kPointSections)
    if (pointer.rfind("/" + s + "/", 0) == 0) return true;
  return false;
}

void parse_sweep(Node n, SweepMode& mode, std::vector<SweepAxis>& axes) {
  n.choice("mode", mode, {{"grid", SweepMode::Grid}, {"zip", SweepMode::Zip}});
  auto items = n.children("axes");
  for (auto& item : items) {
    SweepAxis axis;
    item.require("pointer", axis.pointer);
    if (!axis.pointer.empty() && !pointer_is_sweepable(axis.pointer)) {
      item.error("pointer", "must point into /mapping, /device, /circuit or /periphery, got \"" +
                                axis.pointer + "\"");
    }
    item.accept("values");
    if (!item.has("values")) {
      item.error("values", "required key is missing");
    } else {
      const Json& v = item.raw()["values"];
      if (!v.is_array() || v.empty()) {
        item.error("values", "must be a non-empty array, got " + config::describe(v));
      } else {
        for (std::size_t k = 0; k < v.size(); ++k)
          if (!v[k].is_primitive() || v[k].is_null())
            item.diagnostics().add(
                item.pointer_of("values") + "/" + std::to_string(k),
                "must be a number, boolean or string, got " + config::describe(v[k]));
        axis.values = v;
      }
    }
    item.finish();
    axes.push_back(std::move(axis));
  }
  if (n.has("axes") && items.empty() && n.raw()["axes"].is_array())
    n.error("axes", "must list at least one axis (omit \"sweep\" for a single point), got []");
  if (mode == SweepMode::Grid && !axes.empty()) {
    // Each point is parsed and validated up front: refuse a grid that cannot be expanded.
    double points = 1;
    for (const auto& a : axes)
      points *= static_cast<double>(std::max<std::size_t>(1, a.values.size()));
    if (points > MAX_SWEEP_POINTS)
      n.error(
          "axes", "the grid has " +
                      [&] {
                        char buf[32];
                        std::snprintf(buf, sizeof buf, "%.0f", points);
                        return std::string(buf);
                      }() +
                      " points (product of the axis lengths), more than the " +
                      std::to_string(static_cast<long>(MAX_SWEEP_POINTS)) +
                      " a study may have; split the sweep into several studies");
  }
  if (mode == SweepMode::Zip && !axes.empty()) {
    for (std::size_t a = 1; a < axes.size(); ++a)
      if (axes[a].values.size() != axes[0].values.size())
        n.error("axes", "zip mode needs axes of equal length, axis 0 has " +
                            std::to_string(axes[0].values.size()) + " values, axis " +
                            std::to_string(a) + " has " + std::to_string(axes[a].values.size()));
  }
  n.finish();
}

//! Every combination of axis values: index lists into each axis.
std::vector<std::vector<std::size_t>> combinations(const std::vector<SweepAxis>& axes,
                                                   SweepMode mode) {
  std::vector<std::vector<std::size_t>> out;
  if (axes.empty()) return {{}};
  if (mode == SweepMode::Zip) {
    for (std::size_t k = 0; k < axes[0].values.size(); ++k) out.emplace_back(axes.size(), k);
    return out;
  }
  std::vector<std::size_t> idx(axes.size(), 0);
  while (true) {
    out.push_back(idx);
    std::size_t a = axes.size();
    while (a > 0) {
      --a;
      if (++idx[a] < axes[a].values.size()) break;
      idx[a] = 0;
      if (a == 0) return out;
    }
  }
}

//! Parses the per-point sections of `doc` into `m`; issues go to `diag`.
void parse_point_sections(const Json& doc, const std::string& config_dir, config::Diagnostics& diag,
                          Json* resolved, PointModels& m) {
  static const Json empty = Json::object();
  auto section = [&](const std::string& key) -> const Json& {
    auto it = doc.find(key);
    return it == doc.end() ? empty : *it;
  };
  // A section that is not an object is reported by its Node ("must be an object"); its
  // defaults must not be recorded under the raw scalar the root copied into `resolved`
  // (nlohmann would throw out_of_range 404, an internal error instead of the message).
  auto resolved_for = [&](const std::string& key) -> Json* {
    return section(key).is_object() ? resolved : nullptr;
  };
  {
    Node n(section("mapping"), "/mapping", diag, resolved_for("mapping"));
    mapping::parse_mapping(n, m.mapping);
  }
  {
    Node n(section("device"), "/device", diag, resolved_for("device"));
    device::parse_device(n, m.device, config_dir);
  }
  if (diag.ok()) {
    // The mapping's conductance range defaults to the device's range.
    try {
      mapping::resolve_range(m.mapping, m.device.g_min_uS, m.device.g_max_uS);
      if (resolved != nullptr) {
        (*resolved)["mapping"]["g_min_uS"] = m.mapping.g_min_uS;
        (*resolved)["mapping"]["g_max_uS"] = m.mapping.g_max_uS;
      }
    } catch (const ConfigError& e) {
      for (const auto& issue : e.issues()) diag.add(issue.pointer, issue.message);
    }
  }
  {
    Node n(section("circuit"), "/circuit", diag, resolved_for("circuit"));
    circuit::parse_circuit(n, m.circuit);
  }
  {
    Node n(section("periphery"), "/periphery", diag, resolved_for("periphery"));
    periphery::parse_periphery(n, m.periphery);
  }
}

}  // namespace

const std::vector<std::string>& sweepable_sections() { return kPointSections; }

Study parse_study(const Json& raw, const std::string& config_dir) {
  Study s;
  s.config_dir = config_dir;
  config::Diagnostics diag;
  Json resolved = Json::object();
  if (!raw.is_object())
    throw ConfigError("", "the configuration must be a JSON object, got " + config::describe(raw));
  Node root(raw, "", diag, &resolved);
  root.known({"$schema", "description"});
  if (root.has("description")) root.accept("description");
  root.get("name", s.name);
  root.get("seed", s.seed);
  {
    Node n = root.child("network");
    n.require("path", s.network.path);
    n.get("train_config", s.network.train_config);
    n.finish();
  }
  {
    Node n = root.child("dataset");
    data::parse_dataset(n, s.dataset);
  }
  parse_monte_carlo(root.child("monte_carlo"), s.monte_carlo);
  parse_statistics(root.child("statistics"), s.statistics);
  if (root.has("sweep"))
    parse_sweep(root.child("sweep"), s.sweep_mode, s.sweep_axes);
  else
    root.accept("sweep");
  {
    Node n = root.child("output");
    s.output_path = "results/" + s.name + ".h5";
    n.get("path", s.output_path);
    n.finish();
  }
  for (const auto& key : kPointSections) root.accept(key);
  root.finish();

  // The base configuration's models (resolved into the printed config).
  PointModels base;
  parse_point_sections(raw, config_dir, diag, &resolved, base);
  diag.throw_if_any();

  // Expand the sweep and validate every point.
  for (const auto& combo : combinations(s.sweep_axes, s.sweep_mode)) {
    PointModels m;
    Json doc = raw;
    for (std::size_t a = 0; a < combo.size(); ++a) {
      const auto& axis = s.sweep_axes[a];
      const Json& value = axis.values[combo[a]];
      m.overrides[axis.pointer] = value;
      m.label += (m.label.empty() ? "" : ", ") + axis.pointer + "=" + value.dump();
      try {
        doc[Json::json_pointer(axis.pointer)] = value;
      } catch (const Json::exception& e) {
        diag.add("/sweep/axes/" + std::to_string(a) + "/pointer",
                 std::string("cannot set: ") + e.what());
      }
    }
    config::Diagnostics point_diag;
    parse_point_sections(doc, config_dir, point_diag, nullptr, m);
    for (const auto& issue : point_diag.issues())
      diag.add(issue.pointer, issue.message + " (sweep point " + std::to_string(s.points.size()) +
                                  (m.label.empty() ? "" : ": " + m.label) + ")");
    if (m.label.empty()) m.label = "base";
    s.points.push_back(std::move(m));
  }
  diag.throw_if_any();
  s.resolved = std::move(resolved);
  return s;
}

Study load_study(const std::string& path, const std::vector<std::string>& overrides) {
  Json raw = config::load_json_file(path);
  for (const auto& o : overrides) config::apply_override(raw, o);
  const auto dir = std::filesystem::path(path).parent_path().string();
  return parse_study(raw, dir.empty() ? "." : dir);
}

}  // namespace xbarmc::study
