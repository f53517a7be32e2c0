#!/usr/bin/python3
"""Compare a results file with a committed regression reference, or write the reference.

usage: compare.py RESULTS.h5 REFERENCE.json [--update]

The reference holds every raw per-instance accuracy and layer error, the software and
noise-free accuracies, and the summary means. Tolerances: on the machine kind that made the
reference the values are bit-identical; another CPU (other SIMD kernels, other float rounding
in GEMM) may flip the class of a sample that sits on a decision boundary, so each accuracy may
differ by at most 3 samples (3 / test_samples) and each layer error by 1e-3 relative. A real
change of a model shifts accuracies far beyond that.
"""
import json
import sys

import h5py
import numpy as np


def extract(path):
    f = h5py.File(path, "r")
    assert f.attrs["filetype"] == "xbarmc-results", "not a results file"
    assert int(f.attrs["complete"]) == 1, "results file incomplete"
    out = {
        "test_samples": int(f.attrs["test_samples"]),
        "software_accuracy": float(f["network"].attrs["software_accuracy"]),
        "points": [],
    }
    p = 0
    while f"points/{p}" in f:
        g = f[f"points/{p}"]
        out["points"].append({
            "params": g.attrs["params"] if isinstance(g.attrs["params"], str) else g.attrs["params"].decode(),
            "noise_free_accuracy": float(g.attrs["noise_free_accuracy"]),
            "accuracy": g["accuracy"][...].astype(float).tolist(),
            "layer_error": g["layer_error"][...].astype(float).tolist(),
            "mean": g["summary/mean"][...].tolist(),
        })
        p += 1
    return out


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 1
    got = extract(sys.argv[1])
    if "--update" in sys.argv:
        json.dump(got, open(sys.argv[2], "w"), indent=1)
        print(f"wrote {sys.argv[2]}")
        return 0
    ref = json.load(open(sys.argv[2]))
    n = ref["test_samples"]
    tol = 3.0 / n + 1e-7
    problems = []
    if got["test_samples"] != n:
        problems.append(f"test_samples {got['test_samples']} != {n}")
    if abs(got["software_accuracy"] - ref["software_accuracy"]) > 1e-9:
        problems.append(f"software accuracy {got['software_accuracy']} != {ref['software_accuracy']}")
    if len(got["points"]) != len(ref["points"]):
        problems.append(f"{len(got['points'])} points, reference has {len(ref['points'])}")
    worst_acc = worst_err = 0.0
    for p, (a, b) in enumerate(zip(got["points"], ref["points"])):
        if json.loads(a["params"]) != json.loads(b["params"]):
            problems.append(f"point {p}: params {a['params']} != {b['params']}")
        if abs(a["noise_free_accuracy"] - b["noise_free_accuracy"]) > tol:
            problems.append(f"point {p}: noise-free accuracy {a['noise_free_accuracy']} vs {b['noise_free_accuracy']}")
        acc_a, acc_b = np.array(a["accuracy"]), np.array(b["accuracy"])
        if acc_a.shape != acc_b.shape:
            problems.append(f"point {p}: accuracy shape {acc_a.shape} != {acc_b.shape}")
            continue
        d = np.abs(acc_a - acc_b)
        worst_acc = max(worst_acc, float(d.max()))
        if (d > tol).any():
            i = np.unravel_index(np.argmax(d), d.shape)
            problems.append(f"point {p}: accuracy at (instance, cycle, time) {i} is {acc_a[i]}, reference {acc_b[i]}")
        e_a, e_b = np.array(a["layer_error"]), np.array(b["layer_error"])
        rel = np.abs(e_a - e_b) / np.maximum(np.abs(e_b), 1e-12)
        worst_err = max(worst_err, float(rel.max()))
        if (rel > 1e-3).any():
            problems.append(f"point {p}: layer error differs by {rel.max():.2e} (relative)")
    if problems:
        print("regression FAILED:\n  " + "\n  ".join(problems))
        return 1
    print(f"regression ok: largest accuracy difference {worst_acc:.2e} (tolerance {tol:.2e}), "
          f"largest relative layer-error difference {worst_err:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
