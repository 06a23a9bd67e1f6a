#!/usr/bin/env bash
# Prediction against reality for a transformer block (issue 12): profile this machine (2 gloo
# processes, one thread each), calibrate, let pase search inputs/transformer-block.json on it, train
# that block with PyTorch (train_block.py) with DDP and with the megatron split (heads, then d_ff),
# and check pase's predicted step times against the measured medians with pase check-prediction:
# within 2x here (a shared, noisy machine; the issue's target is 25%); the ratios are printed.
# Whichever of the two pase finds is also checked as `search` and as its own output file; a
# strategy train_block.py cannot run fails the attempt, naming the layer.
set -euo pipefail
source_dir=$1
pase=$2
python=${PASE_PYTHON:-/usr/bin/python3}
export OMP_NUM_THREADS=1
here="$source_dir/tests/profiler"
model="$source_dir/inputs/transformer-block.json"
train=("$python" "$here/train_block.py" --processes 2 --timeout 60 --threads 1)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
[ -n "${PASE_KEEP:-}" ] && trap - EXIT && echo "kept $dir"

source "$here/prediction_steps.sh"

attempt() {
# The Einsums' rows (tokens) a device: batch 2 x seq 16, halved by data parallelism, whole in the split.
profile_and_calibrate 16,32
"$pase" search "$model" --cluster "$dir/fit.json" --procs 2 --output "$dir/found.json"
# On a noisy calibration pase may find a mix that train_block.py cannot run (it names the layer):
# then data parallelism and the megatron split are still checked, and the found strategy is not.
if found=$("${train[@]}" --strategy-of "$dir/found.json" 2>"$dir/found.err"); then
  echo "pase found: $found"
else
  echo "pase found a strategy train_block.py cannot run, not checked: $(cat "$dir/found.err")"
  found=none
fi
"${train[@]}" --write-strategy megatron --model-configs "$dir/found.json" --output "$dir/megatron.json"

"${train[@]}" --strategy ddp --output "$dir/ddp-run.json"
"${train[@]}" --strategy "$dir/megatron.json" --verify --output "$dir/megatron-run.json"
{
  echo "model,cluster,devices,strategy,measured_s"
  echo "$model,fit.json,2,data_parallel,$(median "$dir/ddp-run.json")"
  echo "$model,fit.json,2,megatron.json,$(median "$dir/megatron-run.json")"
  if [ "$found" != none ]; then
    found_s=$(median "$dir/$([ "$found" = ddp ] && echo ddp || echo megatron)-run.json")
    echo "$model,fit.json,2,found.json,$found_s"
    echo "$model,fit.json,2,search,$found_s"
  fi
} >"$dir/steps.csv"
"$pase" check-prediction "$dir/steps.csv" --output "$dir/check.json"
"$python" - "$dir/check.json" "$found" <<'PY'
import json, sys
rows, found = json.load(open(sys.argv[1]))["rows"], sys.argv[2]
if found == "none":
    assert len(rows) == 2, rows
    sys.exit(0)
assert len(rows) == 4, rows
assert rows[2]["predicted_s"] == rows[3]["predicted_s"], "the found strategy's file and 'search' disagree"
same = rows[0] if found == "ddp" else rows[1]
assert same["predicted_s"] == rows[2]["predicted_s"], "pase's strategy is %s but its prediction is not that one's" % found
PY
within_2x "$dir/check.json"
}

with_retries attempt "prediction (transformer block): no attempt within 2x"
echo "prediction (transformer block): ok"
