"""Reader for xbarmc results files (HDF5), format version 1.x.

The layout is documented field by field in docs/results-format.md. `read_results` checks the
root attributes `filetype` and the major part of `format_version` before it reads anything else,
and raises `ResultsFormatError` with a message that names the file and what is wrong.

Example:
    from xbarmc_results import read_results
    res = read_results("results/q.h5")
    res.times                      # float64 [T], seconds after programming
    res.points[0].accuracy         # float32 [I, C, T], fraction
    res.config["sweep"]["axes"]    # the resolved config as a dict
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

#: Value of the root attribute `filetype` of every results file.
FILETYPE = "xbarmc-results"
#: Major format version this reader understands (docs/results-format.md).
FORMAT_MAJOR = 1
#: Summary datasets of `/points/<p>/summary/` read into `Point.summary` when present.
SUMMARY_NAMES = ("n", "mean", "std", "sem", "min", "max", "quantiles", "quantile_levels",
                 "histogram", "histogram_edges", "yield", "yield_lo", "yield_hi", "yield_passed")


class ResultsFormatError(Exception):
    """The file is missing, not HDF5, not an xbarmc results file, of another major format
    version, partial, or lacks a field the format requires."""


@dataclass
class Point:
    """One sweep point: `/points/<index>/`."""
    index: int                      #: p of `/points/<p>`
    params: dict                    #: JSON pointer -> value of this point's sweep overrides
    label: str                      #: the same as text ("base" without sweep)
    noise_free_accuracy: float      #: ideal devices, real circuit and periphery (fraction)
    accuracy: np.ndarray            #: float32 [I, C, T], fraction; NaN when not finite/not run
    layer_error: np.ndarray         #: float32 [I, C, T, L], relative RMS (1), cumulative
    status: np.ndarray              #: uint8 [I]: 0 not run, 1 ok, 2 some output not finite
    done: np.ndarray                #: uint8 [I]: 1 when the instance finished
    summary: dict = field(default_factory=dict)  #: name -> array, see SUMMARY_NAMES

    def quantile(self, level: float) -> np.ndarray:
        """Summary quantile at `level` (e.g. 0.05) as float64 [C, T] (fraction)."""
        levels = np.asarray(self.summary["quantile_levels"])
        hit = np.flatnonzero(np.isclose(levels, level, rtol=0, atol=1e-9))
        if hit.size == 0:
            raise ResultsFormatError(
                f"point {self.index}: quantile level {level} is not among the stored "
                f"summary/quantile_levels {levels.tolist()}")
        return np.asarray(self.summary["quantiles"])[..., hit[0]]


@dataclass
class Results:
    """Everything in one results file, read into memory (the file is closed afterwards)."""
    path: str                       #: file it was read from
    attrs: dict                     #: root attributes (strings decoded, arrays as numpy)
    config: dict                    #: resolved configuration (root attribute `config`)
    format_version: tuple           #: (major, minor)
    network: dict                   #: attributes of `/network`
    times_s: np.ndarray             #: float64 [T], read times after programming (s)
    thresholds: np.ndarray          #: float64 [K], applied accuracy thresholds (fraction)
    thresholds_configured: np.ndarray  #: float64 [K], `/statistics/thresholds` as configured
    points: list                    #: list of Point, in index order

    @property
    def software_accuracy(self) -> float:
        """Accuracy of the float32 reference network on the evaluated test samples (fraction)."""
        return float(self.network["software_accuracy"])

    @property
    def instances(self) -> int:
        """I: instances per point."""
        return int(self.attrs["instances"])

    @property
    def cycles(self) -> int:
        """C: programming cycles per instance."""
        return int(self.attrs["cycles"])

    @property
    def threshold_mode(self) -> str:
        """"absolute" or "drop" (thresholds below software accuracy)."""
        return str(self.attrs.get("threshold_mode", "absolute"))

    @property
    def confidence(self) -> float:
        """Confidence level of the stored Clopper-Pearson yield intervals (fraction)."""
        return float(self.attrs["confidence"])

    @property
    def layers(self) -> int:
        """L: weight layers."""
        return int(self.network["weight_layers"])


def _decode(value):
    """h5py returns variable-length strings as str and fixed-length ones as bytes."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.dtype.kind in "SO":
        return [_decode(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attrs(obj) -> dict:
    return {name: _decode(obj.attrs[name]) for name in obj.attrs}


def _require(group, name: str, path: str):
    if name not in group:
        raise ResultsFormatError(f"{path}: missing {group.name.rstrip('/')}/{name} "
                                 f"(required by docs/results-format.md)")
    return group[name]


def check_header(f: h5py.File, path: str) -> tuple:
    """Checks `filetype` and the major `format_version`; returns (major, minor)."""
    filetype = _decode(f.attrs.get("filetype"))
    if filetype != FILETYPE:
        got = "missing" if filetype is None else repr(filetype)
        raise ResultsFormatError(
            f"{path}: not an xbarmc results file (root attribute filetype is {got}, "
            f"expected {FILETYPE!r})")
    version = f.attrs.get("format_version")
    if version is None or np.size(version) != 2:
        raise ResultsFormatError(
            f"{path}: root attribute format_version is missing or not [major, minor]")
    major, minor = (int(v) for v in np.asarray(version).ravel())
    if major != FORMAT_MAJOR:
        raise ResultsFormatError(
            f"{path}: results format version {major}.{minor} is not supported; this reader "
            f"reads format version {FORMAT_MAJOR}.x (see docs/results-format.md)")
    return major, minor


def _read_point(group, index: int, path: str) -> Point:
    attrs = _attrs(group)
    for name in ("params", "label", "noise_free_accuracy"):
        if name not in attrs:
            raise ResultsFormatError(f"{path}: missing {group.name}/@{name}")
    summary = {}
    if "summary" in group:
        for name in SUMMARY_NAMES:
            if name in group["summary"]:
                summary[name] = group["summary"][name][()]
    return Point(
        index=index,
        params=json.loads(attrs["params"]),
        label=str(attrs["label"]),
        noise_free_accuracy=float(attrs["noise_free_accuracy"]),
        accuracy=_require(group, "accuracy", path)[()],
        layer_error=_require(group, "layer_error", path)[()],
        status=_require(group, "status", path)[()],
        done=_require(group, "done", path)[()],
        summary=summary,
    )


def read_results(path, allow_partial: bool = False) -> Results:
    """Reads a whole results file.

    Raises ResultsFormatError when the file cannot be opened as HDF5, is not an xbarmc results
    file, has another major format version, is partial (`complete` = 0, unless allow_partial)
    or lacks a required field.
    """
    path = str(path)
    if not Path(path).is_file():
        raise ResultsFormatError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ResultsFormatError(f"{path}: cannot be opened as HDF5 ({e})") from None
    with f:
        version = check_header(f, path)
        attrs = _attrs(f)
        if not allow_partial and int(attrs.get("complete", 0)) != 1:
            raise ResultsFormatError(
                f"{path}: partial results file (root attribute complete is not 1); "
                f"finish it with 'xbarmc run ... --resume' first")
        try:
            config = json.loads(attrs.get("config", ""))
        except json.JSONDecodeError as e:
            raise ResultsFormatError(f"{path}: root attribute config is not JSON ({e})") from None
        network = _attrs(_require(f, "network", path))
        points_group = _require(f, "points", path)
        names = sorted(points_group.keys(), key=lambda s: int(s) if s.isdigit() else -1)
        if any(not n.isdigit() for n in names):
            raise ResultsFormatError(f"{path}: /points holds a group that is not a number")
        if not names:
            raise ResultsFormatError(f"{path}: /points is empty")
        return Results(
            path=path,
            attrs=attrs,
            config=config,
            format_version=version,
            network=network,
            times_s=_require(f, "times", path)[()],
            thresholds=_require(f, "thresholds", path)[()],
            thresholds_configured=_require(f, "thresholds_configured", path)[()],
            points=[_read_point(points_group[n], int(n), path) for n in names],
        )
