#!/usr/bin/env bash
# Disk-full, permission and file-size faults while results are written, injected at the system
# call boundary (tests/faults/io_faults.c through LD_PRELOAD, and `ulimit -f`):
#   1. ENOSPC on periodic checkpoints after two good ones, and on the final write;
#   2. EACCES on opening the checkpoint file after two good ones, and on the final write;
#   3. EFBIG (`ulimit -f`, SIGXFSZ ignored) on the final write of a --resume;
#   4. ENOSPC on the first byte of the final write of a --resume (no checkpoints).
# Every case: exit code 2, a message naming the file and the system's error text, no temporary
# file left, the last good checkpoint intact (bytes unchanged where it existed before the run;
# readable by `xbarmc summary`, not complete, every saved item equal to the uninterrupted run),
# and --resume from it completes bit-identical to the uninterrupted run.
# Usage (from the repo root, as ctest does): bash tests/scripts/io_faults.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: io_faults.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
py=python3
if ! python3 -c "import h5py" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "io_faults.sh: FAIL: $*" >&2; exit 1; }
cc -shared -fPIC -O1 -o "$tmp/io_faults.so" tests/faults/io_faults.c -ldl
cfg=tests/regression/rram_small/config.json
# One thread and 2 x 4 work items (0.3-1 s each): checkpoints every 0.05 s see several, so
# the SKIP=2 cases below always reach failing checkpoints before the final write.
args=(--instances 4 --test-limit 300 --threads 1 --quiet)
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/ref.h5" >/dev/null

# A partial file with some work in it, so every kept checkpoint below holds saved items: a run
# with checkpoints is stopped by SIGTERM once a checkpoint holds an item (exit 3).
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/start.h5" --checkpoint-s 0.05 >/dev/null 2>&1 &
pid=$!
waited=0
until [[ -e "$tmp/start.h5" ]] &&
  [[ $("$py" tests/scripts/h5_partial_check.py "$tmp/ref.h5" "$tmp/start.h5" 2>/dev/null |
    cut -d' ' -f1) -gt 0 ]]; do
  sleep 0.1
  waited=$((waited + 1))
  kill -0 $pid 2>/dev/null || fail "the run finished before a checkpoint could be taken"
  ((waited < 1200)) || fail "no checkpoint with work after 120 s"
done
kill -TERM $pid
set +e
wait $pid
rc=$?
set -e
[[ $rc == 3 ]] || fail "SIGTERM: exit code $rc"
export XBARMC_FAULT_LOG="$tmp/faults.log"
: >"$XBARMC_FAULT_LOG"

# faulty RC_FILE ERR_FILE ENV... -- XBARMC_ARGS...: runs xbarmc with the shim and the ENV
# settings; writes the exit status to RC_FILE and stderr to ERR_FILE.
faulty() {
  local rc_file=$1 err_file=$2
  shift 2
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  set +e
  # (an ASan build would refuse a preload ahead of its runtime; the shim only forwards calls)
  env LD_PRELOAD="$tmp/io_faults.so" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
    "${envs[@]}" "$xbarmc" "$@" >/dev/null 2>"$err_file"
  echo $? >"$rc_file"
  set -e
}

# expect_failed_write CASE OUT ERR_TEXT: exit 2, the message, no temporary file, a valid
# partial OUT (printed: items done).
expect_failed_write() {
  local name=$1 out=$2 text=$3
  local rc
  rc=$(cat "$tmp/rc")
  [[ $rc == 2 ]] || fail "$name: exit code $rc, expected 2: $(cat "$tmp/err")"
  grep -q "xbarmc: error: $out" "$tmp/err" || fail "$name: message does not name $out: $(cat "$tmp/err")"
  grep -q "$text" "$tmp/err" || fail "$name: no '$text' in: $(cat "$tmp/err")"
  grep -q "keeps its previous content" "$tmp/err" || fail "$name: $(cat "$tmp/err")"
  if compgen -G "$out.tmp-*" >/dev/null; then fail "$name: temporary file left: $(ls "$out".tmp-*)"; fi
  [[ -e $out ]] || fail "$name: no checkpoint left"
  "$xbarmc" summary "$out" >"$tmp/summary" || fail "$name: xbarmc summary cannot read $out"
  grep -q INCOMPLETE "$tmp/summary" || fail "$name: $out does not read as partial"
  "$py" tests/scripts/h5_partial_check.py "$tmp/ref.h5" "$out" >"$tmp/check" ||
    fail "$name: the checkpoint is not a valid partial file"
  read -r d _ _ <"$tmp/check"
  ((d > 0)) || fail "$name: the kept checkpoint lost the saved items"
}

resume_equals_reference() {
  local name=$1 out=$2
  "$xbarmc" run "$cfg" "${args[@]}" -o "$out" --resume >/dev/null ||
    fail "$name: --resume from the kept checkpoint failed"
  "$py" tests/scripts/h5_equal.py "$tmp/ref.h5" "$out" --expect-complete >/dev/null ||
    fail "$name: --resume differs from the uninterrupted run"
}

faults() { wc -l <"$XBARMC_FAULT_LOG"; }
before=0
report() {
  local n
  n=$(faults)
  echo "io_faults.sh: $1: ok ($((n - before)) faults injected; checkpoint: $(cut -d' ' -f1,2 "$tmp/check" | tr ' ' /) items)"
  before=$n
}

# 1. Disk full: the third and later results files (checkpoints, then the final write) accept
# 4 KiB, then every write fails with ENOSPC.
cp "$tmp/start.h5" "$tmp/full.h5"
faulty "$tmp/rc" "$tmp/err" XBARMC_FAULT_MODE=enospc XBARMC_FAULT_MATCH="$tmp/full.h5.tmp-" \
  XBARMC_FAULT_SKIP=2 XBARMC_FAULT_BYTES=4096 -- run "$cfg" "${args[@]}" -o "$tmp/full.h5" \
  --checkpoint-s 0.05 --resume
expect_failed_write enospc "$tmp/full.h5" "No space left on device"
grep -q "warning: checkpoint not written (the run goes on).*No space left on device" "$tmp/err" ||
  fail "enospc: no checkpoint warning: $(cat "$tmp/err")"
report "ENOSPC on checkpoints and the final write"
sum=$(sha256sum <"$tmp/full.h5")

# 3. File size limit on the final write of a resume: the kept checkpoint is unchanged.
set +e
(
  trap '' XFSZ
  ulimit -f 8
  exec "$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/full.h5" --resume >/dev/null 2>"$tmp/err"
)
echo $? >"$tmp/rc"
set -e
expect_failed_write efbig "$tmp/full.h5" "File too large"
[[ $(sha256sum <"$tmp/full.h5") == "$sum" ]] || fail "efbig: the checkpoint changed"
echo "efbig (ulimit -f)" >>"$XBARMC_FAULT_LOG"
report "EFBIG on the final write of --resume"

# 4. Disk full from the first byte of the final write of a resume.
faulty "$tmp/rc" "$tmp/err" XBARMC_FAULT_MODE=enospc XBARMC_FAULT_MATCH="$tmp/full.h5.tmp-" \
  -- run "$cfg" "${args[@]}" -o "$tmp/full.h5" --resume
expect_failed_write "enospc-final" "$tmp/full.h5" "No space left on device"
[[ $(sha256sum <"$tmp/full.h5") == "$sum" ]] || fail "enospc-final: the checkpoint changed"
report "ENOSPC on the final write of --resume"
resume_equals_reference enospc "$tmp/full.h5"

# 2. Permission: the third and later opens of the results file for writing fail with EACCES.
cp "$tmp/start.h5" "$tmp/perm.h5"
faulty "$tmp/rc" "$tmp/err" XBARMC_FAULT_MODE=eacces XBARMC_FAULT_MATCH="$tmp/perm.h5.tmp-" \
  XBARMC_FAULT_SKIP=2 -- run "$cfg" "${args[@]}" -o "$tmp/perm.h5" --checkpoint-s 0.05 --resume
expect_failed_write eacces "$tmp/perm.h5" "Permission denied"
grep -q "warning: checkpoint not written (the run goes on).*Permission denied" "$tmp/err" ||
  fail "eacces: no checkpoint warning: $(cat "$tmp/err")"
report "EACCES on checkpoints and the final write"
resume_equals_reference eacces "$tmp/perm.h5"

echo "io_faults.sh: ok, $(faults) faults injected in all (failed system calls + ulimit cases)"
