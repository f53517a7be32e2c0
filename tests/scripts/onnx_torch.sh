#!/usr/bin/env bash
# PyTorch round trip (issue 15): a residual CNN with batch norm exported to ONNX (BN folded and
# as BatchNormalization nodes) gives PyTorch's logits in xbarmc. Skips (exit 0 with a message)
# only when python3-torch or python3-onnx is missing. Usage: onnx_torch.sh <xbarmc> <build-dir>
set -euo pipefail
xbarmc=${1:?usage: onnx_torch.sh <xbarmc-binary> <build-dir>}
src_dir=${XBARMC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rc=0
/usr/bin/python3 "$src_dir/scripts/onnx_torch_roundtrip.py" "$xbarmc" "$work" || rc=$?
if [[ $rc -eq 77 ]]; then
  echo "SKIPPED: python3-torch / python3-onnx not installed (run scripts/setup)"
  exit 0
fi
exit $rc
