#!/usr/bin/env bash
# `xbarmc spice CONFIG --point --instance --cycle --time-index --layer --tile`: the netlist of one
# tile of one chip instance (after every device stage, incl. line resistance from the config);
# ngspice's operating point must equal the predicted currents (relative 1e-6), and bad indices
# must give a clear error. Usage (from the repo root): spice_instance.sh XBARMC BUILD_DIR
set -euo pipefail
xbarmc=${1:?usage: spice_instance.sh XBARMC_BINARY BUILD_DIR}
cd "$(dirname "$0")/../.."
command -v ngspice >/dev/null || { echo "FAIL: ngspice is not installed (scripts/setup installs it)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
config=tests/regression/rram_small/config.json
"$xbarmc" spice "$config" --point 1 --instance 3 --cycle 1 --time-index 1 --layer 0 --tile 5 -o "$tmp/tile.cir"
grep -q "point 1 instance 3 cycle 1 time 86400 s layer 0 tile 5" "$tmp/tile.cir" || { echo "FAIL: title"; exit 1; }
(cd "$tmp" && ngspice -b tile.cir >op.log 2>&1)
python3 - "$tmp" <<'PY'
import csv, re, sys
d = sys.argv[1]
spice = {}
for line in open(f"{d}/op.log"):
    m = re.match(r"\s*vsense(\d+)#branch\s+(\S+)", line)
    if m:
        spice[int(m[1])] = float(m[2])
rows = list(csv.DictReader(open(f"{d}/tile.csv")))
assert rows and len(spice) == len(rows), (len(spice), len(rows))
# ngspice prints 7 significant digits in this listing: compare at 1e-6 relative.
worst = max(abs(float(r["current_A"]) - spice[int(r["column"])]) / abs(spice[int(r["column"])]) for r in rows)
print(f"spice_instance: {len(rows)} columns, max relative difference {worst:.1e}")
sys.exit(0 if worst <= 1e-6 else 1)
PY
set +e
"$xbarmc" spice "$config" --layer 7 -o "$tmp/bad.cir" 2>"$tmp/err"; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q -- "--layer 7 is out of range" "$tmp/err" || { echo "FAIL: rc=$rc $(cat "$tmp/err")"; exit 1; }
echo "spice_instance: ok"
