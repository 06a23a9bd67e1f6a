#!/usr/bin/env bash
# Prediction against reality (issue 12): profile this machine (2 gloo processes, one thread each),
# calibrate a cluster file, let pase search the MLP of mlp.json on it, train that MLP with PyTorch
# with DDP and with the strategy pase found (the column/row split), and check pase's predicted step
# times against the measured medians: within 2x here (a shared, noisy machine); the errors are printed.
set -euo pipefail
source_dir=$1
pase=$2
python=${PASE_PYTHON:-/usr/bin/python3}
export OMP_NUM_THREADS=1
here="$source_dir/tests/profiler"
model="$here/mlp.json"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
[ -n "${PASE_KEEP:-}" ] && trap - EXIT && echo "kept $dir"

source "$here/prediction_steps.sh"

# One attempt: profile, calibrate, search, train, check (prediction_steps.sh: with_retries).
attempt() {
# The layers' rows a device: batch 16 halved by data parallelism, whole in the split.
profile_and_calibrate 8,16
"$pase" search "$model" --cluster "$dir/fit.json" --procs 2 --output "$dir/found.json"
"$python" - "$dir/found.json" <<'PY'
import json, sys
found = json.load(open(sys.argv[1]))
configs = {layer["name"]: layer["config"] for layer in found["layers"]}
split = {"fc1": [1, 2, 1], "fc2": [1, 1, 2], "loss": [1, 1]}
if found["data_parallel_chosen"] or configs != split:
    sys.exit("pase did not find the column/row split train_mlp.py implements: " + json.dumps(configs))
PY

"$python" "$here/train_mlp.py" --processes 2 --timeout 60 --strategy ddp --threads 1 --output "$dir/ddp.json"
"$python" "$here/train_mlp.py" --processes 2 --timeout 60 --strategy split --threads 1 --output "$dir/split.json"
sizes="batch=16;d_in=1024;d_hidden=2048;classes=1024"
{
  echo "model,cluster,devices,strategy,measured_s,precision,set"
  echo "$model,fit.json,2,data_parallel,$(median "$dir/ddp.json"),fp32,$sizes"
  echo "$model,fit.json,2,found.json,$(median "$dir/split.json"),fp32,$sizes"
  echo "$model,fit.json,2,search,$(median "$dir/split.json"),fp32,$sizes"
} >"$dir/steps.csv"
"$pase" check-prediction "$dir/steps.csv" --output "$dir/check.json"
"$python" - "$dir/check.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert len(rows) == 3, rows
assert rows[1]["predicted_s"] == rows[2]["predicted_s"], "the found strategy's file and 'search' disagree"
PY
within_2x "$dir/check.json"
}

with_retries attempt "prediction: no attempt within 2x"

# Bad rows: exit 2, one line naming the file, the line and the field.
refused() {
  local expect=$1 row=$2
  printf 'model,cluster,devices,strategy,measured_s\n%s\n' "$row" >"$dir/bad.csv"
  set +e
  "$pase" check-prediction "$dir/bad.csv" >/dev/null 2>"$dir/err"
  local code=$?
  set -e
  if [ "$code" -ne 2 ] || [ "$(wc -l <"$dir/err")" -ne 1 ] || ! grep -q -- "bad.csv: line 2: .*$expect" "$dir/err"; then
    echo "expected exit 2 and one line with '$expect' for row '$row'; got $code:"; cat "$dir/err"; exit 1
  fi
}
refused "field 'measured_s'" "$model,fit.json,2,data_parallel,fast"
refused "field 'measured_s'" "$model,fit.json,2,data_parallel,-1"
refused "field 'devices'" "$model,fit.json,0,data_parallel,0.1"
refused "field 'strategy'" "$model,fit.json,2,megatron,0.1"
refused "field 'cluster'" "$model,no-such-cluster,2,data_parallel,0.1"
refused "field 'model'" "missing.json,fit.json,2,data_parallel,0.1"
refused "--procs" "$model,fit.json,3,data_parallel,0.1"
refused "has 4 fields" "$model,fit.json,2,0.1"
cp "$dir/found.json" "$dir/wrong.json"
"$python" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["layers"][1]["config"] = [2, 2, 2]; json.dump(d, open(sys.argv[1], "w"))' "$dir/wrong.json"
refused "layers\[1\].config" "$model,fit.json,2,wrong.json,0.1"
echo "prediction: ok"
