#!/usr/bin/env bash
# Numerical faults end to end: a sweep point with an extreme programming sigma (sigma_rel 1e300,
# conductance clamp 1e300 uS: programmed conductances become Inf or 0, outputs NaN) next to a
# normal one.
#   Below the limits (defaults 100 and 10 %): the run completes (exit 0), the extreme point's
#   instances have status 2 (NonFinite) and NaN accuracy, the count is printed.
#   Above them (/monte_carlo/max_nonfinite=2): exit 4, a message naming the count and both
#   limits with their config pointers, a partial file (not complete) whose saved items equal
#   the full run; --resume with higher limits completes it, bit-identical to the full run.
# Usage (from the repo root, as ctest does): bash tests/scripts/nonfinite.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: nonfinite.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
py=python3
if ! python3 -c "import h5py" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "nonfinite.sh: FAIL: $*" >&2; exit 1; }
cfg=tests/regression/rram_small/config.json
args=(--instances 6 --test-limit 100 --threads 2 --quiet
  --set /device/programming/g_clamp_max_uS=1e300 --set '/sweep/axes/0/values=[0.05, 1e300]')

"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/full.h5" >"$tmp/out" 2>"$tmp/err" ||
  fail "below the limits: exit $?: $(cat "$tmp/err")"
grep -q "^6 work items gave non-finite outputs" "$tmp/out" || fail "no count: $(cat "$tmp/out")"
"$py" - "$tmp/full.h5" <<'PY' || fail "below the limits: wrong statuses"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    assert int(f.attrs["complete"]) == 1
    s0, s1 = f["points/0/status"][()], f["points/1/status"][()]
    assert (s0 == 1).all() and (s1 == 2).all(), (s0, s1)
    assert np.isfinite(f["points/0/accuracy"][()]).all()
    assert np.isnan(f["points/1/accuracy"][()]).all()
PY
"$xbarmc" summary "$tmp/full.h5" >"$tmp/summary"
grep -q "^6 instances gave non-finite outputs" "$tmp/summary" ||
  fail "xbarmc summary does not count the non-finite instances"
"$xbarmc" summary "$tmp/full.h5" --json >"$tmp/summary.json"
grep -q '"nonfinite_instances": 6' "$tmp/summary.json" ||
  fail "xbarmc summary --json does not count the non-finite instances"
echo "nonfinite.sh: below the limits: complete, 6 of 12 instances non-finite (status 2)"

set +e
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/stop.h5" --set /monte_carlo/max_nonfinite=2 \
  >/dev/null 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 4 ]] || fail "above the limits: exit code $rc, expected 4: $(cat "$tmp/err")"
for part in "instances gave non-finite outputs" "/monte_carlo/max_nonfinite = 2" \
  "/monte_carlo/max_nonfinite_fraction = 0.1" "of the 12 work items" "$tmp/stop.h5 holds" \
  "(partial)" "--resume"; do
  grep -qF -- "$part" "$tmp/err" || fail "message lacks '$part': $(cat "$tmp/err")"
done
read -r d n c <<<"$("$py" tests/scripts/h5_partial_check.py "$tmp/full.h5" "$tmp/stop.h5")" ||
  fail "the stopped run's file is not a valid partial file"
echo "nonfinite.sh: above the limits: exit 4, $d of $n items saved, complete=$c"
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/stop.h5" --resume >/dev/null ||
  fail "--resume with the default limits failed"
"$py" tests/scripts/h5_equal.py "$tmp/full.h5" "$tmp/stop.h5" --expect-complete >/dev/null ||
  fail "stopped + resumed differs from the full run"
echo "nonfinite.sh: ok"
