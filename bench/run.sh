#!/usr/bin/env bash
# Reference benchmark of xbarmc (docs/benchmarks.md). Builds in Release, measures the machine's
# FMA peak and SGEMM on the same threads, runs the reference study bench/reference.json as
#   A  ideal wires,  B  exact line resistance (1 ohm/segment),  C  first-order line resistance,
# and prints one table (wall time, evaluations/s, GFLOP/s of the network's matrix products and
# their fraction of FMA peak and of SGEMM, peak memory) and a breakdown of the time.
# One evaluation = one instance at one (cycle, time) over the whole test set.
# Usage: bench/run.sh [--threads N] [--instances N] [--cases ABC] [--build DIR] [--jobs N]
#                     [--xbarmc BINARY] [--test-limit N]
# --test-limit N evaluates the first N test images only (scaling runs over many instances).
set -euo pipefail
cd "$(dirname "$0")/.."
threads=2 instances=200 cases=ABC build=build-release jobs=2 bin= limit=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --instances) instances=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --xbarmc) bin=$2; shift 2 ;;  # another xbarmc binary (e.g. a baseline); gemm_bench still built
    --test-limit) limit=(--test-limit "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done
py=python3
if ! python3 -c "import h5py, numpy" >/dev/null 2>&1; then py=/usr/bin/python3; fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DXBARMC_UNITY=ON >/dev/null
cmake --build "$build" -j"$jobs" --target xbarmc gemm_bench >/dev/null
bin=${bin:-$build/xbarmc}
if [ ! -f results/networks/fashion_mlp.h5 ]; then
  echo "training results/networks/fashion_mlp.h5 (missing)" >&2
  "$bin" train configs/networks/fashion_mlp.json --threads "$threads" --quiet
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;" \
  "load before: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty')"
"$build/bench/gemm_bench" --threads "$threads" > "$tmp/gemm.txt" 2>/dev/null

for c in $(echo "$cases" | grep -o .); do
  case "$c" in
    A) sets=() ;;
    B) sets=(--set /circuit/r_wire_ohm=1 --set /circuit/solver=exact) ;;
    C) sets=(--set /circuit/r_wire_ohm=1 --set /circuit/solver=first_order) ;;
    *) echo "unknown case $c" >&2; exit 1 ;;
  esac
  /usr/bin/time -f "%e %M %U %S" -o "$tmp/$c.time" "$bin" run bench/reference.json \
    -o "$tmp/$c.h5" --threads "$threads" --instances "$instances" --quiet --force \
    "${sets[@]}" "${limit[@]}" > "$tmp/$c.log" 2>&1 || { cat "$tmp/$c.log" >&2; exit 1; }
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" bench/table.py "$tmp" "$cases" "$threads" results/networks/fashion_mlp.h5
