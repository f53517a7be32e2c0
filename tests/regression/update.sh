#!/usr/bin/env bash
# Regenerates the regression references after an intended change of results: reruns every case
# (or the named ones), prints what changed against the committed reference.json (point,
# instance, field, old -> new), and rewrites it with this machine's CPU signature.
# Review the printed changes and `git diff --stat tests/regression` before committing.
# Usage: bash tests/regression/update.sh XBARMC [CASE ...]
set -euo pipefail
xbarmc=${1:?usage: update.sh XBARMC_BINARY [CASE ...]}
shift
exec bash "$(dirname "$0")/../scripts/regression.sh" "$xbarmc" "" --update "$@"
