#!/usr/bin/env bash
# Layering check: every `#include "xbarmc/<module>/..."` under include/ and src/ must name a
# module at the same or a lower layer than the including file's module. The order is read from
# the line "Layer order (lowest first): a, b, ..." of docs/architecture.md, so the documented
# order is the enforced one. No exceptions list. A module missing from the order is an error.
# Usage (from the repo root, as ctest does): bash tests/scripts/layering.sh [XBARMC [BUILD_DIR]]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 - <<'PY'
import pathlib, re, sys

doc = pathlib.Path("docs/architecture.md").read_text()
m = re.search(r"^Layer order \(lowest first\): (.+)$", doc, re.M)
if not m:
    sys.exit("docs/architecture.md: no line 'Layer order (lowest first): ...'")
order = [s.strip().strip("`").rstrip("/") for s in m.group(1).rstrip(".").split(",")]
rank = {name: k for k, name in enumerate(order)}

def module_of(path):
    parts = path.parts
    if parts[0] == "include":
        return parts[2] if len(parts) > 3 else None
    return parts[1] if len(parts) > 2 else None  # src/<module>/file; src/main.cpp is on top

bad = []
files = sorted(list(pathlib.Path("include/xbarmc").rglob("*.h")) + list(pathlib.Path("src").rglob("*.cpp")) +
               list(pathlib.Path("src").rglob("*.h")))
for f in files:
    mod = module_of(f)
    if mod is not None and mod not in rank:
        bad.append(f"{f}: module '{mod}' is not in the layer order of docs/architecture.md")
        continue
    for n, line in enumerate(f.read_text().splitlines(), 1):
        inc = re.match(r'\s*#\s*include\s+"xbarmc/([^"/]+)/', line)
        if not inc:
            if re.match(r'\s*#\s*include\s+"xbarmc/[^"/]+"', line):
                bad.append(f"{f}:{n}: includes a header outside every module: {line.strip()}")
            continue
        dep = inc.group(1)
        if dep not in rank:
            bad.append(f"{f}:{n}: includes module '{dep}', which is not in the layer order")
        elif mod is not None and rank[dep] > rank[mod]:
            bad.append(f"{f}:{n}: module '{mod}' (layer {rank[mod]}) includes '{dep}' "
                       f"(layer {rank[dep]}), a higher layer: {line.strip()}")
for b in bad:
    print(b)
print(f"layering: {len(files)} files, {len(order)} layers ({' < '.join(order)}), "
      f"{len(bad)} violation(s)")
sys.exit(1 if bad else 0)
PY
