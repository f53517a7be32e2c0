// The fitted device config ("/device" schema, device/params.h) with its "fit" provenance block,
// and the data of the fit report (docs/device-fit.md, section 4).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "xbarmc/fit/events.h"
#include "xbarmc/fit/fit.h"
#include "xbarmc/util/error.h"

namespace xbarmc::fit {

using config::Json;

namespace {

Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json interval(const Interval& v) {
  return Json{{"estimate", num(v.estimate)}, {"ci", Json::array({num(v.lo), num(v.hi)})}};
}

Json poly(const PolyFit& p) {
  Json c = Json::array();
  for (const auto& k : p.coeffs) c.push_back(interval(k));
  return Json{{"coeffs", c}, {"chi2", num(p.chi2)}, {"aic", num(p.aic)}, {"bic", num(p.bic)}};
}

std::vector<double> estimates(const PolyFit& p) {
  std::vector<double> v;
  for (const auto& c : p.coeffs) v.push_back(c.estimate);
  return v;
}

Json fit_block(const FitResult& r, const Measurements& m) {
  Json levels = Json::array();
  for (const auto& l : r.levels) {
    Json j{{"target_uS", l.target_uS},
           {"devices", l.devices},
           {"programmings", l.programmings},
           {"offset_uS", interval(l.offset_uS)},
           {"d2d_sigma_uS", interval(l.d2d_sigma_uS)},
           {"c2c_sigma_uS", interval(l.c2c_sigma_uS)},
           {"total_sigma_uS", interval(l.total_sigma_uS)},
           {"ks", Json{{"d", num(l.ks.d)}, {"p", num(l.ks.p)}}}};
    if (l.drift) {
      j["nu_mean"] = interval(l.nu_mean);
      j["nu_sigma"] = interval(l.nu_sigma);
    }
    levels.push_back(j);
  }
  std::map<std::string, std::size_t> reasons;
  for (const auto& e : r.excluded_devices) reasons[e.substr(e.find(": ") + 2)] += 1;
  Json excluded = Json::array();
  Json dev_list = Json::array();
  for (const auto& e : r.excluded_devices) dev_list.push_back(e);
  excluded.push_back(Json{{"reason", "device excluded by the stuck rule (docs/device-fit.md)"},
                          {"rows", r.rows - r.rows_used},
                          {"devices", dev_list}});
  Json b{{"format", "xbarmc-fit 1"},
         {"method", "docs/device-fit.md"},
         {"model", r.options.model == ModelKind::Table ? "table" : "parametric"},
         {"confidence", r.options.level},
         {"input", Json{{"file", std::filesystem::path(m.source).filename().string()},
                        {"sha256", m.sha256},
                        {"rows", r.rows},
                        {"rows_used", r.rows_used},
                        {"rows_excluded", excluded},
                        {"devices", r.devices},
                        {"levels", r.levels.size()}}},
         {"levels", levels},
         {"d2d_fraction", r.d2d_fraction},
         {"stuck", Json{{"at_g_min", r.stuck_min},
                        {"at_g_max", r.stuck_max},
                        {"erratic", r.erratic},
                        {"at_g_min_rate", interval(r.stuck_min_rate)},
                        {"at_g_max_rate", interval(r.stuck_max_rate)}}},
         {"warnings", r.warnings}};
  if (r.read_noise) b["read_sigma_rel"] = interval(r.read_sigma_rel);
  if (r.options.model == ModelKind::Parametric) {
    Json p{{"x", "target_uS / g_max_uS"}, {"c2c_sigma_uS", poly(r.c2c_poly)}};
    if (r.d2d_identified) p["d2d_sigma_uS"] = poly(r.d2d_poly);
    if (r.drift) {
      p["nu_mean_vs_ln_x"] = poly(r.nu_mean_fit);
      p["nu_sigma_vs_ln_x"] = poly(r.nu_sigma_fit);
    }
    b["parametric"] = p;
  }
  return b;
}

}  // namespace

void build_device_json(FitResult& r, const Measurements& m) {
  Json d;
  d["name"] = r.options.name;
  d["source"] = "xbarmc fit of " + std::filesystem::path(m.source).filename().string() +
                " (sha256 " + m.sha256 + "); estimators: docs/device-fit.md";
  d["notes"] = r.warnings.empty() ? std::string("every component was identified")
                                  : "fit warnings: see fit.warnings";
  d["g_min_uS"] = r.g_min_uS;
  d["g_max_uS"] = r.g_max_uS;
  if (r.options.model == ModelKind::Table) {
    Json levels = Json::array();
    for (const auto& l : r.levels) {
      if (std::isnan(l.total_sigma_uS.estimate)) continue;
      Json j{{"target_uS", l.target_uS},
             {"mean_uS", std::max(0.0, l.target_uS + l.offset_uS.estimate)},
             {"sigma_uS", std::max(0.0, l.total_sigma_uS.estimate)}};
      if (r.drift) {
        j["nu_mean"] = l.drift ? l.nu_mean.estimate : 0.0;
        j["nu_sigma"] = l.drift ? std::max(0.0, l.nu_sigma.estimate) : 0.0;
      }
      levels.push_back(j);
    }
    d["table"] = Json{{"enabled", true}, {"d2d_fraction", r.d2d_fraction}, {"levels", levels}};
  } else {
    Json prog;
    if (r.d2d_identified && !r.d2d_poly.coeffs.empty())
      prog["d2d"] = Json{{"enabled", true},
                         {"form", "polynomial"},
                         {"coeffs_uS", estimates(r.d2d_poly)},
                         {"g_ref_uS", r.g_max_uS}};
    prog["c2c"] = Json{{"enabled", true},
                       {"form", "polynomial"},
                       {"coeffs_uS", estimates(r.c2c_poly)},
                       {"g_ref_uS", r.g_max_uS}};
    d["programming"] = prog;
  }
  d["faults"] = Json{{"enabled", r.stuck_min + r.stuck_max > 0},
                     {"stuck_at_g_min_rate", r.stuck_min_rate.estimate},
                     {"stuck_at_g_max_rate", r.stuck_max_rate.estimate}};
  const bool drift_ok =
      r.drift && (r.options.model == ModelKind::Table || !r.nu_mean_fit.coeffs.empty());
  if (drift_ok) {
    Json dr{{"enabled", true}, {"t0_s", r.drift_t0_s}, {"offset_by_t0", r.drift_offset_by_t0}};
    if (r.options.model == ModelKind::Table) {
      dr["nu_form"] = "table";
      dr["nu_min"] = -1.0;
      dr["nu_max"] = 1.0;
    } else {
      // nu = |mu(x) + sigma(x) z| with mu, sigma linear in ln x, clipped to the fitted range.
      double mlo = INFINITY, mhi = -INFINITY, slo = INFINITY, shi = -INFINITY, xmin = 1;
      for (const auto& l : r.levels) {
        if (!l.drift || !(l.target_uS > 0)) continue;
        const double lx = std::log(l.target_uS / r.g_max_uS);
        xmin = std::min(xmin, l.target_uS / r.g_max_uS);
        mlo = std::min(mlo, r.nu_mean_fit.eval(lx)), mhi = std::max(mhi, r.nu_mean_fit.eval(lx));
        slo = std::min(slo, r.nu_sigma_fit.eval(lx)), shi = std::max(shi, r.nu_sigma_fit.eval(lx));
      }
      auto c = [](const PolyFit& p, std::size_t k) {
        return k < p.coeffs.size() ? p.coeffs[k].estimate : 0.0;
      };
      dr["nu_form"] = "pcm";
      dr["mu_a"] = c(r.nu_mean_fit, 1), dr["mu_b"] = c(r.nu_mean_fit, 0);
      dr["mu_lo"] = mlo, dr["mu_hi"] = mhi;
      dr["sig_a"] = c(r.nu_sigma_fit, 1), dr["sig_b"] = c(r.nu_sigma_fit, 0);
      dr["sig_lo"] = std::max(0.0, slo), dr["sig_hi"] = std::max(std::max(0.0, slo), shi);
      dr["x_min"] = xmin;
    }
    d["drift"] = dr;
  }
  if (r.read_noise)
    d["read_noise"] =
        Json{{"enabled", true}, {"form", "relative"}, {"sigma_rel", r.read_sigma_rel.estimate}};
  d["fit"] = fit_block(r, m);
  r.device = d;

  // Report data: the fit block, first reads per level, drift fan.
  Json rep = d["fit"];
  Json samples = Json::array();
  for (const auto& l : r.levels) samples.push_back(l.first_uS);
  rep["first_reads_uS"] = samples;
  r.report = rep;
  // Drift fan: quantiles of G(t)/G(first read) per level and time.
  const EventTable t = group_events(m);
  std::vector<std::map<double, std::vector<double>>> ratio(t.targets_uS.size());
  std::map<std::string, bool> ex_id;
  for (const auto& e : r.excluded_devices) ex_id[e.substr(0, e.rfind(": "))] = true;
  for (const auto& e : t.events) {
    if (ex_id.count(m.devices[e.device]) != 0) continue;
    const double y0 = e.first_mean();
    if (!(y0 > 0)) continue;
    for (const auto& [time, g] : e.reads) {
      double s = 0;
      for (double v : g) s += v;
      ratio[e.level][time].push_back(s / static_cast<double>(g.size()) / y0);
    }
  }
  Json fan = Json::array();
  for (std::size_t k = 0; k < ratio.size(); ++k) {
    Json lv = Json::array();
    for (auto& entry : ratio[k]) {
      const double time = entry.first;
      std::vector<double>& v = entry.second;  // (a structured binding cannot be captured: clang 14)
      std::sort(v.begin(), v.end());
      auto q = [&](double p) { return v[static_cast<std::size_t>(p * (v.size() - 1) + 0.5)]; };
      lv.push_back(Json{{"time_s", time},
                        {"q05", q(0.05)},
                        {"q25", q(0.25)},
                        {"q50", q(0.5)},
                        {"q75", q(0.75)},
                        {"q95", q(0.95)}});
    }
    fan.push_back(lv);
  }
  r.report["drift_fan"] = fan;
  r.report["drift_t0_s"] = r.drift_t0_s;
  r.report["drift_offset_by_t0"] = r.drift_offset_by_t0;
}

void write_device_json(const FitResult& r, const std::filesystem::path& path) {
  std::ofstream out(path);
  if (!out) throw IoError("cannot write device file " + path.string());
  out << r.device.dump(2) << "\n";
  if (!out) throw IoError("error writing device file " + path.string());
}

void write_report_data(const FitResult& r, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("cannot create report folder " + dir.string() + ": " + ec.message());
  const auto path = dir / "fit_report.json";
  std::ofstream out(path);
  if (!out) throw IoError("cannot write " + path.string());
  out << r.report.dump(1) << "\n";
  if (!out) throw IoError("error writing " + path.string());
}

}  // namespace xbarmc::fit
