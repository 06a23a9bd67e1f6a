#!/bin/bash
# Orphans (issue 16): `kill -9` of mpirun alone. Its ranks (each in its own process group) must be
# gone within 10 s, the checkpoint they wrote must still be valid (pase inspect), and the resumed
# search must give the uninterrupted result. Open MPI 4.1 ends such ranks itself (its PMIx client
# loses mpirun, exit code 195); LauncherWatch (src/mpi/launcher_watch.cpp) covers launchers that do
# not, and is tested on its own by pase_launcher_watch_tests.
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$INPUTS/transformer.json -p 16"
run 1 search $MODEL -q -o reference.json > /dev/null || fail "reference run"

for moment in 0.3 1.2; do
  rm -f ck.h5 ck.h5.lock out.json
  PASE_STEP_SLEEP_MS=20 "$MPIEXEC" -n 2 --oversubscribe "$PASE" search $MODEL --checkpoint ck.h5 \
    --checkpoint-every 0.2 -o out.json > stdout 2> stderr &
  launcher=$!
  for _ in $(seq 200); do
    [ -e ck.h5 ] && break
    sleep 0.05
  done
  [ -e ck.h5 ] || fail "no first checkpoint within 10 s"
  sleep "$moment"
  ranks=$(pgrep -P "$launcher" | tr '\n' ' ')
  [ -n "$ranks" ] || fail "no ranks found under mpirun $launcher"
  kill -9 "$launcher"
  { wait "$launcher"; } 2> /dev/null
  start=$(date +%s.%N)
  gone=no
  for _ in $(seq 200); do
    alive=no
    for pid in $ranks; do
      # A rank is gone once it is no process or only a zombie waiting for init to reap it.
      state=$(ps -o stat= -p "$pid" 2> /dev/null)
      [ -n "$state" ] && [ "${state:0:1}" != Z ] && alive=yes
    done
    [ "$alive" = no ] && { gone=yes; break; }
    sleep 0.05
  done
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  [ "$gone" = yes ] || { fail "kill -9 mpirun after ${moment}s: ranks $ranks still run after 10 s"; kill -9 $ranks; }
  echo "kill -9 mpirun after ${moment}s: ranks gone in $seconds s"
  [ "$(steps_in ck.h5)" != invalid ] || fail "kill -9 mpirun after ${moment}s: the checkpoint is not valid"
  expect_exit 0 "resume after kill -9 mpirun after ${moment}s" run 1 search $MODEL --resume ck.h5 -q -o resumed.json
  [ "$(result_of resumed.json)" = "$(result_of reference.json)" ] || fail "kill -9 mpirun after ${moment}s: the resumed result differs"
done
finish
