#!/usr/bin/env python3
"""Checks that a checkpoint / partial results file is valid and holds only correct work.

Usage: h5_partial_check.py REFERENCE.h5 PARTIAL.h5 [--allow-complete]
Reads every dataset of PARTIAL in full (a truncated or corrupt file fails here), then requires:
the root attribute `complete` is 0 (unless --allow-complete, and then it must be 1 exactly when
every item is done); per point, `done` equals `status != 0`; every done instance's accuracy and
per-layer error are bit-identical to the same instance of the uninterrupted REFERENCE run; every
instance not done has status 0 (NotRun) and NaN accuracy. Prints "DONE TOTAL COMPLETE";
exit status 0 when valid, 1 with the reason otherwise (used by io_faults.sh, kill_random.sh).
"""
import sys

import h5py
import numpy as np


def fail(msg):
    print(f"h5_partial_check: {sys.argv[2]}: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    allow_complete = "--allow-complete" in sys.argv[3:]
    with h5py.File(sys.argv[1], "r") as ref, h5py.File(sys.argv[2], "r") as f:
        if f.attrs["filetype"] != "xbarmc-results":
            fail("not an xbarmc results file")
        f.visititems(lambda name, obj: obj[()] if isinstance(obj, h5py.Dataset) else None)
        complete = int(f.attrs["complete"])
        done_all = total = 0
        for p in ref["points"]:
            if p not in f["points"]:
                fail(f"point {p} missing")
            g, r = f["points"][p], ref["points"][p]
            status, done = g["status"][()], g["done"][()]
            if not np.array_equal(done, (status != 0).astype(done.dtype)):
                fail(f"point {p}: done != (status != 0)")
            acc, ref_acc = g["accuracy"][()], r["accuracy"][()]
            err, ref_err = g["layer_error"][()], r["layer_error"][()]
            for i in range(status.shape[0]):
                if status[i] != 0:
                    if status[i] != r["status"][i]:
                        fail(f"point {p} instance {i}: status {status[i]} != {r['status'][i]}")
                    if acc[i].tobytes() != ref_acc[i].tobytes() or \
                            err[i].tobytes() != ref_err[i].tobytes():
                        fail(f"point {p} instance {i}: done, but differs from the reference")
                elif not np.all(np.isnan(acc[i])):
                    fail(f"point {p} instance {i}: not run, but has accuracies")
            done_all += int(done.sum())
            total += done.shape[0]
        if complete and not allow_complete:
            fail("claims complete")
        if complete != (done_all == total):
            fail(f"complete = {complete} with {done_all} of {total} items done")
        print(done_all, total, complete)


if __name__ == "__main__":
    main()
