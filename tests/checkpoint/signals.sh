#!/bin/bash
# Real signals (the search slowed by PASE_STEP_SLEEP_MS so that they land during the DP):
# SIGUSR1 writes a checkpoint and the search goes on; SIGTERM and SIGINT write one and stop with
# exit code 75, and the resume gives the uninterrupted result; a second SIGTERM stops at once;
# under mpirun, SIGUSR1 and SIGUSR2 (which mpirun forwards to the ranks) do the same.
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$INPUTS/transformer.json -p 16"
run 1 search $MODEL -q -o reference.json > /dev/null || fail "reference run"

# start RANKS ARGS...: a slow search in the background; waits until it holds its lock (its signal
# handlers are installed by then) and a little more, so that the DP is under way.
start() {
  local ranks=$1
  shift
  rm -f ck.h5 ck.h5.lock out.json
  local launcher=()
  [ "$ranks" -gt 1 ] && launcher=("$MPIEXEC" -n "$ranks")
  # Started directly (not through a shell function), so that $! is pase or mpiexec itself.
  PASE_STEP_SLEEP_MS=8 "${launcher[@]}" "$PASE" search $MODEL --checkpoint ck.h5 -o out.json "$@" \
    > stdout 2> stderr &
  pid=$!
  for _ in $(seq 100); do
    [ -e ck.h5.lock ] && break
    sleep 0.05
  done
  sleep 0.4
}

finish_run() {  # waits for the background search; sets $code
  { wait "$pid"; } 2> /dev/null
  code=$?
}

resume_and_compare() {
  expect_exit 0 "$1: resume" run 1 search $MODEL --resume ck.h5 -q -o resumed.json
  [ "$(result_of resumed.json)" = "$(result_of reference.json)" ] || fail "$1: the resumed result differs"
}

for ranks in 1 2; do
  # SIGUSR1: checkpoint and go on.
  start $ranks --checkpoint-every 1000
  kill -USR1 "$pid"
  finish_run
  [ "$code" -eq 0 ] || fail "SIGUSR1 ($ranks ranks): exit code $code, expected 0"
  grep -q "checkpoint ck.h5 written after step" stderr || fail "SIGUSR1 ($ranks ranks) wrote no checkpoint"
  grep -q "stopping" stderr && fail "SIGUSR1 ($ranks ranks) stopped the search"
  [ "$(result_of out.json)" = "$(result_of reference.json)" ] || fail "SIGUSR1 ($ranks ranks): the result differs"
done

# SIGTERM and SIGINT on one process; SIGUSR2 through mpirun (which kills its ranks on SIGTERM).
for case in "1 TERM" "1 INT" "2 USR2"; do
  set -- $case
  start "$1" --checkpoint-every 1000
  kill -"$2" "$pid"
  finish_run
  [ "$code" -eq 75 ] || { fail "SIG$2 ($1 ranks): exit code $code, expected 75"; head -3 stderr >&2; }
  grep -q "the search stopped after step .* checkpoint ck.h5 written: continue with --resume ck.h5" stderr ||
    fail "SIG$2 ($1 ranks): no stop message"
  [ "$(steps_in ck.h5)" != invalid ] || fail "SIG$2 ($1 ranks): the checkpoint is not valid"
  resume_and_compare "SIG$2 ($1 ranks)"
done

# A second SIGTERM while the first one's checkpoint is being written (slowly) stops at once, by
# the signal: exit status 128 + 15. The checkpoint, if any, stays a complete one.
PASE_CHECKPOINT_SLEEP_MS=5000 start 1 --checkpoint-every 1000
kill -TERM "$pid"
for _ in $(seq 100); do
  [ -e ck.h5.tmp ] && break
  sleep 0.05
done
[ -e ck.h5.tmp ] || fail "the first SIGTERM started no checkpoint"
kill -TERM "$pid"
finish_run
[ "$code" -eq 143 ] || fail "a second SIGTERM: exit status $code, expected 143"
[ ! -e ck.h5 ] || [ "$(steps_in ck.h5)" != invalid ] || fail "a second SIGTERM left an invalid checkpoint"
finish
