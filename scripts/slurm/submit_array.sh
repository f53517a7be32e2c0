#!/usr/bin/env bash
# Submits a job array of N shards of CONFIG and the merge job that waits for all of them.
# Usage: bash scripts/slurm/submit_array.sh CONFIG OUT_DIR N [xbarmc run options]
#   e.g. bash scripts/slurm/submit_array.sh configs/quickstart.json results/q 16 --instances 100000
# Writes OUT_DIR/shard_K.h5 (K = 0..N-1) and OUT_DIR/merged.h5. Set XBARMC to the binary,
# XBARMC_CHECKPOINT_S to the checkpoint interval (s); add sbatch options through SBATCH_* env.
set -euo pipefail
config=${1:?usage: submit_array.sh CONFIG OUT_DIR N [xbarmc run options]}
out_dir=${2:?usage: submit_array.sh CONFIG OUT_DIR N [xbarmc run options]}
count=${3:?usage: submit_array.sh CONFIG OUT_DIR N [xbarmc run options]}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out_dir"
array=$(sbatch --parsable --array="0-$((count - 1))" "$here/array.sbatch" "$config" "$out_dir" \
  "$count" "$@")
merge=$(sbatch --parsable --dependency="afterok:${array%%;*}" "$here/merge.sbatch" "$out_dir" \
  "$count" "$out_dir/merged.h5")
echo "array job $array, merge job $merge -> $out_dir/merged.h5"
