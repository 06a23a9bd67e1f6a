#!/usr/bin/env bash
# `mpirun -n R pase search` gives the same report as one process: total cost to the last bit, the
# same strategy; per-rank statistics for every rank; and --max-memory that refuses one rank is met
# by R ranks.
set -euo pipefail
pase=$1 mpiexec=$2 ranks=$3 model=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$pase" search "$model" --procs 32 --threads 1 --output "$work/one.json" --quiet >/dev/null
"$mpiexec" -n "$ranks" "$pase" search "$model" --procs 32 --threads 2 --replicate-below 16K \
  --output "$work/many.json" --quiet >/dev/null

python3 - "$work/one.json" "$work/many.json" "$ranks" <<'PY'
import json, sys
one, many, ranks = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
assert one["total_cost"] == many["total_cost"], (one["total_cost"], many["total_cost"])
assert [l["config"] for l in one["layers"]] == [l["config"] for l in many["layers"]], "strategies differ"
assert many["ranks"] == ranks and len(many["per_rank"]) == ranks, many["ranks"]
for r in many["per_rank"]:
    assert r["dp_cells"] > 0 and r["peak_table_bytes"] > 0, r
if ranks > 1:
    assert max(r["peak_table_bytes"] for r in many["per_rank"]) < one["per_rank"][0]["peak_table_bytes"]
print("same result on", ranks, "ranks:", many["total_cost"])
PY

# Transformer at 32 devices needs 6.9 MiB on one rank and 4.0 MiB on each of 4 ranks.
if "$pase" search "$model" --procs 32 --max-memory 5M --quiet >/dev/null 2>"$work/err"; then
  echo "one rank should have been refused"; exit 1
fi
grep -q "ranks" "$work/err" || { echo "the refusal does not say how many ranks would do"; cat "$work/err"; exit 1; }
if [ "$ranks" -ge 4 ]; then
  "$mpiexec" -n "$ranks" "$pase" search "$model" --procs 32 --max-memory 5M --quiet >/dev/null
fi
echo "1 passed, 0 failed"
