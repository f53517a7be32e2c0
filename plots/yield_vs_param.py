#!/usr/bin/python3
"""Yield against the swept parameter, one curve per accuracy threshold, with the exact
Clopper-Pearson band stored in the file (summary/yield_lo, yield_hi at @confidence).

x is the first numeric sweep axis; in a grid, each combination of the other axes (e.g. drift
compensation none/global) gets its own line style. A study without a numeric axis is drawn per
point (categorical). Writes OUTDIR/yield_vs_param.png (and .pdf with --pdf).
"""

import sys

import common


def threshold_labels(res) -> list:
    """Legend text of each threshold: "accuracy >= 85.0 %", or in drop mode
    "drop <= 2.0 pp (>= 86.4 %)"."""
    out = []
    for k, thr in enumerate(res.thresholds):
        if res.threshold_mode == "drop":
            drop = 100.0 * float(res.thresholds_configured[k])
            out.append(f"drop ≤ {drop:g} pp (≥ {common.pct(thr)})")
        else:
            out.append(f"accuracy ≥ {common.pct(thr)}")
    return out


def draw(ax, res, cycle: int, t: int, legend: str = "right"):
    """Yield (%) against the sweep on `ax` at cycle index `cycle` and time index `t`."""
    sweep = common.Sweep(res)

    def value(p, k):
        s = res.points[p].summary
        return tuple(100.0 * s[n][cycle, t, k] for n in ("yield", "yield_lo", "yield_hi"))

    common.draw_vs_param(ax, sweep, threshold_labels(res), value)
    ax.set_ylabel("yield: chips meeting the threshold (%)")
    ax.set_ylim(-3, 103)
    ax.grid(True, alpha=0.3)
    ax.set_title(f"Yield at t = {common.fmt_time(res.times_s[t])}, cycle {cycle}\n"
                 f"bands: {100 * res.confidence:g} % Clopper-Pearson", fontsize="medium")
    common.legend(ax, legend, title="threshold" if len(res.thresholds) > 1 else None)


def main(argv=None):
    args = common.make_parser(__doc__).parse_args(argv)
    res = common.load(args)
    cycle = common.check_index(args.cycle, res.cycles, "--cycle")
    t = common.check_index(args.time_index, len(res.times_s), "--time-index")
    fig = common.new_figure(common.SIZE_SINGLE_IN)
    draw(fig.add_subplot(), res, cycle, t)
    fig.suptitle(common.study_title(res))
    common.save(fig, args.outdir, "yield_vs_param", args.pdf)


if __name__ == "__main__":
    sys.exit(common.run(main))
