// Parsing of the "/device" stage objects. Each stage object has "enabled"; it defaults
// to true when the object is present and false when it is absent.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "xbarmc/device/params.h"

namespace xbarmc::device {

namespace {

using config::Node;
using config::Range;

void parse_enabled(Node& n, bool& enabled, bool present) {
  enabled = present;
  n.get("enabled", enabled);
}

// Keys of other forms given by mistake: an error that names the form in use.
void reject(Node& n, const std::vector<std::string>& keys, const std::string& form) {
  for (const auto& k : keys) {
    if (!n.has(k)) continue;
    n.accept(k);
    n.error(k, "is not used by form \"" + form + "\"");
  }
}

void parse_error_model(Node& n, ErrorModel& m, bool present, const std::string& form_default) {
  parse_enabled(n, m.enabled, present);
  std::string form = form_default;
  const std::vector<std::pair<std::string, ErrorForm>> forms = {
      {"absolute", ErrorForm::Absolute},
      {"relative", ErrorForm::Relative},
      {"range", ErrorForm::Range},
      {"polynomial", ErrorForm::Polynomial},
      {"lognormal", ErrorForm::Lognormal}};
  for (const auto& [name, f] : forms)
    if (name == form) m.form = f;
  n.choice("form", m.form, forms);
  for (const auto& [name, f] : forms)
    if (f == m.form) form = name;
  const std::vector<std::string> all = {"sigma_uS", "sigma_rel",      "coeffs_uS",
                                        "g_ref_uS", "log_sigma_r_on", "log_sigma_r_off"};
  std::vector<std::string> used;
  switch (m.form) {
    case ErrorForm::Absolute:
      n.get("sigma_uS", m.sigma_uS, Range::at_least(0));
      used = {"sigma_uS"};
      break;
    case ErrorForm::Relative:
    case ErrorForm::Range:
      n.get("sigma_rel", m.sigma_rel, Range::at_least(0));
      used = {"sigma_rel"};
      break;
    case ErrorForm::Polynomial:
      n.require("coeffs_uS", m.coeffs_uS);
      if (n.has("coeffs_uS") && m.coeffs_uS.empty())
        n.error("coeffs_uS", "must hold at least one coefficient");
      n.get("g_ref_uS", m.g_ref_uS, Range::positive());
      used = {"coeffs_uS", "g_ref_uS"};
      break;
    case ErrorForm::Lognormal:
      n.get("log_sigma_r_on", m.log_sigma_r_on, Range::at_least(0));
      n.get("log_sigma_r_off", m.log_sigma_r_off, Range::at_least(0));
      used = {"log_sigma_r_on", "log_sigma_r_off"};
      break;
  }
  std::vector<std::string> others;
  for (const auto& k : all)
    if (std::find(used.begin(), used.end(), k) == used.end()) others.push_back(k);
  reject(n, others, form);
  n.finish();
}

void parse_programming(Node& n, Programming& p, double g_max_uS) {
  Node d2d = n.child("d2d");
  parse_error_model(d2d, p.d2d, n.has("d2d"), "relative");
  Node c2c = n.child("c2c");
  parse_error_model(c2c, p.c2c, n.has("c2c"), "relative");
  Node wv = n.child("write_verify");
  parse_enabled(wv, p.write_verify.enabled, n.has("write_verify"));
  wv.get("tolerance_uS", p.write_verify.tolerance_uS, Range::at_least(0));
  wv.get("tolerance_rel", p.write_verify.tolerance_rel, Range::at_least(0));
  wv.get("max_iterations", p.write_verify.max_iterations, Range::between(1, 1000));
  if (p.write_verify.enabled && p.write_verify.tolerance_uS <= 0 &&
      p.write_verify.tolerance_rel <= 0)
    wv.error("tolerance_rel", "write-verify needs tolerance_uS > 0 or tolerance_rel > 0");
  wv.finish();
  p.g_clamp_max_uS = 2.0 * g_max_uS;
  n.get("g_clamp_max_uS", p.g_clamp_max_uS, Range::positive());
  n.finish();
}

void parse_faults(Node& n, Faults& f, bool present) {
  parse_enabled(n, f.enabled, present);
  n.get("stuck_at_g_min_rate", f.stuck_at_g_min_rate, Range::unit());
  n.get("stuck_at_g_max_rate", f.stuck_at_g_max_rate, Range::unit());
  if (f.stuck_at_g_min_rate + f.stuck_at_g_max_rate > 1.0)
    n.error("stuck_at_g_max_rate", "stuck_at_g_min_rate + stuck_at_g_max_rate must be <= 1");
  n.finish();
}

void parse_drift(Node& n, Drift& d, bool present) {
  parse_enabled(n, d.enabled, present);
  n.choice("nu_form", d.form,
           {{"normal", NuForm::Normal}, {"pcm", NuForm::Pcm}, {"table", NuForm::Table}});
  n.get("t0_s", d.t0_s, Range::positive());
  n.get("offset_by_t0", d.offset_by_t0);
  const std::vector<std::string> normal = {"nu_mean", "nu_sigma"};
  const std::vector<std::string> clamp = {"nu_min", "nu_max"};
  const std::vector<std::string> pcm = {"mu_a",  "mu_b",   "mu_lo",  "mu_hi", "sig_a",
                                        "sig_b", "sig_lo", "sig_hi", "x_min"};
  if (d.form == NuForm::Normal) {
    n.get("nu_mean", d.nu_mean);
    n.get("nu_sigma", d.nu_sigma, Range::at_least(0));
  }
  if (d.form != NuForm::Pcm) {
    n.get("nu_min", d.nu_min);
    n.get("nu_max", d.nu_max);
    if (d.nu_max < d.nu_min) n.error("nu_max", "must be >= nu_min");
    reject(n, pcm, d.form == NuForm::Normal ? "normal" : "table");
  } else {
    n.get("mu_a", d.mu_a);
    n.get("mu_b", d.mu_b);
    n.get("mu_lo", d.mu_lo);
    n.get("mu_hi", d.mu_hi);
    n.get("sig_a", d.sig_a);
    n.get("sig_b", d.sig_b);
    n.get("sig_lo", d.sig_lo, Range::at_least(0));
    n.get("sig_hi", d.sig_hi, Range::at_least(0));
    n.get("x_min", d.x_min, Range::positive());
    if (d.mu_hi < d.mu_lo) n.error("mu_hi", "must be >= mu_lo");
    if (d.sig_hi < d.sig_lo) n.error("sig_hi", "must be >= sig_lo");
    reject(n, clamp, "pcm");
  }
  if (d.form != NuForm::Normal) reject(n, normal, d.form == NuForm::Pcm ? "pcm" : "table");
  n.finish();
}

void parse_relaxation(Node& n, Relaxation& r, bool present) {
  parse_enabled(n, r.enabled, present);
  n.get("mean_slope_uS", r.mean_slope_uS);
  n.get("sigma_slope_uS", r.sigma_slope_uS, Range::at_least(0));
  n.get("sigma_0_uS", r.sigma_0_uS, Range::at_least(0));
  n.get("t_ref_s", r.t_ref_s, Range::positive());
  n.finish();
}

void parse_random_telegraph(Node& n, RandomTelegraph& r, bool present) {
  parse_enabled(n, r.enabled, present);
  n.get("amplitude_rel", r.amplitude_rel, Range{0.0, 1.0, false, true});
  n.get("occupancy", r.occupancy, Range::unit());
  n.finish();
}

void parse_read_noise(Node& n, ReadNoise& r, bool present) {
  parse_enabled(n, r.enabled, present);
  n.choice("form", r.form, {{"relative", ReadForm::Relative}, {"pcm_1f", ReadForm::Pcm1f}});
  const std::vector<std::string> pcm = {"q_s_coeff", "q_s_exp",  "q_s_max",
                                        "x_p_min",   "t_read_s", "t0_s"};
  if (r.form == ReadForm::Relative) {
    n.get("sigma_rel", r.sigma_rel, Range::at_least(0));
    reject(n, pcm, "relative");
  } else {
    n.get("q_s_coeff", r.q_s_coeff, Range::at_least(0));
    n.get("q_s_exp", r.q_s_exp, Range::at_least(0));
    n.get("q_s_max", r.q_s_max, Range::at_least(0));
    n.get("x_p_min", r.x_p_min, Range::positive());
    n.get("t_read_s", r.t_read_s, Range::positive());
    n.get("t0_s", r.t0_s, Range::at_least(0));
    reject(n, {"sigma_rel"}, "pcm_1f");
  }
  n.finish();
}

void parse_table(Node& n, Table& t, bool present, const std::vector<std::filesystem::path>& dirs) {
  parse_enabled(n, t.enabled, present);
  n.get("d2d_fraction", t.d2d_fraction, Range::unit());
  const bool has_file = n.has("file"), has_levels = n.has("levels");
  if (has_file && has_levels) n.error("levels", "give either \"file\" or \"levels\", not both");
  if (has_file) {
    n.get("file", t.file);
    if (t.enabled && !t.file.empty()) {
      std::filesystem::path path(t.file);
      if (path.is_relative()) {
        for (const auto& dir : dirs) {
          if (!dir.empty() && std::filesystem::exists(dir / path)) {
            path = dir / path;
            break;
          }
        }
      }
      try {
        t.levels = load_level_table(path);
      } catch (const Error& e) {
        n.error("file", e.what());
      }
    }
  } else if (has_levels) {
    n.accept("levels");
    t.levels = parse_level_table(n.raw()["levels"], n.pointer_of("levels"), n.diagnostics());
  } else if (t.enabled) {
    n.error("levels", "the table model needs \"levels\" (inline) or \"file\" (CSV or JSON)");
  }
  n.finish();
}

}  // namespace

void parse_device_stages(Node& node, DeviceParams& p,
                         const std::vector<std::filesystem::path>& dirs) {
  node.get("name", p.name);
  node.get("source", p.source);
  node.get("notes", p.notes);
  node.known({"preset", "preset_file"});
  node.accept("fit");  // provenance block of `xbarmc fit` (docs/device-fit.md), not read here
  node.require("g_min_uS", p.g_min_uS, Range::at_least(0));
  node.require("g_max_uS", p.g_max_uS, Range::positive());
  if (!(p.g_max_uS > p.g_min_uS)) node.error("g_max_uS", "must be > g_min_uS");

  Node prog = node.child("programming");
  parse_programming(prog, p.programming, p.g_max_uS);
  Node faults = node.child("faults");
  parse_faults(faults, p.faults, node.has("faults"));
  Node drift = node.child("drift");
  parse_drift(drift, p.drift, node.has("drift"));
  Node relax = node.child("relaxation");
  parse_relaxation(relax, p.relaxation, node.has("relaxation"));
  Node rtn = node.child("random_telegraph");
  parse_random_telegraph(rtn, p.random_telegraph, node.has("random_telegraph"));
  Node read = node.child("read_noise");
  parse_read_noise(read, p.read_noise, node.has("read_noise"));
  Node table = node.child("table");
  parse_table(table, p.table, node.has("table"), dirs);

  // Cross-stage constraints.
  const auto& pr = p.programming;
  for (const auto* m : {&pr.d2d, &pr.c2c}) {
    if (m->enabled && m->form == ErrorForm::Lognormal && !(p.g_min_uS > 0))
      node.error("g_min_uS", "the lognormal form needs g_min_uS > 0 (R_off = 1/g_min_uS)");
  }
  if (p.table.enabled && (pr.d2d.enabled || pr.c2c.enabled))
    node.error("table",
               "the table model replaces the programming-error forms: disable "
               "/device/programming/d2d and /device/programming/c2c");
  if (p.drift.enabled && p.drift.form == NuForm::Table &&
      !(p.table.enabled && p.table.levels.has_drift()))
    node.error("drift", "nu_form \"table\" needs an enabled table with nu_mean/nu_sigma columns");
  node.finish();
}

}  // namespace xbarmc::device
