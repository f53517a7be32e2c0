#!/usr/bin/python3
"""Report of `xbarmc fit ... --report DIR`: reads DIR/fit_report.json and writes
DIR/fit_report.png (and .pdf with --pdf), one page:

- per level, the histogram of the first reads (stuck devices excluded) with the fitted normal
  N(target + offset, total sigma^2), and the normal QQ plot, titled with the Kolmogorov-Smirnov
  statistic D and its asymptotic p-value computed by the fit;
- D2D and C2C sigma per level with their confidence intervals;
- the drift fan: quantiles 5/25/50/75/95 % of G(t)/G(first read) per level against time, with
  the fitted mean factor ((t_eff/t0)^-nu_mean).

Usage: fit_report.py DIR [--pdf]. Estimators: docs/device-fit.md.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402


def est(v):
    """Estimate of an interval object (None -> nan)."""
    return float("nan") if v is None or v.get("estimate") is None else float(v["estimate"])


def err(v):
    """(lower, upper) error-bar lengths of an interval object."""
    e = est(v)
    lo, hi = v["ci"] if v and v.get("ci") else (None, None)
    lo = e if lo is None else lo
    hi = e if hi is None else hi
    return max(0.0, e - lo), max(0.0, hi - e)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--pdf", action="store_true")
    a = ap.parse_args(argv)
    try:
        rep = json.loads((a.dir / "fit_report.json").read_text())
    except (OSError, ValueError) as e:
        print(f"fit_report.py: cannot read {a.dir / 'fit_report.json'}: {e}", file=sys.stderr)
        return 2
    levels, samples = rep["levels"], rep["first_reads_uS"]
    k = len(levels)
    fig = plt.figure(figsize=(max(11.69, 2.6 * k), 10.0))
    gs = fig.add_gridspec(3, max(k, 2))
    for i, (lv, y) in enumerate(zip(levels, samples)):
        y = np.asarray(y, dtype=float)
        mu = lv["target_uS"] + est(lv["offset_uS"])
        sd = est(lv["total_sigma_uS"])
        ax = fig.add_subplot(gs[0, i])
        if y.size:
            ax.hist(y, bins=max(5, int(math.sqrt(y.size))), density=True, alpha=0.6)
        if sd > 0 and math.isfinite(sd):
            xs = np.linspace(mu - 4 * sd, mu + 4 * sd, 200)
            ax.plot(xs, stats.norm.pdf(xs, mu, sd), "k-", lw=1)
        ks = lv.get("ks", {})
        ax.set_title(f"{lv['target_uS']:g} µS: KS D={ks.get('d') or 0:.3f} p={ks.get('p') or 0:.2g}",
                     fontsize=8)
        ax.set_xlabel("G at first read (µS)", fontsize=8)
        axq = fig.add_subplot(gs[1, i])
        if y.size > 1 and sd > 0:
            q = stats.norm.ppf((np.arange(1, y.size + 1) - 0.5) / y.size, mu, sd)
            axq.plot(q, np.sort(y), ".", ms=3)
            axq.plot(q, q, "k-", lw=0.8)
        axq.set_xlabel("model quantile (µS)", fontsize=8)
        axq.set_ylabel("measured (µS)", fontsize=8)
    t = np.array([lv["target_uS"] for lv in levels])
    ax = fig.add_subplot(gs[2, 0])
    for key, lab, off in (("d2d_sigma_uS", "D2D", -0.01), ("c2c_sigma_uS", "C2C", 0.01)):
        e = np.array([est(lv[key]) for lv in levels])
        yerr = np.array([err(lv[key]) for lv in levels]).T
        span = (t.max() - t.min()) or 1.0
        ax.errorbar(t + off * span, e, yerr=yerr, fmt="o", capsize=3, label=lab)
    ax.set_xlabel("target (µS)")
    ax.set_ylabel(f"sigma (µS), {100 * rep['confidence']:g} % CI")
    ax.legend(fontsize=8)
    ax = fig.add_subplot(gs[2, 1])
    t0, off = rep["drift_t0_s"], rep["drift_offset_by_t0"]
    for lv, fan in zip(levels, rep["drift_fan"]):
        if len(fan) < 2:
            continue
        ts = np.array([f["time_s"] for f in fan])
        x = ts + (t0 if off else 0.0) + 1e-12
        line = ax.plot(x, [f["q50"] for f in fan], "-", label=f"{lv['target_uS']:g} µS")[0]
        ax.fill_between(x, [f["q05"] for f in fan], [f["q95"] for f in fan], alpha=0.15,
                        color=line.get_color())
        ax.fill_between(x, [f["q25"] for f in fan], [f["q75"] for f in fan], alpha=0.3,
                        color=line.get_color())
        if "nu_mean" in lv:
            ax.plot(x, (np.maximum(x, t0) / t0) ** (-est(lv["nu_mean"])), "k:", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("t_eff (s)")
    ax.set_ylabel("G(t) / G(first read)")
    ax.legend(fontsize=7)
    inp = rep["input"]
    fig.suptitle(f"xbarmc fit of {inp['file']} ({inp['rows_used']} of {inp['rows']} rows, "
                 f"model {rep['model']}); sha256 {inp['sha256'][:16]}...", fontsize=10)
    fig.tight_layout()
    out = a.dir / "fit_report.png"
    fig.savefig(out, dpi=100)
    if a.pdf:
        fig.savefig(a.dir / "fit_report.pdf")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
