"""Shared pieces of the plot scripts: the command line, figure sizes and saving, the sweep
structure of a study (which axis goes on x, which points form one curve), labels with units."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as ticker  # noqa: E402
import numpy as np  # noqa: E402

from xbarmc_results import ResultsFormatError, read_results  # noqa: E402

#: Resolution of every PNG (dots per inch). Sizes below are in inches; the PNG has
#: size * DPI pixels exactly (no tight bounding box, so the size is predictable).
DPI = 100
#: (width, height) in inches of each standalone figure.
SIZE_SINGLE_IN = (9.0, 5.5)
SIZE_DISTRIBUTION_IN = (13.0, 5.5)
#: The one-page report: A4 landscape.
SIZE_REPORT_IN = (11.69, 8.27)
DPI_REPORT = 150

#: Pointer of the swept drift-compensation switch (string values none/global/per_column).
DRIFT_COMP = "/periphery/drift_compensation"
#: Unit of a config key, from the project's convention of units in names (STYLE.md).
UNIT_SUFFIXES = (("_ohm", "Ω"), ("_kohm", "kΩ"), ("_uS", "µS"), ("_mS", "mS"), ("_S", "S"),
                 ("_s", "s"), ("_ms", "ms"), ("_V", "V"), ("_mV", "mV"), ("_uA", "µA"),
                 ("_A", "A"), ("_K", "K"), ("_C", "°C"), ("_bits", "bits"), ("_pct", "%"),
                 ("_rel", "relative, 1"))
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: At most this many curves of sweep values in the accuracy-vs-time and distribution plots;
#: more are thinned evenly (the title says so; --points chooses explicitly).
MAX_SELECTED = 6


class UsageError(Exception):
    """A command-line value does not fit the results file (exit code 1)."""


def unit_of(pointer: str) -> str:
    """Unit of a config key, read from its suffix ("" when the name carries none)."""
    name = pointer.rsplit("/", 1)[-1]
    for suffix, unit in UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit
    return ""


def axis_label(pointer: str) -> str:
    """Axis label of a swept config key, e.g. "/circuit/r_wire_ohm (Ω)"."""
    unit = unit_of(pointer)
    return f"{pointer} ({unit})" if unit else f"{pointer} (no unit)"


def fmt_time(t_s: float) -> str:
    """Read time for titles and legends, e.g. "3600 s (1 h)"."""
    for size, name in ((86400.0, "d"), (3600.0, "h"), (60.0, "min")):
        if t_s >= size:
            return f"{t_s:g} s ({t_s / size:.3g} {name})"
    return f"{t_s:g} s"


def pct(x: float) -> str:
    """A fraction as percent text."""
    return f"{100.0 * x:.1f} %"


@dataclass
class Axis:
    """One sweep axis of the resolved config (`/sweep/axes/<i>`)."""
    pointer: str
    values: list

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.values)

    @property
    def short(self) -> str:
        return self.pointer.rsplit("/", 1)[-1]


@dataclass
class Curve:
    """Points sharing the values of every axis but x: one curve against x."""
    key: tuple       #: ((pointer, value), ...) of the other axes
    label: str       #: legend text ("" when the study has a single curve)
    points: list     #: point indices, sorted by x
    x: list          #: x value of each point (numeric axis) or its position (categorical)


class Sweep:
    """Sweep structure of a study: `/sweep/axes`, `/sweep/mode` and each point's `@params`."""

    def __init__(self, res):
        sweep = res.config.get("sweep") or {}
        self.mode = sweep.get("mode", "grid")
        self.axes = [Axis(a["pointer"], list(a["values"])) for a in sweep.get("axes") or []]
        self.points = res.points
        numeric = [a for a in self.axes if a.numeric]
        #: the first numeric axis: x of the "against a swept parameter" plots (None: categorical)
        self.x_axis = numeric[0] if numeric else None
        self.has_drift_comp = any(a.pointer == DRIFT_COMP for a in self.axes)

    @property
    def swept(self) -> bool:
        """More than one point."""
        return len(self.points) > 1

    def value_text(self, pointer: str, value) -> str:
        names = [a.short for a in self.axes]
        name = pointer.rsplit("/", 1)[-1]
        name = name if names.count(name) <= 1 else pointer
        if pointer == DRIFT_COMP:
            return f"drift comp. {value}"
        return f"{name} = {value:g}" if isinstance(value, float) else f"{name} = {value}"

    def key_text(self, key) -> str:
        return ", ".join(self.value_text(p, v) for p, v in key)

    def point_text(self, index: int, exclude=()) -> str:
        """Legend text of a point's swept values ("" when every axis is excluded; the point's
        label when the study has no sweep axes)."""
        if not self.axes:
            return self.points[index].label
        params = self.points[index].params
        return self.key_text(tuple((a.pointer, params.get(a.pointer)) for a in self.axes
                                   if a.pointer not in exclude))

    def curves(self) -> list:
        """Curves against the x axis. Grid: one per combination of the other axes. Zip: one
        (the other axes move with x). Without a numeric axis: one categorical curve over
        every point, x = position."""
        if self.x_axis is None:
            return [Curve((), "", [p.index for p in self.points], list(range(len(self.points))))]
        xp = self.x_axis.pointer
        others = [] if self.mode == "zip" else [a for a in self.axes if a.pointer != xp]
        groups = {}
        for p in self.points:
            key = tuple((a.pointer, p.params.get(a.pointer)) for a in others)
            groups.setdefault(key, []).append(p.index)
        out = []
        for key, idx in groups.items():
            idx.sort(key=lambda i: self.points[i].params.get(xp))
            out.append(Curve(key, self.key_text(key), idx,
                             [self.points[i].params.get(xp) for i in idx]))
        return out

    def x_label(self) -> str:
        if self.x_axis is None:
            return "sweep point"
        label = axis_label(self.x_axis.pointer)
        if self.mode == "zip" and len(self.axes) > 1:
            moved = ", ".join(a.short for a in self.axes if a is not self.x_axis)
            label += f"  (zip: {moved} varied with it)"
        return label

    def setup_x(self, ax):
        """Scale and ticks of the x axis: log for a positive numeric axis spanning >= 100x,
        point labels for a categorical one."""
        if self.x_axis is None:
            ax.set_xticks(range(len(self.points)))
            ax.set_xticklabels([self.point_text(i) for i in range(len(self.points))],
                               rotation=20 if len(self.points) > 3 else 0, ha="right"
                               if len(self.points) > 3 else "center")
            ax.set_xlim(-0.6, len(self.points) - 0.4)
        else:
            v = np.asarray(self.x_axis.values, dtype=float)
            if np.all(v > 0) and v.max() / v.min() >= 100:
                ax.set_xscale("log")
        ax.set_xlabel(self.x_label())


def draw_vs_param(ax, sweep, series, value_fn, log_y=False):
    """Draws value_fn(point_index, s) -> (y, lo, hi) for every series s and every curve of the
    sweep: a line with a shaded lo..hi band on a numeric x axis, dodged points with error bars
    on a categorical one. `series` is a list of legend labels (thresholds, layers). Colour tells
    the series apart when there are several, else the curves; line style tells curves apart."""
    curves = sweep.curves()
    combos = [(c, s) for c in range(len(curves)) for s in range(len(series))]
    for j, (ci, si) in enumerate(combos):
        curve = curves[ci]
        colour = f"C{si if len(series) > 1 else ci}"
        style = LINESTYLES[ci % len(LINESTYLES)] if len(series) > 1 else "-"
        vals = np.array([value_fn(p, si) for p in curve.points], dtype=float)
        label = ", ".join(t for t in (series[si], curve.label) if t)
        if sweep.x_axis is None:
            x = np.asarray(curve.x, float) + (j - (len(combos) - 1) / 2) * 0.7 / len(combos)
            ax.errorbar(x, vals[:, 0], yerr=[vals[:, 0] - vals[:, 1], vals[:, 2] - vals[:, 0]],
                        fmt=MARKERS[ci % len(MARKERS)], color=colour, capsize=3, label=label)
        else:
            ax.plot(curve.x, vals[:, 0], style, marker=MARKERS[ci % len(MARKERS)], ms=4,
                    color=colour, label=label)
            ax.fill_between(curve.x, vals[:, 1], vals[:, 2], color=colour, alpha=0.15, lw=0)
    if log_y:
        ax.set_yscale("log")
        # ticks at 1, 2, 5 x 10^k in plain numbers: readable when the data span one decade
        ax.yaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    sweep.setup_x(ax)


def legend(ax, where: str = "right", **kw):
    """Legend right of the axes ("right", standalone figures), under it in two columns
    ("below", report panels) or inside at the best place ("inside")."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if where == "right":
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                  fontsize="small", **kw)
    elif where == "below":
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), borderaxespad=0.0,
                  ncol=2 if len(handles) > 2 and max(map(len, labels)) <= 30 else 1,
                  fontsize="x-small", **kw)
    else:
        ax.legend(fontsize="x-small", **kw)


def select_points(indices: list, requested, limit: int = MAX_SELECTED) -> tuple:
    """(chosen, note): the requested indices (validated), or all of `indices` when there are
    at most `limit`, else `limit` of them spread evenly, with a note saying so."""
    if requested is not None:
        bad = [i for i in requested if i not in indices]
        if bad:
            raise UsageError(f"--points {bad}: no such point (the file has points "
                             f"{min(indices)}..{max(indices)})")
        return list(requested), ""
    if len(indices) <= limit:
        return list(indices), ""
    pick = np.unique(np.round(np.linspace(0, len(indices) - 1, limit)).astype(int))
    return ([indices[i] for i in pick],
            f"{len(pick)} of {len(indices)} shown, --points chooses")


def parse_points(text: str) -> list:
    """--points "0,3,5" -> [0, 3, 5]."""
    try:
        return [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated point indices, got {text!r}")


def check_index(value: int, size: int, what: str) -> int:
    """A cycle or time index (negative counts from the end) checked against the file."""
    if not -size <= value < size:
        raise UsageError(f"{what} {value} is out of range: the file has {size} (0..{size - 1})")
    return value % size


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 1 like xbarmc's (argparse default: 2)
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def make_parser(description: str, time_option: bool = True,
                pdf_option: bool = True) -> argparse.ArgumentParser:
    """Parser with the arguments every plot script shares."""
    ap = _Parser(description=description,
                 epilog="Exit codes: 0 ok, 1 usage error, 2 unreadable or wrong results file.")
    ap.add_argument("results", help="xbarmc results file (.h5), written by 'xbarmc run'")
    ap.add_argument("outdir", help="output folder (created when missing)")
    ap.add_argument("--cycle", type=int, default=0,
                    help="programming cycle index to plot (default 0; -1 = last)")
    if time_option:
        ap.add_argument("--time-index", type=int, default=0,
                        help="index into the file's read times (default 0 = first; -1 = last)")
    if pdf_option:
        ap.add_argument("--pdf", action="store_true", help="also write a PDF next to the PNG")
    ap.add_argument("--allow-partial", action="store_true",
                    help="read a partial file (root attribute complete = 0)")
    return ap


def load(args):
    """Reads the results file named on the command line."""
    return read_results(args.results, allow_partial=args.allow_partial)


def new_figure(size_in, dpi=DPI):
    return plt.figure(figsize=size_in, dpi=dpi, layout="constrained")


def save(fig, outdir, stem: str, pdf: bool, dpi=DPI) -> list:
    """Writes OUTDIR/STEM.png (and .pdf); returns the paths written."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.png"] + ([out / f"{stem}.pdf"] if pdf else [])
    for p in paths:
        fig.savefig(p, dpi=dpi)
        fig.set_layout_engine("none")  # keep the layout of the PNG: lay out once, not per file
    plt.close(fig)
    for p in paths:
        print(p)
    return paths


def study_title(res) -> str:
    """Suptitle: study name, instances, cycles, software accuracy."""
    return (f"{res.attrs.get('name', '?')}: {res.instances} instances x {res.cycles} cycle(s), "
            f"software accuracy {pct(res.software_accuracy)}")


def run(main, argv=None) -> int:
    """Runs a script's main(argv) and turns reader and usage errors into a message on stderr
    and an exit code (2 for the results file, 1 for the command line)."""
    try:
        main(argv)
    except ResultsFormatError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0
