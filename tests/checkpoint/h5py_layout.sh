#!/bin/bash
# The file layout in src/checkpoint/README.md is complete: h5py alone (tests/checkpoint/read_checkpoint.py)
# reads a checkpoint written by 1 and by 3 ranks and recomputes its seal and table checksums.
# Skipped (exit code 77) when no Python with h5py is installed (Debian: python3-h5py).
source "$(dirname "$0")/lib.sh" "$@"
PYTHON=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c "import h5py, numpy" 2> /dev/null; then
    PYTHON=$candidate
    break
  fi
done
if [ -z "$PYTHON" ]; then
  echo "skipped: no python3 with h5py and numpy"
  exit 77
fi
SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/read_checkpoint.py"
for ranks in 1 3; do
  rm -f ck.h5
  PASE_STOP_AFTER_STEP=130 expect_exit 75 "$ranks rank(s) writing" \
    run $ranks search "$INPUTS/transformer.json" -p 16 --checkpoint ck.h5 --replicate-below 0 -q
  "$PYTHON" "$SCRIPT" ck.h5 || fail "h5py could not verify the checkpoint written by $ranks rank(s)"
done
finish
