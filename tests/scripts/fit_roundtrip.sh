#!/usr/bin/env bash
# Round trip of `xbarmc fit` (docs/device-fit.md): a known device -> measurements drawn by the
# engine's device stages (`xbarmc fit-synth`) -> `xbarmc fit` (table and parametric, with the
# report data) -> the fitted device validates and runs in a study, and the study's accuracy
# distribution matches the one of the true device (Welch t test and two-sample KS at
# alpha = 0.01 on independent runs of 40 instances each: the t test detects a mean shift of
# 0.76 standard deviations with power 0.8). Also: the fit's warnings for ill-posed data.
# Usage (from the repo root, as ctest does): bash tests/scripts/fit_roundtrip.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: fit_roundtrip.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
root=$PWD
py=python3
if ! python3 -c "import h5py, scipy" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "fit_roundtrip.sh: FAIL: $*" >&2; exit 1; }
truth=tests/data/fit_truth_device.json

echo "fit_roundtrip.sh: synthesize and fit"
"$xbarmc" fit-synth "$truth" -o "$tmp/reads.csv" --targets-uS 10 30 50 70 --times-s 0 100 10000 \
  --rows 64 --cols 64 --cycles 8 --reads 2 --seed 5
"$xbarmc" fit "$tmp/reads.csv" -o "$tmp/fitted.json" --report "$tmp/report" 2>"$tmp/fit.err" ||
  fail "fit failed: $(cat "$tmp/fit.err")"
grep -q "warning" "$tmp/fit.err" && fail "unexpected warnings: $(cat "$tmp/fit.err")"
"$xbarmc" fit "$tmp/reads.csv" -o "$tmp/param.json" --model parametric 2>/dev/null
sha=$(sha256sum "$tmp/reads.csv" | cut -d' ' -f1)
"$py" - "$tmp/fitted.json" "$sha" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["fit"]["input"]["sha256"] == sys.argv[2], "provenance hash differs from sha256sum"
assert d["fit"]["input"]["rows_used"] < d["fit"]["input"]["rows"], "stuck devices not excluded"
assert d["table"]["levels"][2]["target_uS"] == 50 and d["drift"]["nu_form"] == "table"
PY
[[ -f "$tmp/report/fit_report.json" ]] || fail "no report data"
if "$py" -c "import matplotlib, scipy" >/dev/null 2>&1; then
  "$py" plots/fit_report.py "$tmp/report" >/dev/null || fail "plots/fit_report.py failed"
  [[ -s "$tmp/report/fit_report.png" ]] || fail "no fit_report.png"
fi

echo "fit_roundtrip.sh: the fitted devices validate and run in a study"
study() {  # study OUT DEVICE_FILE
  "$py" - "$1" "$2" <<'PY'
import json, sys
c = json.load(open("tests/regression/rram_small/config.json"))
c["network"]["path"] = "tests/regression/_networks/mlp_small.h5"
c["device"] = {"preset_file": sys.argv[2]}
c.pop("sweep", None)
c["periphery"]["drift_compensation"] = "none"
c["monte_carlo"] = {"instances": 40, "cycles": 1, "times_s": [1, 3600], "test_limit": 200,
                    "probe_size": 16}
json.dump(c, open(sys.argv[1], "w"))
PY
}
study "$tmp/s_truth.json" "$root/$truth"
study "$tmp/s_fit.json" "$tmp/fitted.json"
study "$tmp/s_param.json" "$tmp/param.json"
"$xbarmc" validate "$tmp/s_fit.json" >/dev/null 2>&1 || fail "fitted device does not validate"
"$xbarmc" validate "$tmp/s_param.json" >/dev/null 2>&1 || fail "parametric device does not validate"
"$xbarmc" run "$tmp/s_truth.json" -o "$tmp/truth.h5" --quiet --set /seed=1
"$xbarmc" run "$tmp/s_fit.json" -o "$tmp/fit.h5" --quiet --set /seed=2
"$xbarmc" run "$tmp/s_param.json" -o "$tmp/param.h5" --quiet --set /seed=3 --instances 4
"$py" - "$tmp/truth.h5" "$tmp/fit.h5" <<'PY'
import sys
import h5py, numpy as np
from scipy import stats
def acc(p):
    with h5py.File(p, "r") as f:
        return f["points"]["0"]["accuracy"][()][:, 0, :]
a, b = acc(sys.argv[1]), acc(sys.argv[2])
for t in range(a.shape[1]):
    pt = stats.ttest_ind(a[:, t], b[:, t], equal_var=False).pvalue
    pk = stats.ks_2samp(a[:, t], b[:, t]).pvalue
    print(f"fit_roundtrip.sh: time {t}: truth {a[:, t].mean():.4f} +- {a[:, t].std():.4f}, "
          f"fitted {b[:, t].mean():.4f} +- {b[:, t].std():.4f}; Welch p {pt:.3f}, KS p {pk:.3f}")
    assert pt > 0.01 and pk > 0.01, "accuracy distributions differ"
PY

echo "fit_roundtrip.sh: ill-posed data warns which component cannot be separated"
"$xbarmc" fit-synth "$truth" -o "$tmp/one.csv" --targets-uS 10 30 50 70 --rows 1 --cols 1 --cycles 8 --seed 8
"$xbarmc" fit "$tmp/one.csv" -o "$tmp/one.json" 2>"$tmp/one.err"
grep -qF "device-to-device (D2D) component cannot be separated" "$tmp/one.err" || fail "no D2D warning: $(cat "$tmp/one.err")"
grep -qF "drift cannot be estimated" "$tmp/one.err" || fail "no drift warning"
"$xbarmc" fit-synth "$truth" -o "$tmp/once.csv" --targets-uS 10 70 --rows 8 --cols 8 --cycles 1 --seed 9
"$xbarmc" fit "$tmp/once.csv" -o "$tmp/once.json" 2>"$tmp/once.err"
grep -qF "cycle-to-cycle (C2C) component cannot be separated" "$tmp/once.err" || fail "no C2C warning: $(cat "$tmp/once.err")"
echo "fit_roundtrip.sh: ok"
