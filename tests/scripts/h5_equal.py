#!/usr/bin/env python3
"""Compares two xbarmc results files bit for bit (used by mpi.sh, shards.sh, resume.sh).

Every dataset of the files (all of /points, /times, /thresholds, ...) must have the same dtype,
shape and bytes; every attribute of every group must be equal, except the provenance that
legitimately differs between two runs of one study: the root attributes `created` and
`timings_json`, and `/output/path` inside the root attribute `config` (where the file was
written). Exit status 0 when equal, 1 with the differences listed otherwise.
Usage: h5_equal.py A.h5 B.h5 [--expect-complete]
"""
import json
import sys

import h5py
import numpy as np

IGNORED_ROOT_ATTRS = {"created", "timings_json"}
# Dimension-scale bookkeeping (format 1.1) holds HDF5 object references, which are file
# addresses: compared by the names of the objects they point to.
REFERENCE_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST"}


def resolve_references(f, value):
    """The attribute with every object reference replaced by the referenced object's name."""
    if isinstance(value, h5py.Reference):
        return f[value].name if value else None
    if isinstance(value, np.void):  # REFERENCE_LIST entries: (dataset reference, dimension)
        return tuple(resolve_references(f, v) for v in value.tolist())
    if isinstance(value, tuple):
        return tuple(resolve_references(f, v) for v in value)
    if isinstance(value, np.ndarray):
        return [resolve_references(f, v) for v in value.tolist()] if value.dtype.kind in "OV" \
            else value.tolist()
    if isinstance(value, list):
        return [resolve_references(f, v) for v in value]
    return value


def normalise_config(text):
    cfg = json.loads(text)
    if isinstance(cfg.get("output"), dict):
        cfg["output"].pop("path", None)
    return cfg


def attr_equal(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def compare(fa, fb, problems):
    names_a, names_b = [], []
    fa.visit(names_a.append)
    fb.visit(names_b.append)
    if sorted(names_a) != sorted(names_b):
        problems.append(f"objects differ: only in A {sorted(set(names_a) - set(names_b))}, "
                        f"only in B {sorted(set(names_b) - set(names_a))}")
    for name in ["/"] + sorted(set(names_a) & set(names_b)):
        oa, ob = fa[name], fb[name]
        if isinstance(oa, h5py.Dataset):
            da, db = oa[()], ob[()]
            if da.dtype != db.dtype or da.shape != db.shape or da.tobytes() != db.tobytes():
                problems.append(f"dataset {name} differs")
        keys_a, keys_b = set(oa.attrs), set(ob.attrs)
        if name == "/":
            keys_a -= IGNORED_ROOT_ATTRS
            keys_b -= IGNORED_ROOT_ATTRS
        if keys_a != keys_b:
            problems.append(f"attributes of {name} differ: {sorted(keys_a ^ keys_b)}")
        for key in sorted(keys_a & keys_b):
            va, vb = oa.attrs[key], ob.attrs[key]
            if key in REFERENCE_ATTRS:
                if resolve_references(fa, va) != resolve_references(fb, vb):
                    problems.append(f"dimension scales of {name} ({key}) differ")
            elif name == "/" and key == "config":
                if normalise_config(va) != normalise_config(vb):
                    problems.append("root attribute config differs (beyond /output/path)")
            elif not attr_equal(va, vb):
                problems.append(f"attribute {name}@{key} differs: {va!r} != {vb!r}")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    problems = []
    with h5py.File(sys.argv[1], "r") as fa, h5py.File(sys.argv[2], "r") as fb:
        compare(fa, fb, problems)
        if "--expect-complete" in sys.argv[3:]:
            for path, f in ((sys.argv[1], fa), (sys.argv[2], fb)):
                if f.attrs["complete"] != 1:
                    problems.append(f"{path} is not complete")
    for p in problems:
        print("h5_equal:", p)
    if not problems:
        print(f"h5_equal: {sys.argv[1]} == {sys.argv[2]}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
