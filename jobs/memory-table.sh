#!/bin/sh
# The device-memory table of README.md ("Device memory"): Llama-2-7B and GPT-3 175B at a global batch
# of 8 sequences on 8 to 1024 A100-SXM4-80GB (jobs/dgx-a100-128-nodes.json: the dgx-a100 preset with
# 128 nodes), mixed-precision Adam, bf16 prices, repeated blocks reduced. One `pase search` per cell
# (JSON in OUT/, or the one-line refusal when nothing fits), then jobs/memory_table.py prints the table.
# The plain search only (--stages none): the table is what fits holding the whole batch at once.
# Usage: jobs/memory-table.sh [OUT] [MODELS...]   (from the repository root; PASE=path/to/pase)
set -u
pase=${PASE:-./build/pase}
out=${1:-memory-table}
[ $# -gt 0 ] && shift
models=${*:-llama-7b gpt3-175b}
mkdir -p "$out"
for model in $models; do
  for procs in 8 16 32 64 128 256 512 1024; do
    "$pase" search "inputs/$model.json" --cluster jobs/dgx-a100-128-nodes.json --precision bf16 -p "$procs" \
      --set batch=8 --blocks auto --stages none -q -o "$out/$model-$procs.json" > /dev/null 2> "$out/$model-$procs.err"
    echo "$?" > "$out/$model-$procs.exit"
  done
done
python3 "$(dirname "$0")/memory_table.py" "$out"
