#!/usr/bin/python3
"""Recomputes each point's summary from the raw per-instance accuracies with numpy and compares
it with the stored `summary/` datasets (docs/results-format.md): n, mean, std (n - 1), min,
max, type-7 quantiles (numpy's default), histogram counts, yield_passed, yield and the exact
Clopper-Pearson interval (computed independently in make_fake_results.py).

Tolerances: the raw values are float32 and the summaries float64 computed from them, so the
comparisons allow 1e-6 relative (float64 summation order) and counts must match exactly;
Clopper-Pearson bounds are found here by bisection to 1e-12 and compared to 1e-7 absolute.
Usage: check_summary.py RESULTS; exit 1 with one line per mismatch.
"""

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fake_results import clopper_pearson  # noqa: E402
from xbarmc_results import read_results  # noqa: E402


def mismatches(res) -> list:
    out = []

    def close(name, p, got, want, rtol=1e-6, atol=1e-9):
        if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
            out.append(f"point {p}: summary/{name} differs from the raw data: stored "
                       f"{np.ravel(got)[:4]} recomputed {np.ravel(want)[:4]}")

    for point in res.points:
        s, p = point.summary, point.index
        acc = np.asarray(point.accuracy, np.float64)
        _, c_n, t_n = acc.shape
        for c in range(c_n):
            for t in range(t_n):
                v = acc[:, c, t]
                v = v[np.isfinite(v)]
                n = v.size
                close("n", p, s["n"][c, t], n, rtol=0, atol=0)
                if n == 0:
                    continue
                close("mean", p, s["mean"][c, t], v.mean())
                if n > 1:
                    close("std", p, s["std"][c, t], v.std(ddof=1))
                close("min", p, s["min"][c, t], v.min())
                close("max", p, s["max"][c, t], v.max())
                close("quantiles", p, s["quantiles"][c, t], np.quantile(v, s["quantile_levels"]))
                hist = np.histogram(v, s["histogram_edges"])[0]
                close("histogram", p, s["histogram"][c, t], hist, rtol=0, atol=0)
                passed = np.array([np.count_nonzero(v >= thr) for thr in res.thresholds])
                close("yield_passed", p, s["yield_passed"][c, t], passed, rtol=0, atol=0)
                close("yield", p, s["yield"][c, t], passed / n)
                ci = np.array([clopper_pearson(int(k), n, res.confidence) for k in passed])
                close("yield_lo", p, s["yield_lo"][c, t], ci[:, 0], rtol=0, atol=1e-7)
                close("yield_hi", p, s["yield_hi"][c, t], ci[:, 1], rtol=0, atol=1e-7)
        if not math.isfinite(point.noise_free_accuracy):
            out.append(f"point {p}: @noise_free_accuracy is not finite")
    return out


if __name__ == "__main__":
    found = mismatches(read_results(sys.argv[1]))
    for line in found[:20]:
        print(f"check_summary: {line}", file=sys.stderr)
    if not found:
        print(f"check_summary: every stored summary of {sys.argv[1]} matches the raw data")
    sys.exit(1 if found else 0)
