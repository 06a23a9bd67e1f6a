# shellcheck shell=bash disable=SC2154  # source_dir, pase, python and dir come from the sourcing test
# What the prediction tests (prediction_test.sh, prediction_block_test.sh) share; sourced, with
# source_dir, pase, python and dir set.

# Profiles this machine (2 gloo processes, one thread each) into $dir/node.json and fits
# $dir/fit.json from tests/profiler/cpu_base.json. $1: the rows (samples or tokens a device) of the
# layers the test trains, comma-separated (pase_profile.py --gemm-rows).
profile_and_calibrate() {
  "$python" "$source_dir/src/profiler/pase_profile.py" --grid small --warmup 1 --repeats 5 --threads 1 \
    --gemm-rows "$1" --processes 2 --timeout 120 --output "$dir/node.json"
  "$pase" calibrate "$dir/node.json" --cluster "$source_dir/tests/profiler/cpu_base.json" --output "$dir/fit.json"
}

median() { "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["median_s"])' "$1"; }

# Fails unless every row of check-prediction's JSON $1 predicts within 2x of its measurement;
# prints each row's predicted/measured ratio.
within_2x() {
  "$python" - "$1" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
bad = []
for row in rows:
    ratio = row["predicted_s"] / row["measured_s"]
    print("line %d (%s): predicted %.4g s, measured %.4g s, predicted/measured %.3f" %
          (row["line"], row["strategy"], row["predicted_s"], row["measured_s"], ratio))
    if not 0.5 <= ratio <= 2.0:
        bad.append("line %d (%s)" % (row["line"], row["strategy"]))
if bad:
    sys.exit("not within 2x: " + ", ".join(bad))
PY
}

# Runs the function $1 up to three times until it succeeds, else prints $2 and exits 1. Call it
# plainly (not under if, || or &&, where bash ignores set -e inside functions). The machine is shared: when other work
# starts between the profile and the training runs, times move by up to 3x, so a test makes up to
# three attempts and fails when none is within 2x (a model that is wrong by more fails all three).
with_retries() {
  local try code
  for try in 1 2 3; do
    set +e
    (set -e; "$1")  # not under `if`, where bash would ignore set -e inside the function
    code=$?
    set -e
    if [ "$code" -eq 0 ]; then return 0; fi
    echo "attempt $try failed (see above); load: $(cut -d' ' -f1-3 /proc/loadavg)"
  done
  echo "$2"
  exit 1
}
