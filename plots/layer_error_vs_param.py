#!/usr/bin/python3
"""Per-layer error against the swept parameter: the relative RMS deviation of each weight
layer's output from the software network's (dataset layer_error, cumulative through the
layers), median over instances (line) and p5-p95 (band), at one cycle and read time.

The statistics are computed here from the raw per-instance values (numpy's type-7 quantiles,
the definition the file's own summaries use), ignoring NaN. One colour per layer; in a grid,
each combination of the other swept axes gets its own line style. The y axis is logarithmic
when every value is positive. Writes OUTDIR/layer_error_vs_param.png (and .pdf with --pdf).
"""

import sys
import warnings

import numpy as np

import common


def layer_stats(res, cycle: int, t: int) -> np.ndarray:
    """[P, L, 3]: median, p5 and p95 over instances of layer_error[:, cycle, t, l] (1)."""
    out = np.full((len(res.points), res.layers, 3), np.nan)
    for p, point in enumerate(res.points):
        v = np.asarray(point.layer_error[:, cycle, t, :], float)
        with warnings.catch_warnings():  # an all-NaN layer stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            out[p] = np.nanquantile(v, [0.5, 0.05, 0.95], axis=0).T
    return out


def draw(ax, res, cycle: int, t: int, legend: str = "right"):
    """Median and p5-p95 of each layer's relative RMS error against the sweep on `ax`."""
    sweep = common.Sweep(res)
    stats = layer_stats(res, cycle, t)
    finite = stats[np.isfinite(stats)]
    labels = [f"layer {l + 1}" for l in range(res.layers)]
    common.draw_vs_param(ax, sweep, labels, lambda p, l: tuple(stats[p, l]),
                         log_y=finite.size > 0 and bool(np.all(finite > 0)))
    ax.set_ylabel("relative RMS output error (1)")
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title(f"Layer output error vs software (cumulative)\nt = "
                 f"{common.fmt_time(res.times_s[t])}, cycle {cycle}: median, p5-p95 band",
                 fontsize="medium")
    common.legend(ax, legend)


def main(argv=None):
    args = common.make_parser(__doc__).parse_args(argv)
    res = common.load(args)
    cycle = common.check_index(args.cycle, res.cycles, "--cycle")
    t = common.check_index(args.time_index, len(res.times_s), "--time-index")
    fig = common.new_figure(common.SIZE_SINGLE_IN)
    draw(fig.add_subplot(), res, cycle, t)
    fig.suptitle(common.study_title(res))
    common.save(fig, args.outdir, "layer_error_vs_param", args.pdf)


if __name__ == "__main__":
    sys.exit(common.run(main))
