#!/usr/bin/python3
"""Accuracy distribution over instances, per sweep point, at one cycle and read time: a
histogram (left) and the empirical CDF (right) of the raw per-instance accuracies, with the
software network's accuracy (black dashed), each point's noise-free mapped accuracy (dotted,
in the point's colour) and the yield thresholds (grey, on the ECDF: the ECDF at a threshold is
one minus the yield, up to ties at the threshold) marked.

Histogram bins are whole multiples of 1/test_samples wide, so the discrete accuracies
(k / test_samples) never alias into empty and double bins. Non-finite accuracies are left out
and counted in the legend. More than six points are thinned evenly (--points chooses).
Writes OUTDIR/accuracy_distribution.png (and .pdf with --pdf).
"""

import math
import sys

import numpy as np

import common

#: Target number of histogram bins over the range of the data.
TARGET_BINS = 40


def bin_edges(values: np.ndarray, test_samples: int) -> np.ndarray:
    """Edges (fraction) of about TARGET_BINS bins covering the values, each a whole number of
    accuracy steps (1/test_samples) wide and centred on the steps."""
    step = 1.0 / max(test_samples, 1)
    lo, hi = float(np.min(values)), float(np.max(values))
    width = max(1, math.ceil((hi - lo) / step / TARGET_BINS)) * step
    start = lo - step / 2
    return start + width * np.arange(math.floor((hi + step / 2 - start) / width) + 2)


def draw(ax_hist, ax_ecdf, res, cycle: int, t: int, requested=None, ax_legend=None,
         legend: str = "below") -> str:
    """Histogram on ax_hist and ECDF on ax_ecdf of accuracy (%) of the chosen points; the
    legend goes onto ax_legend (an empty axes) when given, else at `legend` of ax_ecdf (see
    common.legend; "none": no legend). Returns the note on thinned points ("" when every
    point is drawn)."""
    sweep = common.Sweep(res)
    chosen, note = common.select_points([p.index for p in res.points], requested)
    data = [np.asarray(res.points[i].accuracy[:, cycle, t], float) for i in chosen]
    finite = [v[np.isfinite(v)] for v in data]
    pooled = np.concatenate([v for v in finite if v.size] or [np.array([0.0, 1.0])])
    edges = 100.0 * bin_edges(pooled, int(res.attrs.get("test_samples", 1)))
    for j, (i, v, raw) in enumerate(zip(chosen, finite, data)):
        colour = f"C{j % 10}"
        point = res.points[i]
        label = sweep.point_text(i) if sweep.axes else "all instances"
        label += f" (noise-free {common.pct(point.noise_free_accuracy)})"
        if raw.size != v.size:
            label += f", {raw.size - v.size} non-finite left out"
        x = np.sort(100.0 * v)
        ax_hist.hist(x, bins=edges, histtype="step", lw=1.5, color=colour, label=label)
        if x.size:
            ax_ecdf.step(np.concatenate([[x[0]], x]),
                         100.0 * np.arange(x.size + 1) / x.size, where="post", color=colour,
                         lw=1.5, label=label)
        for ax in (ax_hist, ax_ecdf):
            ax.axvline(100.0 * point.noise_free_accuracy, color=colour, ls=":", lw=1.2)
    for ax in (ax_hist, ax_ecdf):
        ax.axvline(100.0 * res.software_accuracy, color="k", ls=(0, (5, 3)), lw=1.2,
                   label=f"software network ({common.pct(res.software_accuracy)})")
        ax.set_xlabel("test accuracy (%)")
        ax.grid(True, alpha=0.3)
    for k, thr in enumerate(res.thresholds):
        ax_ecdf.axvline(100.0 * thr, color="0.5", lw=0.8, ls="-.",
                        label="yield thresholds" if k == 0 else None)
    ax_hist.set_ylabel("instances per bin (count)")
    ax_ecdf.set_ylabel("instances with accuracy ≤ x (%)")
    ax_ecdf.set_ylim(-2, 102)
    when = f"t = {common.fmt_time(res.times_s[t])}, cycle {cycle}"
    ax_hist.set_title(f"Histogram, {when}", fontsize="medium")
    ax_ecdf.set_title(f"Empirical CDF, {when}", fontsize="medium")
    if ax_legend is None:
        if legend != "none":
            common.legend(ax_ecdf, legend)
    else:
        ax_legend.axis("off")
        ax_legend.legend(*ax_ecdf.get_legend_handles_labels(), loc="center left",
                         fontsize="small", borderaxespad=0.0,
                         title=f"sweep points ({note})" if note else None)
    return note


def main(argv=None):
    ap = common.make_parser(__doc__)
    ap.add_argument("--points", type=common.parse_points, default=None,
                    help="comma-separated point indices to draw (default: all, or six spread "
                         "evenly)")
    args = ap.parse_args(argv)
    res = common.load(args)
    cycle = common.check_index(args.cycle, res.cycles, "--cycle")
    t = common.check_index(args.time_index, len(res.times_s), "--time-index")
    fig = common.new_figure(common.SIZE_DISTRIBUTION_IN)
    ax_hist, ax_ecdf, ax_legend = fig.subplots(1, 3, width_ratios=[1.0, 1.0, 0.75])
    draw(ax_hist, ax_ecdf, res, cycle, t, args.points, ax_legend)
    fig.suptitle(common.study_title(res))
    common.save(fig, args.outdir, "accuracy_distribution", args.pdf)


if __name__ == "__main__":
    sys.exit(common.run(main))
