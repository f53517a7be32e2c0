#!/usr/bin/env bash
# MPI: `mpirun -np 2 xbarmc-mpi run` (Open MPI, oversubscribed, allowed as root) writes the same
# file as a run of the serial xbarmc (tests/scripts/h5_equal.py), and so does -np 3 with a
# shard. Needs a build with -DXBARMC_MPI=ON (BUILD_DIR/xbarmc-mpi; scripts/test configures its
# build so); in a build without MPI it says so and checks nothing.
# Usage (from the repo root): bash tests/scripts/mpi.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: mpi.sh XBARMC_BINARY BUILD_DIR}
build=${2:?usage: mpi.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
if ! grep -q '^XBARMC_MPI:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "mpi.sh: $build is not an MPI build (-DXBARMC_MPI=ON); nothing to check"
  exit 0
fi
xbarmc_mpi=$build/xbarmc-mpi
[[ -x "$xbarmc_mpi" ]] || { echo "mpi.sh: FAIL: $xbarmc_mpi missing" >&2; exit 1; }
py=python3
if ! python3 -c "import h5py" >/dev/null 2>&1; then py=/usr/bin/python3; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "mpi.sh: FAIL: $*" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
cfg=tests/regression/rram_small/config.json
args=(--instances 6 --test-limit 100 --quiet)
mpirun=(mpirun --allow-run-as-root --oversubscribe)

"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/serial.h5" >/dev/null
"${mpirun[@]}" -np 2 "$xbarmc_mpi" run "$cfg" "${args[@]}" -o "$tmp/np2.h5" >"$tmp/out" ||
  fail "mpirun -np 2 failed: $(cat "$tmp/out")"
"$py" tests/scripts/h5_equal.py "$tmp/serial.h5" "$tmp/np2.h5" --expect-complete ||
  fail "mpirun -np 2 differs from the serial run"
# Only rank 0 prints the summary.
[[ $(grep -c "^results: " "$tmp/out") == 1 ]] || fail "more than one rank reported: $(cat "$tmp/out")"

# Ranks inside a shard: 3 ranks run shard 0/2, the serial xbarmc shard 1/2; merged = serial.
"${mpirun[@]}" -np 3 "$xbarmc_mpi" run "$cfg" "${args[@]}" -o "$tmp/s0.h5" --shard 0/2 >/dev/null
"$xbarmc" run "$cfg" "${args[@]}" -o "$tmp/s1.h5" --shard 1/2 >/dev/null
"$xbarmc" merge "$tmp/merged.h5" "$tmp/s0.h5" "$tmp/s1.h5" --quiet >/dev/null
"$py" tests/scripts/h5_equal.py "$tmp/serial.h5" "$tmp/merged.h5" --expect-complete ||
  fail "MPI shard + serial shard merged differ from the serial run"
echo "mpi.sh: ok"
