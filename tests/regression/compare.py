#!/usr/bin/python3
"""Compare a results file with a committed regression reference, or rewrite the reference.

usage: compare.py RESULTS.h5 REFERENCE.json [--update]

The reference holds every raw per-instance accuracy, layer error and status, the software
and noise-free accuracies, the summary means and standard deviations and the yield counts,
plus the CPU signature of the machine that made it (model name and SIMD flags from
/proc/cpuinfo: xbarmc is built with -march=native, so these decide the vector kernels and
with them the float rounding).

Rule (tests/regression/README.md):
- same CPU signature: every value must be bit-identical (exact equality, NaN == NaN);
- other CPU signature: the documented tolerance. Other SIMD kernels round GEMM sums
  differently and may flip the class of a test sample that sits on a decision boundary, so
  each accuracy (per instance, noise-free, software, summary mean) may differ by at most
  3 samples (3 / test_samples) and each layer error by 1e-3 relative; statuses, sweep
  parameters and shapes must still match exactly. A real change of a model shifts
  accuracies far beyond that. The tolerant comparison says so, and why, on its first line.

--update writes the reference from RESULTS.h5, after printing what changed (exact
comparison against the old reference, if there is one).
"""
import json
import math
import os
import re
import sys

import h5py
import numpy as np

MAX_LINES = 20  # mismatch lines printed per case; the rest are counted
SIMD_FLAG = re.compile(r"^(sse|ssse|avx|fma|f16c|amx|bmi|popcnt|lzcnt|abm|adx|movbe|"
                       r"pclmul|vpclmul|vaes|aes|gfni|sha_ni|xop|tbm)")


def cpu_signature():
    """Model name and SIMD flags of this machine's first CPU (what -march=native sees)."""
    model, flags = "unknown", []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown":
                    model = value.strip()
                elif key in ("flags", "Features") and not flags:
                    flags = sorted(x for x in value.split() if SIMD_FLAG.match(x))
                if model != "unknown" and flags:
                    break
    except OSError:
        pass
    return {"cpu_model": model, "simd_flags": " ".join(flags)}


def text(v):
    return v if isinstance(v, str) else v.decode()


def extract(path):
    """Every compared value of a complete results file, as plain JSON-able lists."""
    with h5py.File(path, "r") as f:
        assert text(f.attrs["filetype"]) == "xbarmc-results", f"{path}: not a results file"
        assert int(f.attrs["complete"]) == 1, f"{path}: results file incomplete"
        out = {
            "made_by": f"xbarmc {text(f.attrs['xbarmc_version'])} git {text(f.attrs['git_sha'])}",
            "machine": cpu_signature(),
            "test_samples": int(f.attrs["test_samples"]),
            "software_accuracy": float(f["network"].attrs["software_accuracy"]),
            "times_s": f["times"][...].tolist(),
            "points": [],
        }
        p = 0
        while f"points/{p}" in f:
            g = f[f"points/{p}"]
            out["points"].append({
                "params": text(g.attrs["params"]),
                "noise_free_accuracy": float(g.attrs["noise_free_accuracy"]),
                "status": g["status"][...].astype(int).tolist(),
                "accuracy": g["accuracy"][...].astype(float).tolist(),
                "layer_error": g["layer_error"][...].astype(float).tolist(),
                "mean": g["summary/mean"][...].tolist(),
                "std": g["summary/std"][...].tolist(),
                "yield_passed": g["summary/yield_passed"][...].astype(int).tolist(),
            })
            p += 1
    return out


def same(a, b):
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


class Report:
    """Collects mismatch lines; prints at most MAX_LINES of them."""

    def __init__(self):
        self.lines = []

    def add(self, line):
        self.lines.append(line)

    def print(self, indent="  "):
        for line in self.lines[:MAX_LINES]:
            print(indent + line)
        if len(self.lines) > MAX_LINES:
            print(f"{indent}... and {len(self.lines) - MAX_LINES} more mismatches "
                  f"({len(self.lines)} in all)")


def where(field, idx, times_s):
    """Readable position of an element: instance, cycle, time (and layer)."""
    names = ["instance", "cycle", "time", "layer"] if field == "layer_error" else \
        ["instance", "cycle", "time"] if field == "accuracy" else \
        ["cycle", "time", "threshold"] if field == "yield_passed" else \
        ["cycle", "time"] if field in ("mean", "std") else ["instance"]
    parts = []
    for name, i in zip(names, idx):
        if name == "time" and i < len(times_s):
            parts.append(f"time {times_s[i]:g} s")
        else:
            parts.append(f"{name} {i}")
    return " ".join(parts)


def compare(got, ref, exact, report):
    """Appends every difference of got from ref to report; exact or documented tolerance."""
    n = ref["test_samples"]
    acc_tol = 0.0 if exact else 3.0 / n + 1e-7
    rel_tol = 0.0 if exact else 1e-3
    times_s = ref.get("times_s", [])

    def close(new, old, rel=False):
        if exact:
            return same(new, old)
        if math.isnan(new) or math.isnan(old):
            return math.isnan(new) and math.isnan(old)
        if rel:
            return abs(new - old) <= rel_tol * max(abs(old), 1e-12)
        return abs(new - old) <= acc_tol

    for key in ("test_samples", "times_s"):
        if key in ref and got[key] != ref[key]:
            report.add(f"{key}: {ref[key]} -> {got[key]}")
    if not close(got["software_accuracy"], ref["software_accuracy"]):
        report.add(f"software_accuracy: {ref['software_accuracy']!r} -> {got['software_accuracy']!r}")
    if len(got["points"]) != len(ref["points"]):
        report.add(f"number of points: {len(ref['points'])} -> {len(got['points'])}")
    fields = [("status", False, True), ("accuracy", False, False),
              ("layer_error", True, False), ("mean", False, False)]
    if exact:
        fields += [("std", False, True), ("yield_passed", False, True)]
    for p, (a, b) in enumerate(zip(got["points"], ref["points"])):
        if json.loads(a["params"]) != json.loads(b["params"]):
            report.add(f"point {p}: params {b['params']} -> {a['params']}")
            continue
        if not close(a["noise_free_accuracy"], b["noise_free_accuracy"]):
            report.add(f"point {p}: noise_free_accuracy {b['noise_free_accuracy']!r} -> "
                       f"{a['noise_free_accuracy']!r}")
        for field, rel, always_exact in fields:
            if field not in b:
                continue  # a reference written before the field was recorded
            new, old = np.array(a[field], dtype=float), np.array(b[field], dtype=float)
            if new.shape != old.shape:
                report.add(f"point {p}: {field} shape {old.shape} -> {new.shape}")
                continue
            for idx in np.ndindex(old.shape):
                x, y = float(new[idx]), float(old[idx])
                ok = same(x, y) if always_exact else close(x, y, rel)
                if not ok:
                    report.add(f"point {p} {where(field, idx, times_s)}: {field} {y!r} -> {x!r}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__)
        return 1
    got = extract(args[0])
    ref_path = args[1]
    if "--update" in sys.argv:
        if os.path.exists(ref_path):
            report = Report()
            compare(got, json.load(open(ref_path)), True, report)
            if report.lines:
                print(f"  changed: {len(report.lines)} value(s) differ from the old reference:")
                report.print("    ")
            else:
                print("  unchanged: bit-identical to the old reference")
        else:
            print("  new reference")
        with open(ref_path, "w") as f:
            json.dump(got, f, indent=1)
            f.write("\n")
        print(f"  wrote {ref_path}")
        return 0

    if not os.path.exists(ref_path):
        print(f"  regression FAILED: no {ref_path}; write it with tests/regression/update.sh XBARMC CASE")
        return 1
    ref = json.load(open(ref_path))
    here = cpu_signature()
    made = ref.get("machine")
    exact = made == here
    if not exact:
        print("  TOLERANT comparison (3 samples per accuracy, 1e-3 relative layer error), because "
              "this CPU signature differs from the reference's:\n"
              f"    reference: {made}\n    this machine: {here}")
    report = Report()
    compare(got, ref, exact, report)
    if report.lines:
        kind = "bit-for-bit" if exact else "tolerant"
        print(f"  regression FAILED ({kind}): {len(report.lines)} mismatch(es), "
              "old -> new:")
        report.print("    ")
        return 1
    print("  ok: bit-identical to the reference" if exact else
          "  ok within the tolerance (not bit-identical: other CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
