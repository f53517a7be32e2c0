#!/usr/bin/env bash
# Runs every regression case tests/regression/<case>/config.json and compares its results with
# the committed tests/regression/<case>/reference.json: bit for bit on the CPU that made the
# reference, else within the documented tolerance (tests/regression/README.md, compare.py).
# Usage: regression.sh XBARMC BUILD_DIR [--update] [CASE ...]
#   --update rewrites the references (tests/regression/update.sh is the front end for it);
#   CASE names limit the run to those cases (folder names under tests/regression/).
set -euo pipefail
xbarmc=${1:?usage: regression.sh XBARMC_BINARY BUILD_DIR [--update] [CASE ...]}
xbarmc=$(realpath "$xbarmc")
shift $(($# >= 2 ? 2 : 1))
update=
if [[ ${1:-} == --update ]]; then update=--update; shift; fi
cd "$(dirname "$0")/../.."
py=python3
if ! python3 -c "import h5py, numpy" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if (($# > 0)); then
  cases=("$@")
else
  cases=()
  for dir in tests/regression/*/; do
    [[ -f $dir/config.json ]] && cases+=("$(basename "$dir")")
  done
fi
status=0 failed=() start=$SECONDS
for case in "${cases[@]}"; do
  dir=tests/regression/$case
  t0=$(date +%s.%N)
  if ! "$xbarmc" run "$dir/config.json" -o "$tmp/$case.h5" --quiet --force >"$tmp/$case.log" 2>&1; then
    echo "regression case $case: xbarmc run FAILED"
    sed 's/^/    /' "$tmp/$case.log"
    status=1 failed+=("$case")
    continue
  fi
  printf 'regression case %s (%.1f s)\n' "$case" "$(echo "$(date +%s.%N) - $t0" | bc)"
  "$py" tests/regression/compare.py "$tmp/$case.h5" "$dir/reference.json" $update || {
    status=1
    failed+=("$case")
  }
done
echo "${#cases[@]} regression case(s) in $((SECONDS - start)) s; failed: ${failed[*]:-none}"
exit $status
