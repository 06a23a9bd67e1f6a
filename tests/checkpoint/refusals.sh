#!/bin/bash
# What cannot be resumed is refused, each with its own one-line message and exit code 2, never a
# crash, a hang or a wrong answer: a truncated and a bit-flipped checkpoint, one of another model,
# a changed parameter or cluster, a second writer (and a reader while a run writes), an empty, a
# text, a missing and a leftover temporary file, and a checkpoint that exists without --resume.
# `pase inspect` shows what a valid checkpoint holds and refuses the others alike.
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$INPUTS/transformer.json -p 16"

PASE_STOP_AFTER_STEP=120 expect_exit 75 "writing the checkpoint" run 1 search $MODEL --checkpoint ck.h5 -q
size=$(stat -c %s ck.h5)

# pase inspect on the valid checkpoint.
expect_exit 0 "inspect" run 1 inspect ck.h5
grep -q "^model       transformer (" stdout || fail "inspect: no model line"
grep -q "^cluster     16 devices, 10 TFLOP/s, 16 GB/s" stdout || fail "inspect: no cluster line"
grep -q "^progress    120 of 204 vertices eliminated (58.8%), .* DP cells" stdout || fail "inspect: no progress line"
grep -q "^valid       yes" stdout || fail "inspect: not valid"
grep -q "^checkpoint  ck.h5 (.*, format 1, written by pase" stdout || fail "inspect: no file line"

refused() {  # refused DESCRIPTION EXPECTED_MESSAGE SEARCH_ARGUMENTS...
  local what=$1 message=$2
  shift 2
  expect_exit 2 "$what" run 1 search "$@" -q
  expect_message "$message" "$what"
  [ "$(wc -l < "$WORK/stderr")" -eq 1 ] || fail "$what: the error is not one line"
}

head -c $((size / 2)) ck.h5 > truncated.h5
refused "truncated" "truncated.h5: truncated: $((size / 2)) bytes of the $size it was written with" \
  $MODEL --resume truncated.h5
expect_exit 2 "inspect truncated" run 1 inspect truncated.h5

cp ck.h5 flipped.h5
at=$((size * 2 / 3))
byte=$(od -An -tu1 -j $at -N1 flipped.h5 | tr -d ' ')
printf "\\$(printf %03o $((byte ^ 4)))" | dd of=flipped.h5 bs=1 seek=$at conv=notrunc 2> /dev/null
refused "bit-flipped" "flipped.h5: damaged checkpoint: its bytes do not match the digest in its seal" \
  $MODEL --resume flipped.h5
expect_exit 2 "inspect bit-flipped" run 1 inspect flipped.h5

refused "another model" \
  "ck.h5: written for a different search (model: transformer in the checkpoint, inception3 now); resume with the model and options that wrote it, or start a new checkpoint" \
  "$INPUTS/inception3.json" -p 16 --resume ck.h5
refused "a changed parameter" \
  "ck.h5: written for a different search (parameters: batch=64 in the checkpoint, batch=128 now)" \
  $MODEL --set batch=128 --resume ck.h5
refused "another cluster" "(procs: 16 in the checkpoint, 32 now; bw_gbytes: 16 in the checkpoint, 25 now)" \
  "$INPUTS/transformer.json" -p 32 --bw 25 --resume ck.h5

: > empty.h5
refused "empty" "empty.h5: the file is empty (not a checkpoint)" $MODEL --resume empty.h5
echo "not a checkpoint" > reference.txt
refused "text" "reference.txt: not a pase checkpoint (it does not start with \"pase checkpoint seal\", nor is it HDF5)" \
  $MODEL --resume reference.txt
refused "missing" "none.h5: no such checkpoint file (check the path)" $MODEL --resume none.h5
cp ck.h5 ck.h5.tmp
refused "temporary" "ck.h5.tmp: a temporary file left by a checkpoint write that did not finish; resume from ck.h5" \
  $MODEL --resume ck.h5.tmp
rm ck.h5.tmp
refused "existing checkpoint without --resume" \
  "ck.h5: a checkpoint exists already; continue it with --resume ck.h5, or delete it to start over" \
  $MODEL --checkpoint ck.h5
refused "--checkpoint-every alone" "--checkpoint-every: needs --checkpoint FILE.h5 to write to" \
  $MODEL --checkpoint-every 10

# A second writer, and a reader, while a (slowed) run writes the checkpoint.
cp ck.h5 kept.h5
PASE_STEP_SLEEP_MS=20 "$PASE" search $MODEL --checkpoint ck.h5 --resume ck.h5 -q > /dev/null 2>&1 &
first=$!
for _ in $(seq 100); do
  grep -q "process $first" ck.h5.lock 2> /dev/null && break
  sleep 0.05
done
refused "a second writer" "ck.h5: in use by process $first on $(hostname) (lock ck.h5.lock); two runs cannot use one checkpoint" \
  $MODEL --checkpoint ck.h5 --resume ck.h5
refused "a reader while a run writes" "ck.h5: in use by process $first" $MODEL --resume ck.h5
kill -USR2 $first
{ wait $first; } 2> /dev/null
[ $? -eq 75 ] || fail "the first writer did not stop with 75"
# Its lock file stays, unlocked: the next run takes it.
expect_exit 75 "a writer after the first ended" env PASE_STOP_AFTER_STEP=150 "$PASE" search $MODEL --checkpoint ck.h5 --resume ck.h5 -q
finish
