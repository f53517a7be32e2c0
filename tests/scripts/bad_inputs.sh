#!/usr/bin/env bash
# Bad-input corpus: every folder tests/bad_inputs/<case>/ holds
#   cmd               the xbarmc arguments, one line of shell words; placeholders @DIR@ (the
#                     case folder), @TMP@ (a fresh temporary folder) and @DATA@ (tests/data)
#   expected_exit     the exit code (1 usage/config, 2 I/O, see docs/reliability.md)
#   expected_message  one fragment per line; each must appear in stdout or stderr
#   setup.py          optional: `python3 setup.py TMP` builds binary inputs (HDF5, IDX) in TMP
# plus small input files. Beyond each case's own expectations, every case must also: end with
# an exit code in 0..3 (no crash, no signal), never print "internal error" (an exception that
# escaped without a clear message), and leave no temporary results file behind.
# Usage (from the repo root, as ctest does): bash tests/scripts/bad_inputs.sh XBARMC [BUILD_DIR] [CASE...]
# XBARMC_BAD_INPUTS_VERBOSE=1 also prints the output of the cases that pass.
set -euo pipefail
xbarmc=${1:?usage: bad_inputs.sh XBARMC_BINARY [BUILD_DIR] [CASE...]}
shift
[[ $# -gt 0 ]] && shift
cd "$(dirname "$0")/../.."
root=$PWD
py=python3
if ! python3 -c "import h5py" >/dev/null 2>&1; then py=/usr/bin/python3; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH="$root/tests/bad_inputs/_lib${PYTHONPATH:+:$PYTHONPATH}"

cases=("$@")
if ((${#cases[@]} == 0)); then
  for d in tests/bad_inputs/*/; do
    name=$(basename "$d")
    [[ $name == _* ]] || cases+=("$name")
  done
fi

failed=()
for name in "${cases[@]}"; do
  dir="$root/tests/bad_inputs/$name"
  tmp="$work/$name"
  mkdir -p "$tmp"
  why=""
  for f in cmd expected_exit expected_message; do
    [[ -f "$dir/$f" ]] || why="missing $f"
  done
  if [[ -z "$why" && -f "$dir/setup.py" ]]; then
    (cd "$dir" && "$py" setup.py "$tmp") >"$tmp/.setup.log" 2>&1 || why="setup.py failed: $(cat "$tmp/.setup.log")"
  fi
  if [[ -z "$why" ]]; then
    line=$(head -n1 "$dir/cmd")
    line=${line//@DIR@/$dir}
    line=${line//@TMP@/$tmp}
    line=${line//@DATA@/$root/tests/data}
    eval "args=($line)"
    want=$(tr -d '[:space:]' <"$dir/expected_exit")
    set +e
    timeout 300 "$xbarmc" "${args[@]}" >"$tmp/.out" 2>&1
    got=$?
    set -e
    if [[ $got -ne $want ]]; then
      why="exit code $got, expected $want"
    elif ((got > 3)); then
      why="exit code $got is not an xbarmc exit code (crash or signal)"
    elif grep -qF "internal error" "$tmp/.out"; then
      why="an exception escaped without a clear message"
    else
      while IFS= read -r fragment || [[ -n "$fragment" ]]; do
        [[ -z "$fragment" ]] && continue
        fragment=${fragment//@DIR@/$dir}
        fragment=${fragment//@TMP@/$tmp}
        grep -qF -- "$fragment" "$tmp/.out" || { why="output lacks '$fragment'"; break; }
      done <"$dir/expected_message"
    fi
    if [[ -z "$why" ]] && compgen -G "$tmp/*.tmp*" >/dev/null; then
      why="a temporary file was left behind: $(ls "$tmp"/*.tmp*)"
    fi
  fi
  if [[ -n "$why" ]]; then
    failed+=("$name")
    echo "bad_inputs: FAIL $name: $why" >&2
    [[ -f "$tmp/.out" ]] && sed 's/^/    | /' "$tmp/.out" | head -20 >&2
  else
    echo "bad_inputs: ok   $name (exit $got)"
    [[ -n "${XBARMC_BAD_INPUTS_VERBOSE:-}" ]] && sed 's/^/    | /' "$tmp/.out"
  fi
done
echo "bad_inputs: ${#cases[@]} cases, ${#failed[@]} failed"
((${#failed[@]} == 0))
