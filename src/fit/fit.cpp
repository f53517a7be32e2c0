// The fit: stuck devices, programming error per level (one-way random-effects ANOVA over
// devices), drift exponents by log-log regression, read noise from repeated reads, and the
// parametric forms. Formulas and sources: docs/device-fit.md.
#include "xbarmc/fit/fit.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "xbarmc/fit/events.h"
#include "xbarmc/util/error.h"

namespace xbarmc::fit {

// Defined in fit_output.cpp.
void build_device_json(FitResult& r, const Measurements& m);

namespace {

Interval sqrt_interval(const Interval& v) {
  auto s = [](double x) { return std::isnan(x) ? NAN : std::sqrt(std::max(0.0, x)); };
  return {s(v.estimate), s(v.lo), s(v.hi)};
}

Interval shift(const Interval& v, double d) { return {v.estimate - d, v.lo - d, v.hi - d}; }

// Relative read noise: ratio estimator sum (g - m)^2 / sum (R - 1) m^2 over groups of R >= 2
// repeated reads with mean m (groups near G = 0 weigh little, unlike a mean of (g - m)^2/m^2);
// chi-square interval with Satterthwaite's effective degrees of freedom
// (sum m^2)^2 / sum m^4 of the weighted sum.
void fit_read_noise(FitResult& r, const std::vector<const Event*>& ok) {
  double ss = 0, df = 0, dfm2 = 0, dfm4 = 0;
  for (const Event* e : ok)
    for (const auto& [t, g] : e->reads) {
      if (g.size() < 2) continue;
      double m = 0;
      for (double v : g) m += v;
      m /= static_cast<double>(g.size());
      for (double v : g) ss += (v - m) * (v - m);
      const double k = static_cast<double>(g.size() - 1);
      df += k;
      dfm2 += k * m * m;
      dfm4 += k * m * m * m * m;
    }
  if (df < 1) {
    r.warnings.push_back(
        "read noise cannot be estimated: no repeated reads (column \"read\") at the same time; "
        "read noise is off and the C2C component includes it");
    return;
  }
  r.read_noise = true;
  const double rel2 = dfm2 > 0 ? ss / dfm2 : 0;
  const double df_eff = dfm4 > 0 ? dfm2 * dfm2 / dfm4 : df;
  r.read_sigma_rel = sqrt_interval(chi_square_interval(rel2, df_eff, r.options.level));
}

// Read-noise variance of the first-read means of `evs`: the pooled variance of the repeated
// reads at the first time times the mean of 1/R (0 without repeated reads).
double first_read_noise_var(const std::vector<const Event*>& evs) {
  double ss = 0, df = 0, inv_reads = 0;
  for (const Event* e : evs) {
    const auto& g = e->reads.begin()->second;
    inv_reads += 1.0 / static_cast<double>(g.size());
    if (g.size() < 2) continue;
    double m = 0;
    for (double v : g) m += v;
    m /= static_cast<double>(g.size());
    for (double v : g) ss += (v - m) * (v - m);
    df += static_cast<double>(g.size() - 1);
  }
  return df > 0 ? ss / df * inv_reads / static_cast<double>(evs.size()) : 0;
}

// Drift exponent of one event: -slope of ln G on ln(t_eff/t0) (ordinary least squares over
// the event's read times, G = mean of the repeated reads). NaN when not estimable.
double event_nu(const Event& e, double t0, bool offset) {
  std::vector<double> x, y;
  for (const auto& [t, g] : e.reads) {
    double m = 0;
    for (double v : g) m += v;
    m /= static_cast<double>(g.size());
    if (!(m > 0)) return NAN;
    const double te = offset ? t + t0 : t;
    x.push_back(std::log(std::max(te, t0) / t0));
    y.push_back(std::log(m));
  }
  if (x.size() < 2) return NAN;
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(x.size());
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
  return sxx > 0 ? -sxy / sxx : NAN;
}

void fit_level(FitResult& r, LevelFit& lf, const std::vector<const Event*>& evs,
               std::size_t n_devices) {
  const double level = r.options.level;
  std::vector<std::vector<double>> by_dev(n_devices), nu_by_dev(n_devices);
  for (const Event* e : evs) {
    const double y = e->first_mean();
    by_dev[e->device].push_back(y);
    lf.first_uS.push_back(y);
    if (r.drift) {
      const double nu = event_nu(*e, r.drift_t0_s, r.drift_offset_by_t0);
      if (!std::isnan(nu)) nu_by_dev[e->device].push_back(nu);
    }
  }
  lf.programmings = evs.size();
  for (const auto& g : by_dev) lf.devices += g.empty() ? 0 : 1;
  std::ostringstream where;
  where << "level " << lf.target_uS << " uS";
  if (evs.size() < 2) {
    r.warnings.push_back(where.str() +
                         ": fewer than two programmings (of devices that follow their targets); "
                         "nothing is estimated there");
    lf.offset_uS = {lf.first_uS.empty() ? NAN : lf.first_uS[0] - lf.target_uS, NAN, NAN};
    lf.d2d_sigma_uS = lf.c2c_sigma_uS = lf.total_sigma_uS = {NAN, NAN, NAN};
    lf.nu_mean = lf.nu_sigma = {NAN, NAN, NAN};
    return;
  }
  const OneWayAnova a = one_way_anova(by_dev, level);
  lf.offset_uS = shift(a.mean, lf.target_uS);
  // Read noise of the first-read means (pooled variance of their repeated reads / R), removed
  // from the within (C2C) and total components and treated as known.
  const double delta = first_read_noise_var(evs);
  lf.total_sigma_uS = sqrt_interval(shift(a.var_total, delta));
  if (a.between_identified) {
    lf.d2d_sigma_uS = sqrt_interval(a.var_between);
    lf.c2c_sigma_uS = sqrt_interval(shift(a.var_within, delta));
  } else {
    lf.d2d_sigma_uS = {NAN, NAN, NAN};
    lf.c2c_sigma_uS =
        a.within_identified ? sqrt_interval(shift(a.var_within, delta)) : Interval{NAN, NAN, NAN};
    r.warnings.push_back(
        where.str() +
        (a.groups < 2 ? ": one device only, so the device-to-device (D2D) component cannot be "
                        "separated from the cycle-to-cycle (C2C) one"
                      : ": every device was programmed once only, so the cycle-to-cycle (C2C) "
                        "component cannot be separated from the device-to-device (D2D) one") +
        "; the written model puts the whole variance into C2C");
  }
  lf.ks = ks_normal(lf.first_uS, a.mean.estimate, std::sqrt(std::max(0.0, a.var_total.estimate)));

  if (r.drift) {
    std::size_t n = 0;
    for (const auto& g : nu_by_dev) n += g.size();
    if (n < 2) return;
    const OneWayAnova an = one_way_anova(nu_by_dev, level);
    lf.drift = true;
    lf.nu_mean = an.mean;
    if (an.between_identified) {
      lf.nu_sigma = sqrt_interval(an.var_between);
    } else {
      lf.nu_sigma = sqrt_interval(an.var_total);
      r.warnings.push_back(where.str() +
                           ": the spread of the drift exponent between devices cannot be "
                           "separated from the slope-estimation noise (needs several devices "
                           "programmed more than once); nu_sigma includes that noise");
    }
  }
}

// Weight of a per-level estimate for the polynomial fits: 1 / SE^2 with SE from the interval.
double weight(const Interval& v, double z, double floor) {
  double se = (v.hi - v.lo) / (2 * z);
  // An interval that could not be computed carries (almost) no weight.
  if (!std::isfinite(se)) se = 1e3 * (std::abs(v.estimate) + floor);
  se = std::max(se, floor);
  return 1 / (se * se);
}

void fit_parametric(FitResult& r) {
  const double z = normal_quantile(1 - (1 - r.options.level) / 2);
  std::vector<double> x, d2d, c2c, wd, wc;
  double scale = 0;
  for (const auto& l : r.levels) scale = std::max(scale, std::abs(l.total_sigma_uS.estimate));
  const double floor = 1e-6 * scale + 1e-12;
  for (const auto& l : r.levels) {
    if (std::isnan(l.total_sigma_uS.estimate)) continue;
    x.push_back(l.target_uS / r.g_max_uS);
    const bool split = !std::isnan(l.d2d_sigma_uS.estimate);
    d2d.push_back(split ? l.d2d_sigma_uS.estimate : 0);
    wd.push_back(split ? weight(l.d2d_sigma_uS, z, floor) : 1 / (floor * floor));
    c2c.push_back(split ? l.c2c_sigma_uS.estimate : l.total_sigma_uS.estimate);
    wc.push_back(weight(split ? l.c2c_sigma_uS : l.total_sigma_uS, z, floor));
  }
  if (x.empty()) throw InputError("no level has two or more programmings: nothing to fit");
  for (const auto& l : r.levels)
    if (l.offset_uS.lo > 0 || l.offset_uS.hi < 0) {
      std::ostringstream os;
      os << "level " << l.target_uS << " uS: mean offset " << l.offset_uS.estimate
         << " uS differs from 0, but the parametric forms have no offset (--model table keeps "
            "it)";
      r.warnings.push_back(os.str());
    }
  auto fit = [&](const std::vector<double>& y, const std::vector<double>& w) {
    if (r.options.poly_order >= 0)
      return poly_fit(x, y, w, std::min<int>(r.options.poly_order, static_cast<int>(x.size()) - 1),
                      r.options.level);
    return poly_fit_select(x, y, w, r.options.max_poly_order, r.options.use_bic, r.options.level);
  };
  if (r.d2d_identified) r.d2d_poly = fit(d2d, wd);
  r.c2c_poly = fit(c2c, wc);
  if (!r.drift) return;
  std::vector<double> lx, mu, sg, wm, ws;
  for (const auto& l : r.levels) {
    if (!l.drift || !(l.target_uS > 0)) continue;
    lx.push_back(std::log(l.target_uS / r.g_max_uS));
    mu.push_back(l.nu_mean.estimate);
    wm.push_back(weight(l.nu_mean, z, 1e-9));
    sg.push_back(l.nu_sigma.estimate);
    ws.push_back(weight(l.nu_sigma, z, 1e-9));
  }
  if (lx.empty()) return;
  const int order = lx.size() >= 2 ? 1 : 0;
  r.nu_mean_fit = poly_fit(lx, mu, wm, order, r.options.level);
  r.nu_sigma_fit = poly_fit(lx, sg, ws, order, r.options.level);
}

}  // namespace

FitResult fit_measurements(const Measurements& m, const FitOptions& options) {
  FitResult r;
  r.options = options;
  if (!(options.level > 0 && options.level < 1))
    throw InputError("the confidence level must lie in (0, 1)");
  const EventTable t = group_events(m);
  r.g_min_uS = options.g_min_uS >= 0 ? options.g_min_uS : t.targets_uS.front();
  r.g_max_uS = options.g_max_uS >= 0 ? options.g_max_uS : t.targets_uS.back();
  if (!(r.g_max_uS > r.g_min_uS)) throw InputError("the device range needs g_max_uS > g_min_uS");
  r.devices = m.devices.size();
  r.rows = m.reads.size();

  // Stuck devices, excluded from every other fit.
  const auto cls = classify_devices(t, r.devices, r.g_min_uS, r.g_max_uS, options.stuck_z);
  for (std::size_t d = 0; d < r.devices; ++d) {
    if (cls[d] == DeviceClass::Ok) continue;
    const char* why = cls[d] == DeviceClass::StuckMin   ? "stuck at g_min"
                      : cls[d] == DeviceClass::StuckMax ? "stuck at g_max"
                                                        : "does not follow its targets";
    r.excluded_devices.push_back(m.devices[d] + ": " + why);
    (cls[d] == DeviceClass::StuckMin   ? r.stuck_min
     : cls[d] == DeviceClass::StuckMax ? r.stuck_max
                                       : r.erratic)++;
  }
  r.stuck_min_rate = wilson_interval(r.stuck_min, r.devices, options.level);
  r.stuck_max_rate = wilson_interval(r.stuck_max, r.devices, options.level);
  std::vector<const Event*> ok;
  std::size_t devices_ok = 0;
  for (std::size_t d = 0; d < r.devices; ++d) devices_ok += cls[d] == DeviceClass::Ok ? 1 : 0;
  for (const auto& e : t.events)
    if (cls[e.device] == DeviceClass::Ok) {
      ok.push_back(&e);
      r.rows_used += e.rows.size();
    }
  if (ok.empty()) throw InputError("every device was excluded by the stuck rule: nothing to fit");
  if (devices_ok < 2)
    r.warnings.push_back(
        "only one device follows its targets: the device-to-device (D2D) component cannot be "
        "separated from the cycle-to-cycle (C2C) one anywhere");

  // Drift reference: the earliest read time (t_eff = t) or, when reads start at t = 0,
  // t_eff = t + drift_t0_s.
  double t_first = INFINITY;
  std::size_t max_times = 0;
  for (const Event* e : ok) {
    t_first = std::min(t_first, e->first_time());
    max_times = std::max(max_times, e->reads.size());
  }
  r.drift_offset_by_t0 = !(t_first > 0);
  r.drift_t0_s = r.drift_offset_by_t0 ? options.drift_t0_s : t_first;
  r.drift = max_times >= 2;
  if (!r.drift)
    r.warnings.push_back(
        "drift cannot be estimated: every programming was read at one time only; drift is off");

  fit_read_noise(r, ok);
  std::vector<std::vector<const Event*>> per_level(t.targets_uS.size());
  for (const Event* e : ok) per_level[e->level].push_back(e);
  r.d2d_identified = r.c2c_identified = true;
  double var_d2d = 0, var_tot = 0;
  for (std::size_t k = 0; k < t.targets_uS.size(); ++k) {
    LevelFit lf;
    lf.target_uS = t.targets_uS[k];
    fit_level(r, lf, per_level[k], r.devices);
    if (!std::isnan(lf.total_sigma_uS.estimate)) {
      const bool split = !std::isnan(lf.d2d_sigma_uS.estimate);
      r.d2d_identified = r.d2d_identified && split;
      r.c2c_identified = r.c2c_identified && !std::isnan(lf.c2c_sigma_uS.estimate);
      if (split) var_d2d += lf.d2d_sigma_uS.estimate * lf.d2d_sigma_uS.estimate;
      var_tot += lf.total_sigma_uS.estimate * lf.total_sigma_uS.estimate;
    }
    r.levels.push_back(lf);
  }
  if (!(var_tot >= 0) || std::none_of(r.levels.begin(), r.levels.end(), [](const LevelFit& l) {
        return !std::isnan(l.total_sigma_uS.estimate);
      }))
    throw InputError(
        "no level has two or more programmings of devices that follow their "
        "targets: nothing to fit");
  if (!r.d2d_identified) var_d2d = 0;
  r.d2d_fraction = var_tot > 0 ? std::clamp(var_d2d / var_tot, 0.0, 1.0) : 0;
  bool any_drift = false;
  for (const auto& l : r.levels) any_drift = any_drift || l.drift;
  r.drift = r.drift && any_drift;
  if (options.model == ModelKind::Parametric) fit_parametric(r);
  build_device_json(r, m);
  return r;
}

}  // namespace xbarmc::fit
