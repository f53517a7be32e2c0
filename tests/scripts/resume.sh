#!/usr/bin/env bash
# Checkpoint and resume: SIGTERM in the middle of a run saves the completed work items (exit
# code 3, complete = 0); `--resume` runs the rest and the file equals an uninterrupted run. A
# SIGKILL after a periodic checkpoint leaves a readable checkpoint that resumes to the same
# file. --resume refuses a file of another config.
# Usage (from the repo root, as ctest does): bash tests/scripts/resume.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: resume.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
py=python3
if ! python3 -c "import h5py" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "resume.sh: FAIL: $*" >&2; exit 1; }
cfg=tests/regression/rram_small/config.json
# One thread and 2 x 8 work items (0.2-0.5 s each): long enough to be interrupted after a
# checkpoint. The reference runs on all cores (the thread count does not change results).
args=(--instances 8 --test-limit 300 --threads 1 --quiet)  # runs of ~5 s: checkpoints land well before the end

"$xbarmc" run "$cfg" --instances 8 --test-limit 300 --quiet -o "$tmp/ref.h5" >/dev/null

# done_count FILE: prints "done total complete" of a results file.
done_count() {
  "$py" - "$1" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    d = sum(int(f["points"][p]["done"][()].sum()) for p in f["points"])
    n = sum(f["points"][p]["done"].shape[0] for p in f["points"])
    print(d, n, int(f.attrs["complete"]))
PY
}

# interrupt SIGNAL FILE: starts a run with checkpoints every 0.2 s, waits for the first
# checkpoint holding some work, sends SIGNAL, and prints the exit status.
interrupt() {
  local sig=$1 out=$2
  "$xbarmc" run "$cfg" "${args[@]}" -o "$out" --checkpoint-s 0.2 >/dev/null 2>"$tmp/err" &
  local pid=$! waited=0
  until [[ -e "$out" ]] && [[ $(done_count "$out" 2>/dev/null | cut -d' ' -f1) -gt 0 ]]; do
    sleep 0.1
    waited=$((waited + 1))
    kill -0 $pid 2>/dev/null || fail "the run finished before it could be interrupted"
    ((waited < 600)) || fail "no checkpoint after 60 s"
  done
  kill "-$sig" $pid
  set +e
  wait $pid
  echo $?
  set -e
}

rc=$(interrupt TERM "$tmp/term.h5")
[[ $rc == 3 ]] || fail "SIGTERM: exit code $rc, expected 3 ($(cat "$tmp/err"))"
grep -q "continue with --resume" "$tmp/err" || fail "SIGTERM message: $(cat "$tmp/err")"
read -r d n c <<<"$(done_count "$tmp/term.h5")"
((d > 0 && d < n && c == 0)) || fail "after SIGTERM: $d of $n done, complete=$c"
echo "resume.sh: SIGTERM saved $d of $n work items"
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/term.h5" --resume >"$tmp/out"
grep -q "$d work items resumed" "$tmp/out" || fail "resume did not reuse the $d saved items"
"$py" tests/scripts/h5_equal.py "$tmp/ref.h5" "$tmp/term.h5" --expect-complete ||
  fail "SIGTERM + --resume differs from the uninterrupted run"

rc=$(interrupt KILL "$tmp/kill.h5")
[[ $rc == 137 ]] || fail "SIGKILL: exit code $rc"
read -r d n c <<<"$(done_count "$tmp/kill.h5")"
((c == 0)) || fail "a killed run left a complete file"
echo "resume.sh: SIGKILL left a checkpoint with $d of $n work items"
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/kill.h5" --resume >/dev/null
"$py" tests/scripts/h5_equal.py "$tmp/ref.h5" "$tmp/kill.h5" --expect-complete ||
  fail "SIGKILL + --resume differs from the uninterrupted run"

# Resuming with another config or seed is refused; so is --resume together with --force.
set +e
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/kill.h5" --resume --set /seed=3 >/dev/null 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 2 ]] && grep -q "cannot resume: the file has seed 424242" "$tmp/err" ||
  fail "resume with another seed: rc $rc, $(cat "$tmp/err")"
set +e
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/kill.h5" --resume --set /monte_carlo/cycles=1 \
  >/dev/null 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 2 ]] && grep -q "differs at /monte_carlo/cycles" "$tmp/err" ||
  fail "resume with another config: rc $rc, $(cat "$tmp/err")"
echo "resume.sh: ok"
