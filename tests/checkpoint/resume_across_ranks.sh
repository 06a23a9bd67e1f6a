#!/bin/bash
# Interrupted searches (stopped by the PASE_STOP_AFTER_STEP hook, as by a signal) resume with
# another number of ranks and threads and give the uninterrupted result bit for bit: written by 1
# and by 3 ranks, read by 2; a resume of a resume; stopped after the first and the last step.
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$INPUTS/transformer.json -p 16"

run 1 search $MODEL -q -o reference.json > /dev/null || fail "reference run"
steps=$(run 1 plan $MODEL | sed -n 's/^vertices *\([0-9]*\),.*/\1/p')
[ "$steps" -gt 0 ] || fail "cannot read the number of steps"

for writers in 1 3; do
  for stop in 1 70 150 "$steps"; do
    rm -f ck.h5
    PASE_STOP_AFTER_STEP=$stop expect_exit 75 "$writers rank(s) stopping after step $stop" \
      run $writers search $MODEL --checkpoint ck.h5 --threads 2 -q
    expect_message "the search stopped after step $stop of $steps; checkpoint ck.h5 written: continue with --resume ck.h5" \
      "stop message"
    [ "$(steps_in ck.h5)" = "$stop" ] || fail "checkpoint after step $stop holds $(steps_in ck.h5)"
    expect_exit 0 "2 ranks resuming from step $stop written by $writers" \
      run 2 search $MODEL --resume ck.h5 --threads 1 -q -o resumed.json
    [ "$(result_of resumed.json)" = "$(result_of reference.json)" ] ||
      fail "resumed from step $stop (written by $writers ranks) differs from the uninterrupted result"
  done
done

# A resume of a resume: 3 ranks stop at 40, 2 ranks resume and stop at 120, 1 rank finishes.
rm -f ck.h5
PASE_STOP_AFTER_STEP=40 expect_exit 75 "3 ranks stop at 40" run 3 search $MODEL --checkpoint ck.h5 -q
PASE_STOP_AFTER_STEP=120 expect_exit 75 "2 ranks resume and stop at 120" \
  run 2 search $MODEL --checkpoint ck.h5 --resume ck.h5 -o /dev/null
expect_message "resumed from ck.h5 after step 40 of $steps" "resume message"
[ "$(steps_in ck.h5)" = 120 ] || fail "the second checkpoint holds $(steps_in ck.h5)"
expect_exit 0 "1 rank finishes" run 1 search $MODEL --checkpoint ck.h5 --resume ck.h5 -o twice.json -q
[ "$(result_of twice.json)" = "$(result_of reference.json)" ] || fail "a resume of a resume differs"
[ ! -e ck.h5 ] || fail "the finished search left its checkpoint behind"
[ ! -e ck.h5.lock ] || fail "the finished search left its lock file behind"
finish
