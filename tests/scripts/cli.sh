#!/usr/bin/env bash
# End-to-end tests of the command line: validate (resolved config, every kind of config
# error with its JSON pointer and exit code 1), --set, run (results file, summary, existing
# output refused), summary --json/--csv, and the replay of one instance.
# Usage (from the repo root, as ctest does): bash tests/scripts/cli.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: cli.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
py=python3
if ! python3 -c "import h5py" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "cli.sh: FAIL: $*" >&2; exit 1; }

# expect CODE FRAGMENT -- ARGS...: runs xbarmc, checks exit code and that stderr/stdout has FRAGMENT
expect() {
  local code=$1 fragment=$2
  shift 3
  set +e
  "$xbarmc" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  set -e
  [[ $got -eq $code ]] || fail "xbarmc $* exited $got, expected $code: $(cat "$tmp/err")"
  grep -qF -- "$fragment" "$tmp/out" "$tmp/err" || fail "xbarmc $* did not say '$fragment': $(cat "$tmp/err" "$tmp/out")"
}

study=tests/data/plots_study.json
echo "cli.sh: version and validate"
expect 0 "xbarmc 0." -- --version
expect 0 "\"sigma_rel\"" -- validate "$study"
"$xbarmc" validate "$study" 2>/dev/null | "$py" -c 'import json,sys; c=json.load(sys.stdin); assert c["monte_carlo"]["cycles"] == 1 and c["statistics"]["confidence"] == 0.95, c'
expect 0 "\"instances\": 7" -- validate "$study" --set /monte_carlo/instances=7
shopt -s nullglob
for f in configs/*.json; do expect 0 "valid:" -- validate "$f"; done
shopt -u nullglob

echo "cli.sh: configuration errors name the place"
mutate() {  # mutate OUT PYTHON_EXPR_ON_c
  "$py" -c "import json,sys; c=json.load(open('$study')); $2; json.dump(c, open('$1','w'))"
}
mutate "$tmp/typo.json" 'c["monte_carlo"]["instnces"] = 5'
expect 1 '/monte_carlo/instnces: unknown key (did you mean "instances"?)' -- validate "$tmp/typo.json"
mutate "$tmp/type.json" 'c["monte_carlo"]["instances"] = "many"'
expect 1 '/monte_carlo/instances: must be an integer, got string "many"' -- validate "$tmp/type.json"
mutate "$tmp/range.json" 'c["monte_carlo"]["instances"] = 0'
expect 1 '/monte_carlo/instances: must be in [1, 1e+15], got 0' -- validate "$tmp/range.json"
mutate "$tmp/missing.json" 'del c["network"]["path"]'
expect 1 '/network/path: required key is missing' -- validate "$tmp/missing.json"
mutate "$tmp/sweep.json" 'c["sweep"]["axes"][0]["values"] = [0.1, -0.5]'
expect 1 'sweep point 2' -- validate "$tmp/sweep.json"
printf '{\n  "name": "x",\n  "seed": 1,,\n}\n' >"$tmp/malformed.json"
expect 1 'malformed JSON at line 3, column 13' -- validate "$tmp/malformed.json"
mutate "$tmp/many.json" 'c["monte_carlo"]["instances"] = 0; c["monte_carlo"]["cycles"] = -1; c["bogus"] = 1'
expect 1 '/bogus: unknown key' -- validate "$tmp/many.json"
grep -qF '/monte_carlo/instances' "$tmp/err" && grep -qF '/monte_carlo/cycles' "$tmp/err" ||
  fail "not every error of a file was reported: $(cat "$tmp/err")"
expect 1 '/device/programming/d2d/sigma_rel: must be >= 0, got -1' -- validate "$study" --set /device/programming/d2d/sigma_rel=-1
expect 1 'expected /json/pointer=value' -- validate "$study" --set monte_carlo.instances=3

echo "cli.sh: run, summary, replay"
"$xbarmc" train tests/data/tiny_mlp_train.json -o "$tmp/net.h5" --quiet >/dev/null
run_args=(--set "/network/path=$tmp/net.h5" --set /monte_carlo/instances=6 --set /monte_carlo/test_limit=100
  --set '/sweep/axes/0/values=[0.05,0.3]' --quiet --threads 2)
expect 0 "results: $tmp/r.h5" -- run "$study" "${run_args[@]}" -o "$tmp/r.h5"
expect 2 "output file exists (use --force to overwrite)" -- run "$study" "${run_args[@]}" -o "$tmp/r.h5"
expect 2 "does not exist" -- run "$study" "${run_args[@]}" -o "$tmp/no/such/dir/r.h5"
ls "$tmp"/*.tmp-* >/dev/null 2>&1 && fail "a temporary results file was left behind"
expect 0 "study plots_study: 6 instances per point" -- summary "$tmp/r.h5"
expect 0 '"software_accuracy"' -- summary "$tmp/r.h5" --json
"$xbarmc" summary "$tmp/r.h5" --csv | "$py" -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
assert len(rows) == 8, len(rows)          # 4 points x 2 times
assert all(0 <= float(r["mean"]) <= 1 for r in rows)'
expect 2 "not an xbarmc results file" -- summary "$tmp/net.h5"
expect 2 "cannot open file" -- summary "$tmp/none.h5"

# Replay of instance 4 prints exactly the accuracies stored in the full run.
"$xbarmc" run "$study" "${run_args[@]}" --instance 4 >"$tmp/replay.txt"
"$py" - "$tmp/r.h5" "$tmp/replay.txt" <<'PYEOF'
import re, sys, h5py
f = h5py.File(sys.argv[1], "r")
lines = [l for l in open(sys.argv[2]) if l.strip().startswith("point")]
assert lines, "replay printed nothing"
times = list(f["times"][:])
for l in lines:
    m = re.match(r"\s*point (\d+) cycle (\d+) time_s (\S+): (\S+)", l)
    p, c, t, acc = int(m[1]), int(m[2]), float(m[3]), float(m[4])
    stored = float(f[f"points/{p}/accuracy"][4, c, times.index(t)])
    assert abs(stored - acc) < 1e-6, (l, stored)
print("cli.sh: replay matches", len(lines), "values")
PYEOF
# Analytic limit: every device stage off, ideal DAC/ADC and wires: each instance classifies
# the whole test set exactly as the software network does.
"$xbarmc" run "$study" --set "/network/path=$tmp/net.h5" --set '/device={"g_min_uS": 9, "g_max_uS": 88}' \
  --set '/circuit={}' --set '/periphery={}' --set '/sweep={}' --set /monte_carlo/instances=2 \
  --set /monte_carlo/test_limit=0 -o "$tmp/ideal.h5" --quiet >/dev/null
"$py" - "$tmp/ideal.h5" <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
sw = f["network"].attrs["software_accuracy"]
acc = f["points/0/accuracy"][...]
assert int(f.attrs["test_samples"]) == 10000, f.attrs["test_samples"]
assert np.all(acc == np.float32(sw)), (acc, sw)
assert f["points/0"].attrs["noise_free_accuracy"] == sw
print(f"cli.sh: ideal chip reproduces the software accuracy {sw} on all 10000 test images")
PYEOF
expect 1 "--instance 9 is outside" -- run "$study" "${run_args[@]}" --instance 9
# The first-order circuit mode outside its valid range is used, but with a warning.
expect 0 'used outside its valid range' -- run "$study" "${run_args[@]}" --set /circuit/solver=first_order \
  --set /circuit/r_wire_ohm=5 -o "$tmp/fo.h5"
echo "cli.sh: ok"
