#!/usr/bin/env bash
# SIGKILL at random moments: a run with checkpoints every 0.1 s is killed (SIGKILL, no chance to
# clean up) at seeded random times (fractions of an uninterrupted run's wall time), then
# resumed, again and again. After every kill the output
# is absent or a valid results file (read in full) that claims `complete` only when every item
# is done, whose saved items are bit-identical to an uninterrupted run
# (h5_partial_check.py); the last resume must equal the uninterrupted run bit for bit.
# Usage (from the repo root, as ctest does): bash tests/scripts/kill_random.sh XBARMC BUILD_DIR
#   XBARMC_KILL_SEED (default: random, printed) replays a sequence of kill times;
#   XBARMC_KILLS (default 10) is the number of kills.
set -euo pipefail
xbarmc=${1:?usage: kill_random.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
py=python3
if ! python3 -c "import h5py" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "kill_random.sh: FAIL (seed $seed): $*" >&2; exit 1; }
seed=${XBARMC_KILL_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
kills=${XBARMC_KILLS:-10}
cfg=tests/regression/rram_small/config.json
# Two threads, 2 x 10 work items of 0.2-0.5 s: a run takes a few seconds; each restart loads
# the network and data again (about 0.3 s) before its first checkpoint.
args=(--instances 10 --test-limit 100 --threads 2 --quiet)
t0=$(date +%s.%N)
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/ref.h5" >/dev/null
ref_s=$("$py" -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$(date +%s.%N)")
# Kill times: fractions of the reference run's wall time (startup included, so the sequence
# means the same on a fast and on a loaded machine), uniform in [0.15, 1.0), from the seed.
mapfile -t times < <("$py" -c "
import random, sys
r = random.Random(int(sys.argv[1]))
for _ in range(int(sys.argv[2])): print(f'{r.uniform(0.15, 1.0) * float(sys.argv[3]):.3f}')" \
  "$seed" "$kills" "$ref_s")
echo "kill_random.sh: seed $seed, reference run ${ref_s} s, kill times (s): ${times[*]}"

out="$tmp/out.h5"
killed=0 finished=0 absent=0
for t in "${times[@]}"; do
  resume=()
  [[ -e $out ]] && resume=(--resume)
  "$xbarmc" run "$cfg" "${args[@]}" -o "$out" --checkpoint-s 0.1 "${resume[@]}" \
    >/dev/null 2>"$tmp/err" &
  pid=$!
  sleep "$t"
  kill -KILL $pid 2>/dev/null || true
  set +e
  { wait $pid; } 2>/dev/null
  rc=$?
  set -e
  if [[ $rc == 137 ]]; then
    killed=$((killed + 1))
  elif [[ $rc == 0 ]]; then
    finished=$((finished + 1))
  else
    fail "run ended with exit code $rc before the kill at $t s: $(cat "$tmp/err")"
  fi
  rm -f "$out".tmp-*  # a killed writer leaves its temporary file; it is never read
  if [[ ! -e $out ]]; then
    absent=$((absent + 1))
    echo "kill_random.sh: kill at $t s: no output yet"
    continue
  fi
  state=$("$py" tests/scripts/h5_partial_check.py "$tmp/ref.h5" "$out" --allow-complete) ||
    fail "after the kill at $t s (exit $rc) the output is not a valid results file"
  read -r d n c <<<"$state"
  ((c == 0 || rc == 0 || d == n)) || fail "complete = $c after a kill with $d of $n items"
  echo "kill_random.sh: kill at $t s (exit $rc): $d of $n items saved, complete=$c"
  if [[ $rc == 0 ]]; then  # finished before its kill: check it, then start over
    "$py" tests/scripts/h5_equal.py "$tmp/ref.h5" "$out" --expect-complete >/dev/null ||
      fail "a run that finished between kills differs from the uninterrupted run"
    rm -f "$out"
  fi
done
if [[ -e $out ]]; then
  "$xbarmc" run "$cfg" "${args[@]}" -o "$out" --resume >/dev/null
else
  "$xbarmc" run "$cfg" "${args[@]}" -o "$out" >/dev/null
fi
"$py" tests/scripts/h5_equal.py "$tmp/ref.h5" "$out" --expect-complete >/dev/null ||
  fail "the resumed run differs from the uninterrupted run"
echo "kill_random.sh: ok: $killed SIGKILLs ($absent before the first checkpoint), $finished runs" \
  "finished before their kill; the final file equals the uninterrupted run"
