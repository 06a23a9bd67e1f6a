#!/usr/bin/env bash
# The profiler with real PyTorch (CPU, gloo): one process, two as one node, two as two nodes; each
# file checked; bad arguments refused with exit 2 and one line.
set -euo pipefail
source_dir=$1
python=${PASE_PYTHON:-/usr/bin/python3}
profile="$source_dir/src/profiler/pase_profile.py"
check="$source_dir/tests/profiler/check_measurements.py"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
quick=(--grid quick --warmup 1 --repeats 3)

"$python" "$profile" "${quick[@]}" --output "$dir/one.json"
"$python" "$check" "$dir/one.json" 1 1 3
MASTER_PORT=29611 "$python" "$profile" "${quick[@]}" --processes 2 --output "$dir/node.json"
"$python" "$check" "$dir/node.json" 2 1 3
MASTER_PORT=29612 "$python" "$profile" "${quick[@]}" --processes 2 --processes-per-node 1 --output "$dir/nodes.json"
"$python" "$check" "$dir/nodes.json" 2 2 3

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
refused "multiple of --processes-per-node" --processes 3 --processes-per-node 2
refused "no CUDA device is visible" --device cuda
[ ! -e "$dir/bad.json" ]
echo "profiler: ok"
