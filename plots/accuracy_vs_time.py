#!/usr/bin/python3
"""Accuracy against time after programming: the median over instances (line) and the p5-p95
band (shaded), from the stored summary quantiles (Hyndman-Fan type 7) of one cycle.

One colour per combination of the swept values other than drift compensation; when the study
sweeps /periphery/drift_compensation, its values (none, global, per_column) are drawn with
different line styles in the same colour, so the effect of compensation is read off directly.
More than a few sweep values are thinned evenly (the title says so; --points chooses).
Writes OUTDIR/accuracy_vs_time.png (and .pdf with --pdf).
"""

import sys

import numpy as np

import common


def _selection(sweep, requested):
    """(point indices, note): every drift-compensation variant of the chosen combinations."""
    groups = {}
    for p in sweep.points:
        key = sweep.point_text(p.index, exclude=(common.DRIFT_COMP,)) if sweep.axes else ""
        groups.setdefault(key, []).append(p.index)
    keys = list(groups)
    if requested is not None:
        chosen, note = common.select_points([p.index for p in sweep.points], requested)
        return chosen, keys, note
    picked, note = common.select_points(list(range(len(keys))), None, limit=4)
    return [i for k in picked for i in groups[keys[k]]], keys, note


def draw(ax, res, cycle: int, requested=None, legend: str = "right"):
    """Median and p5-p95 band of accuracy (%) against read time on `ax`."""
    sweep = common.Sweep(res)
    chosen, keys, note = _selection(sweep, requested)
    dc_values = next((a.values for a in sweep.axes if a.pointer == common.DRIFT_COMP), [])
    t_s = np.asarray(res.times_s, float)
    for i in chosen:
        point = res.points[i]
        combo = sweep.point_text(i, exclude=(common.DRIFT_COMP,)) if sweep.axes else ""
        dc = point.params.get(common.DRIFT_COMP)
        dc_index = dc_values.index(dc) if dc in dc_values else 0
        # colour: the other swept values (or the compensation when nothing else is swept)
        colour = f"C{(keys.index(combo) if len(keys) > 1 else dc_index) % 10}"
        style = common.LINESTYLES[dc_index % len(common.LINESTYLES)]
        label = ", ".join(t for t in (combo, f"drift comp. {dc}" if dc is not None else "") if t)
        med, lo, hi = (100.0 * point.quantile(q)[cycle] for q in (0.5, 0.05, 0.95))
        if len(t_s) == 1:
            ax.errorbar(t_s, med, yerr=[med - lo, hi - med], fmt="o", color=colour, capsize=3,
                        label=label or "median, p5-p95")
        else:
            ax.plot(t_s, med, style, marker="o", ms=3, color=colour, label=label or "median")
            ax.fill_between(t_s, lo, hi, color=colour, alpha=0.1, lw=0)
            for edge in (lo, hi):  # band edges in the curve's style: overlapping bands stay legible
                ax.plot(t_s, edge, style, color=colour, lw=0.8, alpha=0.7)
    ax.axhline(100.0 * res.software_accuracy, color="k", ls=(0, (5, 3)), lw=1,
               label="software network")
    if np.all(t_s > 0) and (len(t_s) > 1 and t_s.max() / t_s.min() >= 10):
        ax.set_xscale("log")
    ax.set_xlabel("time after programming (s)")
    ax.set_ylabel("test accuracy (%)")
    ax.grid(True, which="major", alpha=0.3)
    title = f"Accuracy after programming, cycle {cycle}\nmedian (line), p5-p95 (band)"
    ax.set_title(title + (f"; {note}" if note else ""), fontsize="medium")
    common.legend(ax, legend)


def main(argv=None):
    ap = common.make_parser(__doc__, time_option=False)
    ap.add_argument("--points", type=common.parse_points, default=None,
                    help="comma-separated point indices to draw (default: up to 4 sweep "
                         "values, each with all its drift-compensation variants)")
    args = ap.parse_args(argv)
    res = common.load(args)
    cycle = common.check_index(args.cycle, res.cycles, "--cycle")
    fig = common.new_figure(common.SIZE_SINGLE_IN)
    draw(fig.add_subplot(), res, cycle, args.points)
    fig.suptitle(common.study_title(res))
    common.save(fig, args.outdir, "accuracy_vs_time", args.pdf)


if __name__ == "__main__":
    sys.exit(common.run(main))
