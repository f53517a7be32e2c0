#!/usr/bin/env bash
# Script test of plots/: renders every plot from a small real results file made in this run
# (tests/data/plots_study.json) and from synthetic ones, checks each PNG (exists, non-empty,
# expected pixel size) and the report PDF, checks the stored summaries against the raw data,
# and checks that a wrong filetype and format_version [2,0] make every script fail clearly.
# Usage (from the repo root, as ctest does): bash tests/scripts/plots.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: plots.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."

# Debian's interpreter has h5py/numpy/matplotlib; the first python3 on PATH may not.
py=python3
if ! python3 -c "import h5py, numpy, matplotlib" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts=(accuracy_distribution yield_vs_param accuracy_vs_time layer_error_vs_param report)
fail() { echo "plots.sh: FAIL: $*" >&2; exit 1; }

render() {  # render FILE OUTDIR: every script through its command line, then check the outputs
  for s in "${scripts[@]}"; do
    "$py" "plots/$s.py" "$1" "$2" >/dev/null || fail "plots/$s.py $1 exited $?"
  done
  "$py" plots/tests/check_outputs.py "$2" || fail "outputs of $1"
}

echo "plots.sh: unit tests of plots/ ($py)"
"$py" -m unittest discover -s plots/tests -p 'test_*.py' || fail "python unit tests"

echo "plots.sh: synthetic results file"
"$py" plots/tests/make_fake_results.py "$tmp/fake.h5" --sweep grid
render "$tmp/fake.h5" "$tmp/out-fake"

echo "plots.sh: wrong filetype and format version"
"$py" plots/tests/make_fake_results.py "$tmp/wrong_type.h5" --filetype not-xbarmc
"$py" plots/tests/make_fake_results.py "$tmp/v2.h5" --format-version 2 0
for s in "${scripts[@]}"; do
  for bad in wrong_type v2; do
    if "$py" "plots/$s.py" "$tmp/$bad.h5" "$tmp/out-bad" 2>"$tmp/err"; then
      fail "plots/$s.py accepted $bad.h5"
    fi
    case $bad in
      wrong_type) want="not an xbarmc results file (root attribute filetype is 'not-xbarmc'" ;;
      v2) want="results format version 2.0 is not supported" ;;
    esac
    grep -qF "$want" "$tmp/err" || fail "plots/$s.py on $bad.h5 said: $(cat "$tmp/err")"
  done
done
[[ ! -e "$tmp/out-bad" ]] || fail "a script wrote output for a rejected file"

study=tests/data/plots_study.json
if [[ ! -f "$study" ]]; then
  fail "$study is missing: the real-file part of this test needs a small study config" \
    "(added with the engine); the synthetic part above passed"
fi
echo "plots.sh: real results file from $study"
"$xbarmc" train tests/data/tiny_mlp_train.json -o "$tmp/tiny_mlp.h5" --quiet
"$xbarmc" run "$study" --set "/network/path=$tmp/tiny_mlp.h5" -o "$tmp/r.h5" --quiet --force
render "$tmp/r.h5" "$tmp/out"
"$py" plots/tests/check_summary.py "$tmp/r.h5" || fail "stored summaries of $tmp/r.h5"
echo "plots.sh: ok"
