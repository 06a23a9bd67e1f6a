#!/usr/bin/env bash
# The profiler with real PyTorch (CPU, gloo): one process, two as one node, two as two nodes; each
# file checked; bad arguments refused with exit 2 and one line.
set -euo pipefail
source_dir=$1
pase=$2
python=${PASE_PYTHON:-/usr/bin/python3}
export OMP_NUM_THREADS=1  # one core a process, as the base cluster file assumes
profile="$source_dir/src/profiler/pase_profile.py"
check="$source_dir/tests/profiler/check_measurements.py"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
quick=(--grid quick --warmup 1 --repeats 3)

"$python" "$profile" "${quick[@]}" --output "$dir/one.json"
"$python" "$check" "$dir/one.json" 1 1 3
"$python" "$profile" "${quick[@]}" --processes 2 --timeout 120 --gemm-rows 16 --output "$dir/node.json"
"$python" "$check" "$dir/node.json" 2 1 3
"$python" "$profile" "${quick[@]}" --processes 2 --timeout 120 --processes-per-node 1 --output "$dir/nodes.json"
"$python" "$check" "$dir/nodes.json" 2 2 3

# pase calibrate fits a cluster file for this machine from each run; the fitted file is a base again.
base="$source_dir/tests/profiler/cpu_base.json"
"$pase" calibrate "$dir/node.json" --cluster "$base" --output "$dir/fit-node.json" | tee "$dir/fit.txt"
grep -q "^all_reduce intra_node " "$dir/fit.txt"
grep -q "^overlap intra_node " "$dir/fit.txt"  # the compute a hidden all-reduce takes
grep -q "^gemm rows=16 " "$dir/fit.txt"  # the layers of 16 rows: their own curve, gemm_by_rows
"$python" -c 'import json, sys; assert json.load(open(sys.argv[1]))["device"]["efficiency"]["gemm_by_rows"][0]["rows"] == 16' "$dir/fit-node.json"
"$pase" calibrate "$dir/nodes.json" --cluster "$dir/fit-node.json" --output "$dir/fit-nodes.json" | tee "$dir/fit.txt"
grep -q "^all_reduce inter_node " "$dir/fit.txt"
grep -q "^overlap inter_node " "$dir/fit.txt"
"$pase" calibrate "$dir/one.json" --cluster "$dir/fit-nodes.json" --output "$dir/fit-one.json" >/dev/null

refused() {
  local expect=$1; shift
  set +e
  "$python" "$profile" "$@" --output "$dir/bad.json" 2>"$dir/err"
  local code=$?
  set -e
  if [ "$code" -ne 2 ] || [ "$(wc -l <"$dir/err")" -ne 1 ] || ! grep -q -- "$expect" "$dir/err"; then
    echo "expected exit 2 and one line with '$expect' for: $*; got $code:"; cat "$dir/err"; exit 1
  fi
}
refused "unknown precision 'fp8'" --precisions fp8
refused "--repeats >= 1" --repeats 0
refused "--gemm-rows: expected comma-separated positive integers" --gemm-rows 8,x
refused "multiple of --processes-per-node" --processes 3 --processes-per-node 2
refused "no CUDA device is visible" --device cuda
[ ! -e "$dir/bad.json" ]
echo "profiler: ok"
