#!/bin/bash
# Fault injection: a search that checkpoints after every step (each write slowed by
# PASE_CHECKPOINT_SLEEP_MS so that many kills land inside one) is killed with SIGKILL at 24 random
# moments and resumed each time. No checkpoint on disk is ever unreadable or older than the one
# before the kill, and the final cost and strategy equal the uninterrupted run's.
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$INPUTS/transformer.json -p 16"
KILLS=${PASE_TEST_KILLS:-24}
RANDOM=20261129  # reproducible moments
run 1 search $MODEL -q -o reference.json > /dev/null || fail "reference run"

kills=0 while_writing=0 finished=0 previous=0 trail=""
while [ "$kills" -lt "$KILLS" ]; do
  resume=()
  [ -e ck.h5 ] && resume=(--resume ck.h5)
  rm -f out.json
  PASE_CHECKPOINT_SLEEP_MS=4 "$PASE" search $MODEL --checkpoint ck.h5 --checkpoint-every 0 "${resume[@]}" \
    --threads 1 -q -o out.json > /dev/null 2> stderr &
  pid=$!
  sleep "0.$(printf '%03d' $((30 + RANDOM % 400)))"
  kill -KILL "$pid" 2> /dev/null
  { wait "$pid"; } 2> /dev/null
  code=$?
  if [ "$code" -eq 0 ]; then  # finished before the kill: check it, and start again
    [ "$(result_of out.json)" = "$(result_of reference.json)" ] || fail "a run that finished differs"
    finished=$((finished + 1)) previous=0
    continue
  fi
  [ "$code" -eq 137 ] || { fail "exit code $code, expected 137 (SIGKILL)"; cat stderr >&2; }
  kills=$((kills + 1))
  if [ ! -e ck.h5 ] && [ -e out.json ]; then
    # Killed after the search had written its report and removed its checkpoint, in the teardown
    # before exit: the work is done; the next run starts a new search.
    [ "$(result_of out.json)" = "$(result_of reference.json)" ] || fail "a run killed after its report differs"
    finished=$((finished + 1)) previous=0 trail="$trail done"
    continue
  fi
  [ -e ck.h5.tmp ] && while_writing=$((while_writing + 1))
  if [ -e ck.h5 ]; then
    steps=$(steps_in ck.h5)
    if [ "$steps" = invalid ]; then
      fail "after kill $kills the checkpoint is unreadable"
      "$PASE" inspect ck.h5 >&2
      rm -f ck.h5
      previous=0
    elif [ "$steps" -lt "$previous" ]; then
      fail "after kill $kills the checkpoint went back from step $previous to $steps"
    else
      previous=$steps
    fi
  fi
  trail="$trail $previous"
done
echo "steps in the checkpoint after each kill:$trail"
resume=()
[ -e ck.h5 ] && resume=(--resume ck.h5)
expect_exit 0 "the last resume" run 1 search $MODEL --checkpoint ck.h5 "${resume[@]}" -q -o out.json
[ "$(result_of out.json)" = "$(result_of reference.json)" ] || fail "the final result differs from the uninterrupted run's"
echo "$kills kills ($while_writing while a checkpoint was being written), $finished run(s) finished between kills"
[ "$while_writing" -ge 1 ] || fail "no kill landed while a checkpoint was being written"
finish
