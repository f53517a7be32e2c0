#!/usr/bin/python3
"""One-page report (A4 landscape, PNG and PDF) of an xbarmc results file.

The page always shows the study's provenance and set-up and the accuracy distribution
(histogram and ECDF). It then chooses the plots that fit the study: yield against the swept
parameter (per point when nothing numeric is swept), accuracy against time after programming
when the study reads at two or more times (with and without drift compensation when it sweeps
that), per-layer error against the swept parameter when the file has layers, and a table of
per-point numbers in the slots that remain. Writes OUTDIR/report.png and OUTDIR/report.pdf.
"""

import json
import sys
import textwrap

import matplotlib.pyplot as plt

import accuracy_distribution
import accuracy_vs_time
import common
import layer_error_vs_param
import yield_vs_param

#: Font size (pt) of the report page.
FONT_PT = 7.5


def info_lines(res) -> list:
    """Provenance and set-up of the study, one fact a line."""
    a = res.attrs
    sweep = common.Sweep(res)
    timings = json.loads(a.get("timings_json", "{}") or "{}")
    lines = [
        f"study       {a.get('name', '?')}",
        f"file        {res.path}",
        f"written     {a.get('created', '?')} by xbarmc {a.get('xbarmc_version', '?')}",
        f"git         {a.get('git_sha', '?')}",
        f"format      {res.format_version[0]}.{res.format_version[1]}"
        f"{'' if int(a.get('complete', 0)) == 1 else '  PARTIAL FILE'}",
        f"seed        {a.get('seed', '?')}",
        f"rng         {a.get('rng', '?')}, Boost {a.get('boost_version', '?')}",
        f"network     {res.network.get('name', '?')}: {res.network.get('description', '')}",
        f"software    {common.pct(res.software_accuracy)} on {a.get('test_samples', '?')} "
        f"test samples",
        f"chips       {res.instances} instances x {res.cycles} cycle(s) per point, "
        f"{len(res.points)} point(s)",
        "times       " + ", ".join(f"{t:g}" for t in res.times_s) + " s",
        f"thresholds  {res.threshold_mode}: " + ", ".join(common.pct(t) for t in res.thresholds),
        f"yield CI    {100 * res.confidence:g} % Clopper-Pearson",
    ]
    if sweep.axes:
        lines.append(f"sweep       {sweep.mode}:")
        lines += [f"  {ax.pointer} = {ax.values}" for ax in sweep.axes]
    else:
        lines.append("sweep       none")
    if timings:
        lines.append("wall time   " + ", ".join(f"{k} {v:.3g}" for k, v in timings.items()))
    wrapped = []
    for line in lines:
        wrapped += textwrap.wrap(line, 78, subsequent_indent=" " * 12) or [""]
    return wrapped


def draw_info(ax, res):
    ax.axis("off")
    ax.set_title("Study", fontsize="medium", loc="left")
    ax.text(0.0, 1.0, "\n".join(info_lines(res)), va="top", ha="left", family="monospace",
            fontsize=FONT_PT - 1.5, transform=ax.transAxes)


def draw_table(ax, res, cycle: int, t: int):
    """Per point: median, p5 of accuracy and yield at each threshold, at (cycle, t)."""
    sweep = common.Sweep(res)
    ax.axis("off")
    ax.set_title(f"Per point at t = {common.fmt_time(res.times_s[t])}, cycle {cycle}",
                 fontsize="medium", loc="left")
    head = ["point", "median", "p5"] + [f"Y≥{100 * thr:.1f}%" for thr in res.thresholds]
    rows = []
    for p in res.points[:14]:
        rows.append([common.pct(p.quantile(0.5)[cycle, t]), common.pct(p.quantile(0.05)[cycle, t])]
                    + [common.pct(y) for y in p.summary["yield"][cycle, t]])
        rows[-1].insert(0, textwrap.shorten(sweep.point_text(p.index), 34, placeholder="…"))
    table = ax.table(cellText=rows, colLabels=head, loc="upper left", cellLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(FONT_PT - 1.5)
    table.auto_set_column_width(list(range(len(head))))
    if len(res.points) > 14:
        ax.text(0, 0, f"... {len(res.points) - 14} more points", fontsize=FONT_PT - 1.5,
                transform=ax.transAxes)


def main(argv=None):
    ap = common.make_parser(__doc__, pdf_option=False)
    args = ap.parse_args(argv)
    res = common.load(args)
    cycle = common.check_index(args.cycle, res.cycles, "--cycle")
    t = common.check_index(args.time_index, len(res.times_s), "--time-index")
    with plt.rc_context({"font.size": FONT_PT}):
        fig = common.new_figure(common.SIZE_REPORT_IN, dpi=common.DPI_REPORT)
        axes = fig.subplots(2, 3).ravel()
        draw_info(axes[0], res)
        # the study panel's free lower part holds the distribution's legend
        note = accuracy_distribution.draw(axes[1], axes[2], res, cycle, t, legend="none")
        axes[0].legend(*axes[2].get_legend_handles_labels(), loc="lower left",
                       fontsize="x-small", title="distribution", title_fontsize="small")
        slots = list(axes[3:])
        yield_vs_param.draw(slots.pop(0), res, cycle, t, legend="below")
        if len(res.times_s) >= 2:
            accuracy_vs_time.draw(slots.pop(0), res, cycle, legend="below")
        if res.layers >= 1:
            layer_error_vs_param.draw(slots.pop(0), res, cycle, t, legend="below")
        if slots:
            draw_table(slots.pop(0), res, cycle, t)
        for ax in slots:
            ax.axis("off")
        fig.suptitle(common.study_title(res) + (f"; distribution: {note}" if note else ""),
                     fontsize="large")
        common.save(fig, args.outdir, "report", pdf=True, dpi=common.DPI_REPORT)


if __name__ == "__main__":
    sys.exit(common.run(main))
