#!/usr/bin/env bash
# `xbarmc spice`: writes a netlist and the predicted column currents; ngspice's
# operating point of that netlist must match the CSV to 1e-6 (relative).
# Usage: spice_cli.sh XBARMC_BINARY BUILD_DIR
set -euo pipefail
xbarmc=$1
command -v ngspice >/dev/null || { echo "FAIL: ngspice is not installed (needed by this test)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
python3 - <<'PY'
import random
random.seed(7)
with open("g.csv", "w") as f:
    for i in range(12):
        f.write(",".join(f"{random.uniform(1, 100):.6f}" for j in range(10)) + "\n")
PY
cat > config.json <<'JSON'
{"circuit": {"r_wire_row_ohm": 2.5, "r_wire_col_ohm": 1.0, "r_driver_ohm": 20, "r_sense_ohm": 10}}
JSON
"$xbarmc" spice config.json -g g.csv -o tile.cir --set /circuit/r_sense_ohm=15
test -s tile.cir && test -s tile.csv
grep -q "^RS0 .* 15$" tile.cir || { echo "FAIL: --set override not in netlist"; exit 1; }
ngspice -b tile.cir > op.log 2>&1
SPICE_ASCIIRAWFILE=1 ngspice -b -r tile.raw tile.cir > /dev/null 2>&1
grep -q "vsense0#branch" op.log || { echo "FAIL: ngspice -b does not list vsense0#branch"; exit 1; }
python3 - <<'PY'
import csv, sys
lines = open("tile.raw").read().split("\n")
nvar = int(next(l for l in lines if l.startswith("No. Variables:")).split(":")[1])
vi = lines.index("Variables:")
names = [lines[vi + 1 + k].split()[1] for k in range(nvar)]
vals = " ".join(lines[lines.index("Values:") + 1:]).split()[1:1 + nvar]
spice = dict(zip(names, map(float, vals)))
rows = list(csv.DictReader(open("tile.csv")))
assert len(rows) == 10, rows
worst = max(abs(float(r["current_A"]) - spice[f"i(vsense{r['column']})"]) /
            abs(spice[f"i(vsense{r['column']})"]) for r in rows)
print(f"max relative difference xbarmc vs ngspice: {worst:.2e}")
sys.exit(0 if worst <= 1e-6 else 1)
PY
# Bad input: clear message and exit code 1 (config) / 2 (I/O).
set +e
"$xbarmc" spice -g g.csv --set /circuit/r_driver_ohm=-3 -o bad.cir 2> err.txt; rc=$?
set -e
[ $rc -eq 1 ] && grep -q "/circuit/r_driver_ohm" err.txt || { echo "FAIL: bad config rc=$rc"; cat err.txt; exit 1; }
set +e
"$xbarmc" spice -g missing.csv -o bad.cir 2> err.txt; rc=$?
set -e
[ $rc -eq 2 ] || { echo "FAIL: missing file rc=$rc"; exit 1; }
echo "spice_cli: ok"
