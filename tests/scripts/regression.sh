#!/usr/bin/env bash
# Runs every regression case tests/regression/<case>/config.json and compares its results with
# the committed tests/regression/<case>/reference.json (tolerances in compare.py).
# Usage: regression.sh XBARMC BUILD_DIR [--update]   (--update rewrites the references)
set -euo pipefail
xbarmc=${1:?usage: regression.sh XBARMC_BINARY BUILD_DIR [--update]}
cd "$(dirname "$0")/../.."
py=python3
if ! python3 -c "import h5py, numpy" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for dir in tests/regression/*/; do
  case=$(basename "$dir")
  echo "regression case $case"
  "$xbarmc" run "$dir/config.json" -o "$tmp/$case.h5" --quiet --force >/dev/null
  "$py" tests/regression/compare.py "$tmp/$case.h5" "$dir/reference.json" ${3:-} || status=1
done
exit $status
