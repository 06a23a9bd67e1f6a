#!/bin/bash
# A checkpoint that cannot be written is reported and keeps the previous one: no room (a file size
# limit stands in for a full disk or quota: found before HDF5 writes anything, so a periodic
# checkpoint is skipped with a warning and the search goes on), and a write error after HDF5 has
# started (the temporary file is /dev/full: with 2 ranks the run must end, exit code 1, without
# crashing; with 1 rank HDF5 fails at once on creating the file).
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$INPUTS/transformer.json -p 16"
run 1 search $MODEL -q -o reference.json > /dev/null || fail "reference run"
PASE_STOP_AFTER_STEP=120 expect_exit 75 "first checkpoint" run 1 search $MODEL --checkpoint ck.h5 -q
cp ck.h5 first.h5

# A stop whose checkpoint does not fit: exit code 1, the previous checkpoint kept.
(
  ulimit -f 400
  PASE_STOP_AFTER_STEP=150 "$PASE" search $MODEL --checkpoint ck.h5 --resume ck.h5 -q > stdout 2> stderr
  echo $? > code
)
[ "$(cat code)" -eq 1 ] || fail "no room at a stop: exit code $(cat code), expected 1"
expect_message "ck.h5: checkpoint not written (no room for a checkpoint of about" "no room at a stop"
expect_message "(File too large); free some space or raise the quota) after step 150 of 204" "no room at a stop"
expect_message "the previous checkpoint ck.h5 is kept; the search stopped" "no room at a stop"
cmp -s ck.h5 first.h5 || fail "no room at a stop: the previous checkpoint changed"

# Periodic checkpoints that do not fit: warnings, and the search finishes with the right result.
(
  ulimit -f 400
  "$PASE" search $MODEL --checkpoint ck.h5 --resume ck.h5 --checkpoint-every 0 -o out.json > stdout 2> stderr
  echo $? > code
)
[ "$(cat code)" -eq 0 ] || fail "periodic checkpoints without room: exit code $(cat code), expected 0"
expect_message "warning: ck.h5: checkpoint not written (no room for a checkpoint" "periodic without room"
expect_message "the previous checkpoint ck.h5 is kept; going on" "periodic without room"
[ "$(result_of out.json)" = "$(result_of reference.json)" ] || fail "periodic without room: the result differs"

# Write errors: the temporary file is /dev/full (every write fails with ENOSPC).
for ranks in 1 2; do
  cp first.h5 ck.h5
  ln -sf /dev/full ck.h5.tmp  # left alone by the next writer: it removes only stale regular files
  PASE_STOP_AFTER_STEP=150 run $ranks search $MODEL --checkpoint ck.h5 --resume ck.h5 -q > stdout 2> stderr
  code=$?
  [ "$code" -eq 1 ] || { fail "/dev/full with $ranks rank(s): exit code $code, expected 1"; head -5 stderr >&2; }
  expect_message "ck.h5: checkpoint not written (ck.h5.tmp: HDF5 failed to" "/dev/full with $ranks rank(s)"
  grep -q "Segmentation\|signal" stderr && fail "/dev/full with $ranks rank(s): a crash"
  cmp -s ck.h5 first.h5 || fail "/dev/full with $ranks rank(s): the previous checkpoint changed"
  [ ! -e ck.h5.tmp ] || fail "/dev/full with $ranks rank(s): the temporary file is still there"
  rm -f ck.h5.tmp
done
expect_exit 0 "resume the kept checkpoint" run 2 search $MODEL --resume ck.h5 -q -o out.json
[ "$(result_of out.json)" = "$(result_of reference.json)" ] || fail "the kept checkpoint's result differs"
finish
