#!/usr/bin/env bash
# Job-array shards: three shards of the rram_small regression study merged with `xbarmc merge`
# equal the serial run (tests/scripts/h5_equal.py); merge refuses overlapping shards, missing
# shards and shards of another config with messages that name the problem (exit code 2).
# Usage (from the repo root, as ctest does): bash tests/scripts/shards.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: shards.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
py=python3
if ! python3 -c "import h5py" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "shards.sh: FAIL: $*" >&2; exit 1; }
cfg=tests/regression/rram_small/config.json
run() { "$xbarmc" run "$cfg" --instances 6 --test-limit 100 --quiet "$@" >/dev/null; }

run -o "$tmp/serial.h5"
for k in 0 1 2; do run -o "$tmp/s$k.h5" --shard "$k/3"; done
"$py" - "$tmp/s1.h5" <<'PY' || fail "shard file attributes"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["complete"] == 0 and f.attrs["shard_index"] == 1 and f.attrs["shard_count"] == 3
    # 2 points x 6 instances = 12 items, block 1 of 3 = items 4..7: point 0 instances 4, 5 and
    # point 1 instances 0, 1 (point-major order).
    assert list(f["points/0/done"][()]) == [0, 0, 0, 0, 1, 1], f["points/0/done"][()]
    assert list(f["points/1/done"][()]) == [1, 1, 0, 0, 0, 0], f["points/1/done"][()]
PY
"$xbarmc" merge "$tmp/merged.h5" "$tmp/s2.h5" "$tmp/s0.h5" "$tmp/s1.h5" --quiet >/dev/null
"$py" tests/scripts/h5_equal.py "$tmp/serial.h5" "$tmp/merged.h5" --expect-complete ||
  fail "merged shards differ from the serial run"

# expect_merge FRAGMENT SHARDS...: merge must fail with exit code 2 and FRAGMENT in stderr.
expect_merge() {
  local fragment=$1
  shift
  set +e
  "$xbarmc" merge "$tmp/bad.h5" "$@" >/dev/null 2>"$tmp/err"
  local rc=$?
  set -e
  [[ $rc == 2 ]] || fail "merge $* exited $rc, expected 2"
  grep -qF -- "$fragment" "$tmp/err" || fail "merge $*: expected '$fragment' in: $(cat "$tmp/err")"
  [[ ! -e "$tmp/bad.h5" ]] || fail "a refused merge left an output file"
}
cp "$tmp/s1.h5" "$tmp/s1copy.h5"
expect_merge "instance 4 of point 0 is in both" "$tmp/s0.h5" "$tmp/s1.h5" "$tmp/s1copy.h5" "$tmp/s2.h5"
expect_merge "missing shards: 1/3" "$tmp/s0.h5" "$tmp/s2.h5"
expect_merge "4 of 12 instances are in no shard, the first is instance 4 of point 0" \
  "$tmp/s0.h5" "$tmp/s2.h5"
run -o "$tmp/other1.h5" --shard 1/3 --set /statistics/confidence=0.9
expect_merge "are of different configs (they differ at /statistics/confidence)" \
  "$tmp/s0.h5" "$tmp/other1.h5" "$tmp/s2.h5"
run -o "$tmp/seed1.h5" --shard 1/3 --set /seed=5
expect_merge "different seeds" "$tmp/s0.h5" "$tmp/seed1.h5" "$tmp/s2.h5"
# An existing merge output is refused like an existing run output.
set +e
"$xbarmc" merge "$tmp/merged.h5" "$tmp/s0.h5" "$tmp/s1.h5" "$tmp/s2.h5" >/dev/null 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 2 ]] && grep -q "output file exists" "$tmp/err" || fail "merge overwrote an existing file"
echo "shards.sh: ok"
