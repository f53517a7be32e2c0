#!/usr/bin/python3
"""Writes a small synthetic xbarmc results file that follows docs/results-format.md exactly.

It exists to unit-test the plots without the engine, and to make files with a wrong filetype,
another format version or `complete` = 0 for the reader's error tests. The accuracy model is a
toy (not physics): each instance has a fixed standard-normal "chip quality" z (common random
numbers across points, as the engine does), the expected accuracy drops with the swept sigma,
wire resistance and log time, drift compensation removes most of the time dependence, and the
measured accuracy is Binomial(test_samples, p) / test_samples.
"""

import argparse
import itertools
import json
import math
from functools import lru_cache

import h5py
import numpy as np

SIGMA = "/device/programming/d2d/sigma_rel"
R_WIRE = "/circuit/r_wire_ohm"
DRIFT_COMP = "/periphery/drift_compensation"
SWEEPS = {
    "grid": ("grid", [(SIGMA, [0.02, 0.05, 0.1, 0.2]), (DRIFT_COMP, ["none", "global"])]),
    "grid2": ("grid", [(SIGMA, [0.02, 0.05, 0.1, 0.2]), (R_WIRE, [0.5, 2.0])]),
    "zip": ("zip", [(R_WIRE, [0.1, 1.0, 10.0]), (SIGMA, [0.03, 0.06, 0.09])]),
    "dc": ("grid", [(DRIFT_COMP, ["none", "global", "per_column"])]),
    "none": ("grid", []),
}
QUANTILE_LEVELS = [0.01, 0.05, 0.5, 0.95, 0.99]


def _log_binom_pmf(k, n, p):
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) +
            (n - k) * math.log1p(-p))


def _binom_cdf(k, n, p):
    """P(X <= k) for X ~ Binomial(n, p), summed in log space."""
    return min(1.0, sum(math.exp(_log_binom_pmf(i, n, p)) for i in range(k + 1)))


def _bisect(f, lo=0.0, hi=1.0):
    """Root of a monotone decreasing f on [lo, hi] to 1e-12."""
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@lru_cache(maxsize=None)
def clopper_pearson(x, n, confidence):
    """Exact two-sided interval for a binomial proportion (Clopper & Pearson, Biometrika 26,
    1934): lo solves P(X >= x | lo) = a/2, hi solves P(X <= x | hi) = a/2, a = 1 - confidence."""
    if n == 0:
        return 0.0, 1.0
    a = 1.0 - confidence
    lo = 0.0 if x == 0 else _bisect(lambda p: a / 2 - (1.0 - _binom_cdf(x - 1, n, p)))
    hi = 1.0 if x == n else _bisect(lambda p: _binom_cdf(x, n, p) - a / 2)
    return lo, hi


def summarise(acc, thresholds, confidence, bins):
    """Summary datasets of one point from accuracy [I, C, T], as docs/results-format.md says."""
    _, c_n, t_n = acc.shape
    k_n = len(thresholds)
    out = {name: np.zeros((c_n, t_n)) for name in ("mean", "std", "sem", "min", "max")}
    out["n"] = np.zeros((c_n, t_n), np.int64)
    out["quantiles"] = np.zeros((c_n, t_n, len(QUANTILE_LEVELS)))
    out["histogram"] = np.zeros((c_n, t_n, bins), np.int64)
    out["histogram_edges"] = np.linspace(0.0, 1.0, bins + 1)
    for name in ("yield", "yield_lo", "yield_hi"):
        out[name] = np.zeros((c_n, t_n, k_n))
    out["yield_passed"] = np.zeros((c_n, t_n, k_n), np.int64)
    for c, t in itertools.product(range(c_n), range(t_n)):
        v = acc[:, c, t].astype(np.float64)
        v = v[np.isfinite(v)]
        n = v.size
        out["n"][c, t] = n
        out["mean"][c, t] = v.mean()
        out["std"][c, t] = v.std(ddof=1)
        out["sem"][c, t] = out["std"][c, t] / math.sqrt(n)
        out["min"][c, t], out["max"][c, t] = v.min(), v.max()
        out["quantiles"][c, t] = np.quantile(v, QUANTILE_LEVELS)  # type 7 (numpy default)
        out["histogram"][c, t] = np.histogram(v, out["histogram_edges"])[0]
        for k, thr in enumerate(thresholds):
            passed = int(np.count_nonzero(v >= thr))
            out["yield_passed"][c, t, k] = passed
            out["yield"][c, t, k] = passed / n
            out["yield_lo"][c, t, k], out["yield_hi"][c, t, k] = clopper_pearson(
                passed, n, confidence)
    out["quantile_levels"] = np.array(QUANTILE_LEVELS)
    return out


def make_points(mode, axes):
    """Sweep points as a list of {pointer: value}: the cartesian product (grid) or the
    element-wise pairing (zip) of the axes' values."""
    if not axes:
        return [{}]
    pointers = [p for p, _ in axes]
    if mode == "zip":
        combos = zip(*[v for _, v in axes])
    else:
        combos = itertools.product(*[v for _, v in axes])
    return [dict(zip(pointers, combo)) for combo in combos]


def write_fake(path, sweep="grid", instances=120, cycles=2, layers=3, test_samples=400,
               filetype="xbarmc-results", format_version=(1, 0), complete=1,
               threshold_mode="absolute", seed=7, times_s=(1.0, 60.0, 3600.0, 86400.0)):
    """Writes the file; every field of docs/results-format.md version 1.0 is present."""
    rng = np.random.default_rng(seed)
    mode, axes = SWEEPS[sweep]
    times_s = np.array(times_s, dtype=float)
    software = 0.884
    configured = [0.02, 0.05] if threshold_mode == "drop" else [0.80, 0.85, 0.87]
    thresholds = (software - np.array(configured) if threshold_mode == "drop" else
                  np.array(configured))
    confidence = 0.95
    base = {SIGMA: 0.05, R_WIRE: 1.0, DRIFT_COMP: "none"}
    config = {
        "name": f"fake-{sweep}", "seed": seed,
        "network": {"path": "results/networks/fake_mlp.h5", "train_config": "none"},
        "device": {"programming": {"d2d": {"sigma_rel": base[SIGMA]}}},
        "circuit": {"r_wire_ohm": base[R_WIRE]},
        "periphery": {"drift_compensation": base[DRIFT_COMP]},
        "monte_carlo": {"instances": instances, "cycles": cycles, "times_s": times_s.tolist(),
                        "probe_size": 64},
        "statistics": {"thresholds": configured, "threshold_mode": threshold_mode,
                       "confidence": confidence},
        "sweep": {"mode": mode, "axes": [{"pointer": p, "values": v} for p, v in axes]},
    }
    z_chip = rng.standard_normal(instances)             # common random numbers across points
    z_cycle = rng.standard_normal((instances, cycles))
    z_layer = rng.standard_normal((instances, cycles, 1, layers))
    with h5py.File(path, "w") as f:
        f.attrs["filetype"] = filetype
        f.attrs["format_version"] = np.array(format_version, np.int32)
        for name, value in (("xbarmc_version", "0.1.0-fake"), ("git_sha", "unknown"),
                            ("created", "2026-01-01T00:00:00Z"), ("name", config["name"]),
                            ("rng", "Philox4x64-10 (Random123) with Boost.Random"),
                            ("boost_version", "1.74.0"), ("threshold_mode", threshold_mode),
                            ("timings_json", json.dumps({"setup_s": 0.1, "monte_carlo_s": 1.0}))):
            f.attrs[name] = value
        f.attrs["seed"] = np.uint64(seed)
        f.attrs["config"] = json.dumps(config)
        f.attrs["complete"] = np.uint8(complete)
        f.attrs["instances"] = np.uint64(instances)
        f.attrs["cycles"] = np.uint64(cycles)
        f.attrs["test_samples"] = np.uint64(test_samples)
        f.attrs["confidence"] = confidence
        net = f.create_group("network")
        net.attrs["name"] = "fake_mlp"
        net.attrs["description"] = "dense 784x128, dense 128x64, dense 64x10 (fake)"
        net.attrs["software_accuracy"] = software
        net.attrs["weight_layers"] = np.uint64(layers)
        f["times"] = times_s
        f["thresholds"] = thresholds
        f["thresholds_configured"] = np.array(configured)
        for p, params in enumerate(make_points(mode, axes)):
            v = {**base, **params}
            comp = {"none": 1.0, "global": 0.25, "per_column": 0.1}[v[DRIFT_COMP]]
            drift = 1.0 + comp * 0.6 * np.log10(times_s)
            loss = (4.0 * v[SIGMA]**2 + 0.004 * v[R_WIRE]) * drift           # [T]
            p_true = software - loss[None, None, :] * np.exp(
                0.5 * z_chip[:, None, None] + 0.15 * z_cycle[:, :, None])
            p_true = np.clip(p_true, 0.0, 1.0)
            acc = (rng.binomial(test_samples, p_true) / test_samples).astype(np.float32)
            status = np.ones(instances, np.uint8)
            if sweep != "none" and p == 1:
                acc[3] = np.nan
                status[3] = 2
            lerr = (v[SIGMA] * np.sqrt(np.arange(1, layers + 1)) * drift[None, None, :, None] *
                    np.exp(0.3 * z_layer)).astype(np.float32)
            g = f.create_group(f"points/{p}")
            g.attrs["params"] = json.dumps(params)
            g.attrs["label"] = (", ".join(f"{k}={val}" for k, val in params.items()) or "base")
            g.attrs["noise_free_accuracy"] = software - 0.004 * v[R_WIRE]
            opts = dict(chunks=True, compression="gzip", compression_opts=4, shuffle=True)
            g.create_dataset("accuracy", data=acc, **opts)
            g.create_dataset("layer_error", data=lerr, **opts)
            g.create_dataset("status", data=status, **opts)
            g.create_dataset("done", data=np.ones(instances, np.uint8), **opts)
            for name, arr in summarise(acc, thresholds, confidence, bins=100).items():
                g[f"summary/{name}"] = arr


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="results file to write (.h5)")
    ap.add_argument("--sweep", choices=sorted(SWEEPS), default="grid",
                    help="which sweep the fake study has (default: grid = sigma x drift comp.)")
    ap.add_argument("--instances", type=int, default=120, help="instances per point")
    ap.add_argument("--filetype", default="xbarmc-results", help="root attribute filetype")
    ap.add_argument("--format-version", type=int, nargs=2, default=[1, 0],
                    metavar=("MAJOR", "MINOR"), help="root attribute format_version")
    ap.add_argument("--complete", type=int, default=1, help="root attribute complete (0 or 1)")
    ap.add_argument("--threshold-mode", choices=["absolute", "drop"], default="absolute")
    a = ap.parse_args(argv)
    write_fake(a.out, sweep=a.sweep, instances=a.instances, filetype=a.filetype,
               format_version=tuple(a.format_version), complete=a.complete,
               threshold_mode=a.threshold_mode)


if __name__ == "__main__":
    main()
