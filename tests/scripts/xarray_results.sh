#!/usr/bin/env bash
# Labelled results: every point group of a results file opens in xarray (python3-xarray with
# python3-h5netcdf) as a labelled dataset through its HDF5 dimension scales (instance, cycle,
# time in s, layer; the summary group: cycle, time, threshold, quantile, bin), and the labelled
# values are the raw arrays h5py reads (docs/results-format.md, "Labelled access").
# Usage (from the repo root, as ctest does): bash tests/scripts/xarray_results.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: xarray_results.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
py=python3
if ! python3 -c "import xarray, h5netcdf, h5py" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$xbarmc" run tests/regression/quickstart/config.json -o "$tmp/r.h5" --instances 5 --quiet \
  --force >/dev/null
"$py" - "$tmp/r.h5" <<'PY'
import sys
import h5py
import numpy as np
import xarray as xr

path = sys.argv[1]
raw = h5py.File(path, "r")
assert tuple(raw.attrs["format_version"]) == (1, 1), raw.attrs["format_version"]
times = raw["times"][...]
points = len(raw["points"])
assert points >= 2, points
for p in range(points):
    ds = xr.open_dataset(path, group=f"points/{p}", engine="h5netcdf")
    acc = ds["accuracy"]
    assert acc.dims == ("instance", "cycle", "time"), acc.dims
    assert ds["layer_error"].dims == ("instance", "cycle", "time", "layer")
    assert ds["status"].dims == ("instance",)
    np.testing.assert_array_equal(ds["time"].values, times)
    assert ds["time"].attrs["units"] == "s"
    np.testing.assert_array_equal(ds["instance"].values, np.arange(5))
    np.testing.assert_array_equal(acc.values, raw[f"points/{p}/accuracy"][...])
    # Selection by label: the accuracy of instance 3 at the last read time.
    v = acc.sel(instance=3, cycle=0, time=times[-1]).item()
    assert v == raw[f"points/{p}/accuracy"][3, 0, -1], v
    s = xr.open_dataset(path, group=f"points/{p}/summary", engine="h5netcdf")
    assert s["yield"].dims == ("cycle", "time", "threshold"), s["yield"].dims
    np.testing.assert_array_equal(s["threshold"].values, raw["thresholds"][...])
    np.testing.assert_array_equal(s["mean"].values, raw[f"points/{p}/summary/mean"][...])
    assert s["quantiles"].dims == ("cycle", "time", "quantile")
    assert s["histogram"].dims == ("cycle", "time", "bin")
print(f"xarray_results.sh: {points} points open as labelled datasets; ok")
PY
