#!/usr/bin/env bash
# A network written with h5py + numpy (scripts/make_network.py) loads in xbarmc and gives the
# logits numpy computes. Usage: network_python.sh <xbarmc-binary> <build-dir>
set -euo pipefail
build_dir=${2:?usage: network_python.sh <xbarmc-binary> <build-dir>}
src_dir=${XBARMC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

python=python3
if ! "$python" -c 'import h5py, numpy' 2>/dev/null; then python=/usr/bin/python3; fi
"$python" -c 'import h5py, numpy' || { echo "FAIL: no python3 with h5py and numpy"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" "$src_dir/scripts/make_network.py" --example "$work/net.h5" --inputs "$work/in.h5" \
  --logits "$work/ref.h5"

out=$(XBARMC_PY_NETWORK="$work/net.h5" XBARMC_PY_INPUTS="$work/in.h5" XBARMC_PY_LOGITS="$work/ref.h5" \
  "$build_dir/tests/test_nn" --gtest_filter='PythonInterop.*' 2>&1) || { echo "$out"; exit 1; }
echo "$out"
# The gtest skips itself without the files: make sure it really ran here.
if grep -q SKIPPED <<<"$out" || ! grep -q '\[  PASSED  \] 1 test' <<<"$out"; then
  echo "FAIL: PythonInterop test did not run"
  exit 1
fi
