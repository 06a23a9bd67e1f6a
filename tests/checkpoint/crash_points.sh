#!/bin/bash
# A crash at each named point of writing a checkpoint (the PASE_CRASH_AT test hook: the process
# _exits there, as if killed) leaves the old checkpoint or the new one, complete, never a torn one;
# the next run resumes from it (ignoring the leftover temporary file and stale lock) and gives the
# uninterrupted result.
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$INPUTS/transformer.json -p 16"
run 1 search $MODEL -q -o reference.json > /dev/null || fail "reference run"

for ranks in 1 2; do
  for point in mid-write before-flush after-close after-rename; do
    rm -f ck.h5 ck.h5.tmp
    PASE_STOP_AFTER_STEP=50 expect_exit 75 "first checkpoint" run $ranks search $MODEL --checkpoint ck.h5 -q
    PASE_STOP_AFTER_STEP=120 PASE_CRASH_AT=$point expect_exit 86 "$ranks rank(s) crashing at $point" \
      run $ranks search $MODEL --checkpoint ck.h5 --resume ck.h5 -q
    want=50
    [ "$point" = after-rename ] && want=120
    got=$(steps_in ck.h5)
    [ "$got" = "$want" ] || fail "after a crash at $point ($ranks ranks) the checkpoint holds '$got', expected $want"
    if [ "$point" != after-rename ]; then
      [ -e ck.h5.tmp ] || fail "no temporary file left by a crash at $point"
      expect_exit 2 "resuming from the leftover temporary file" run 1 search $MODEL --resume ck.h5.tmp -q
      expect_message "ck.h5.tmp: a temporary file left by a checkpoint write that did not finish; resume from ck.h5" \
        "leftover temporary file"
    fi
    expect_exit 0 "resume after a crash at $point" run $ranks search $MODEL --checkpoint ck.h5 --resume ck.h5 -q -o out.json
    [ "$(result_of out.json)" = "$(result_of reference.json)" ] || fail "result after a crash at $point differs"
    [ ! -e ck.h5.tmp ] || fail "the temporary file of a crash at $point is still there"
  done
done
finish
