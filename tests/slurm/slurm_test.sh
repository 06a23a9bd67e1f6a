#!/usr/bin/env bash
# Integration test of slurm/search.sbatch and slurm/sweep.sbatch on a real one-node Slurm.
#
#   bash tests/slurm/slurm_test.sh [PASE_BINARY]      # default: build/pase; as root
#   ctest --test-dir build -L slurm --output-on-failure
#
# Installs slurm-wlm and munge with apt-get when missing, starts a private Slurm (munged, slurmctld,
# slurmd; tests/slurm/start_slurm.sh) in a temporary folder, and checks:
#  1. the scripts fail at once, with a message, on a missing binary, model or spec;
#  2. search.sbatch with 2 tasks (srun --mpi=pmix): the time-limit signal (scancel --signal=USR1
#     --batch, as --signal=B:USR1@N sends it) makes it checkpoint, stop and requeue itself; the rerun
#     resumes from the checkpoint; a `scontrol requeue` (SIGTERM to everything) of the rerun does the
#     same; the result equals an uninterrupted job's (total cost and strategy);
#  3. sweep.sbatch as an array of 3 tasks, one task requeued mid-way (scontrol requeue) and another
#     given the time-limit signal resume their shares; the merge job gives every point exactly once,
#     with the values of a local (non-Slurm) pase sweep;
#  4. finished results are never overwritten (search result, merged sweep).
# Stops the daemons it started by their process ids (tests/slurm/stop_slurm.sh) whatever happens,
# and removes its folder (PASE_SLURM_KEEP=1 keeps it). Every wait and command has a timeout, and
# all of them end within PASE_SLURM_TEST_LIMIT seconds (default 480; ctest's limit is 600). Exit
# code 77: cannot run here (not root).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
pase=${1:-$repo/build/pase}
limit=${PASE_SLURM_TEST_LIMIT:-480}

note() { echo "slurm_test [$(date +%T) +${SECONDS}s] $*"; }
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm_test: skipped: needs root (starts Slurm's daemons, may install packages)"
  exit 77
fi
[ -x "$pase" ] || { echo "slurm_test: $pase: no pase binary (build it, or give its path)" >&2; exit 1; }
pase=$(realpath "$pase")

work=$(mktemp -d /tmp/pase-slurm-test.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/logs"
failed=1
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$failed" = 1 ] || [ "$rc" != 0 ]; then
    echo "---- slurm_test failed (exit code $rc); job logs and daemon logs follow ----"
    for f in "$work"/logs/*; do
      [ -f "$f" ] || continue
      echo "==== $f"
      grep -vE '^(  |[A-Za-z0-9_.]+ +[A-Z][A-Za-z]+ +[a-z]+ )' "$f" | tail -60
    done
    if [ -n "${SLURM_CONF:-}" ]; then
      echo "==== jobs"
      timeout 10 scontrol show job 2>&1 | grep -E 'JobId=|JobState=|Restarts=' || true
    fi
    for f in "$work/slurm/log/slurmctld.log" "$work/slurm/log/slurmd.log"; do
      [ -f "$f" ] && { echo "==== $f (last 30 lines)"; tail -30 "$f"; }
    done
  fi
  note "stopping Slurm"
  bash "$here/stop_slurm.sh" "$work/slurm" || true
  if [ "${PASE_SLURM_KEEP:-0}" = 1 ]; then
    note "kept $work"
  else
    rm -rf "$work"
  fi
  [ "$rc" = 0 ] && [ "$failed" = 1 ] && rc=1
  note "$([ "$rc" = 0 ] && echo PASSED || echo FAILED) in ${SECONDS}s"
  exit "$rc"
}
trap cleanup EXIT
trap 'note "interrupted"; exit 130' INT
trap 'note "terminated"; exit 143' TERM

fail() {
  note "FAIL: $*"
  exit 1
}
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then note "ok: $what"; else fail "$what"; fi
}

# Seconds left of the test's limit, at most $1.
budget() {
  local left=$((limit - SECONDS))
  [ "$left" -gt 0 ] || fail "the test ran out of its ${limit}s"
  echo $((left < $1 ? left : $1))
}
# poll SECONDS COMMAND...: runs COMMAND every 0.5 s until it succeeds (0) or the time is up (1).
poll() {
  local end
  end=$((SECONDS + $(budget "$1")))
  shift
  while ! "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.5
  done
}
# wait_until SECONDS DESCRIPTION COMMAND...: poll, or fail the test.
wait_until() {
  local timeout=$1 what=$2
  shift 2
  poll "$timeout" "$@" || fail "timed out after ${timeout}s waiting for: $what"
}

# --- Slurm --------------------------------------------------------------------------------------
note "starting a one-node Slurm in $work/slurm"
rc=0
bash "$here/start_slurm.sh" "$work/slurm" || rc=$?
[ "$rc" = 77 ] && { failed=0; exit 77; }
[ "$rc" = 0 ] || fail "could not start Slurm (exit code $rc)"
# shellcheck disable=SC1091
source "$work/slurm/env.sh"
export PASE="$pase"
# Jobs inherit TMPDIR: Open MPI's session folders stay in the test's folder.
mkdir -p "$work/tmp"
export TMPDIR="$work/tmp"
S() { timeout 30 "$@"; }  # Slurm commands, bounded

# job_field JOB FIELD: a field of `scontrol show job` (JobState, Restarts, ExitCode, ...).
job_field() { S scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
job_state_is() { [ "$(job_field "$1" JobState)" = "$2" ]; }
job_ended() {
  case "$(job_field "$1" JobState)" in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE) return 0 ;; esac
  return 1
}
pending_after_restart() {  # JOB N: requeued at least N times and waiting
  [ "$(job_field "$1" JobState)" = PENDING ] && [ "$(job_field "$1" Restarts)" -ge "$2" ]
}
restarts_at_least() { [ "$(job_field "$1" Restarts)" -ge "$2" ]; }
job_started() { ! job_state_is "$1" PENDING; }
# A requeued job waits for its BeginTime (about 2 minutes); release it now. slurmd refuses a
# credential issued in the same second as the requeue revoked the old one ("already killed, do not
# launch"), so wait 2 s first, and release again if the job still does not start.
release() {
  local j=$1
  sleep 2
  for _ in 1 2 3; do
    S scontrol update JobId="$j" StartTime=now || true
    poll 20 job_started "$j" && return 0
    note "job $j did not start ($(job_field "$j" JobState), reason $(job_field "$j" Reason)): releasing it again"
    S scontrol release "$j" 2>/dev/null || true
  done
  fail "job $j did not start again after its requeue"
}
submit() { S sbatch --parsable --chdir="$repo" "$@"; }
log_has() { [ -f "$1" ] && grep -q -- "$2" "$1"; }
# wait_log SECONDS JOB LOG PATTERN DESCRIPTION: until LOG has PATTERN; fails at once if JOB ends.
wait_log() {
  local timeout=$1 j=$2 file=$3 pattern=$4 what=$5
  log_or_end() { log_has "$file" "$pattern" || job_ended "$j"; }
  wait_until "$timeout" "$what" log_or_end
  log_has "$file" "$pattern" || fail "job $j ended ($(job_field "$j" JobState)) before: $what"
}
log_count() { if [ -f "$1" ]; then grep -c -- "$2" "$1" || true; else echo 0; fi; }

# --- 1. fail loudly and early ---------------------------------------------------------------------
note "1. missing model, binary and spec"
bad_model=$(submit -n 1 -o "$work/logs/bad-model-%j.out" --export=ALL,PASE_RUN_DIR="$work/bad-model" \
  slurm/search.sbatch inputs/no-such-model.json --procs 8)
bad_pase=$(submit -n 1 -o "$work/logs/bad-pase-%j.out" --export=ALL,PASE=/nonexistent/pase,PASE_RUN_DIR="$work/bad-pase" \
  slurm/search.sbatch jobs/search-transformer.env)
bad_spec=$(submit -n 1 -o "$work/logs/bad-spec-%j.out" --export=ALL,PASE_RUN_DIR="$work/bad-spec" \
  slurm/sweep.sbatch jobs/no-such-spec.yaml)
for j in "$bad_model" "$bad_pase" "$bad_spec"; do wait_until 60 "job $j to end" job_ended "$j"; done
check "missing model: job FAILED with exit code 2" test "$(job_field "$bad_model" JobState)/$(job_field "$bad_model" ExitCode)" = FAILED/2:0
check "missing model: says so" log_has "$work/logs/bad-model-$bad_model.out" "no-such-model.json: no such file"
check "missing binary: job FAILED" test "$(job_field "$bad_pase" JobState)" = FAILED
check "missing binary: says so" log_has "$work/logs/bad-pase-$bad_pase.out" "pase binary '/nonexistent/pase' not found"
check "missing spec: job FAILED with exit code 2" test "$(job_field "$bad_spec" JobState)/$(job_field "$bad_spec" ExitCode)" = FAILED/2:0
check "missing spec: says so" log_has "$work/logs/bad-spec-$bad_spec.out" "no-such-spec.yaml: no such file"
check "nothing was started for the missing model" test ! -e "$work/bad-model/command.txt"

# --- 2. search: uninterrupted, then interrupted twice ---------------------------------------------
note "2. search.sbatch, 2 tasks: an uninterrupted job"
ref_log="$work/logs/search-ref.out"
ref=$(submit -n 2 -o "$ref_log" --export=ALL,PASE_RUN_DIR="$work/search-ref" \
  slurm/search.sbatch jobs/search-transformer.env)
wait_until 300 "uninterrupted search job $ref to end" job_ended "$ref"
check "uninterrupted search COMPLETED" job_state_is "$ref" COMPLETED
check "it wrote result.json" test -s "$work/search-ref/result.json"
check "it removed its checkpoint" test ! -e "$work/search-ref/checkpoint.h5"

note "2. search.sbatch, 2 tasks: time-limit signal, requeue, resume; scontrol requeue, resume"
log="$work/logs/search.out"
# A checkpoint every 3 s: the test interrupts the job after one (the stop writes its own checkpoint).
# PASE_STEP_SLEEP_MS (a test hook of pase: 30 ms after each of the 204 DP steps, results unchanged)
# keeps the search longer than the two interruptions need even on a fast machine.
job=$(submit -n 2 -o "$log" --export=ALL,PASE_RUN_DIR="$work/search",PASE_CHECKPOINT_EVERY=3,PASE_STEP_SLEEP_MS=30 \
  slurm/search.sbatch jobs/search-transformer.env)
wait_log 120 "$job" "$log" "written after step" "a first checkpoint of job $job"
job_state_is "$job" RUNNING || fail "job $job finished before it could be interrupted (make the search longer)"
note "sending SIGUSR1 to the batch shell, as --signal=B:USR1@N does"
S scancel --signal=USR1 --batch "$job"
wait_until 60 "job $job to requeue itself" pending_after_restart "$job" 1
check "the batch script forwarded the signal" log_has "$log" "SIGUSR1 (time limit near)"
check "the ranks wrote a checkpoint and stopped" log_has "$log" "written after step .*, stopping"
check "the batch script requeued the job" log_has "$log" "requeueing job $job"
check "the checkpoint is kept while the job waits" test -s "$work/search/checkpoint.h5"
check "pase inspect: the checkpoint is valid" "$pase" inspect "$work/search/checkpoint.h5"
release "$job"
wait_log 90 "$job" "$log" "pase search: resumed from" "job $job to resume"
checkpoints_before=$(log_count "$log" "written after step")
more_checkpoints() { [ "$(log_count "$log" "written after step")" -gt "$checkpoints_before" ] || job_ended "$job"; }
wait_until 60 "a checkpoint after the resume" more_checkpoints
job_state_is "$job" RUNNING || fail "job $job finished before the second interruption (make the search longer)"
note "scontrol requeue (SIGTERM to the batch shell and to every rank)"
S scontrol requeue "$job"
wait_until 60 "job $job to be requeued" pending_after_restart "$job" 2
check "the ranks stopped on SIGTERM with a checkpoint" log_has "$log" "stopped on SIGTERM with checkpoint"
release "$job"
wait_until 300 "job $job to finish" job_ended "$job"
check "interrupted search COMPLETED" job_state_is "$job" COMPLETED
check "after 2 restarts (Restarts=$(job_field "$job" Restarts))" restarts_at_least "$job" 2
check "the last run knew it was a restart (SLURM_RESTART_COUNT=2)" log_has "$log" "(SLURM_RESTART_COUNT=2)"
mapfile -t resumed < <(sed -n 's/^pase search: resumed from .* after step \([0-9]*\) of .*/\1/p' "$log")
note "resumed after steps: ${resumed[*]}"
check "resumed twice, from a checkpoint (step > 0), not from the start" \
  test "${#resumed[@]}" -ge 2 -a "${resumed[0]:-0}" -gt 0 -a "${resumed[1]:-0}" -ge "${resumed[0]:-0}"
check "result.json written" test -s "$work/search/result.json"
check "checkpoint removed" test ! -e "$work/search/checkpoint.h5"
total() { grep -m1 '^ "total_cost"' "$1"; }
strategy() { sed -n '/^ "layers": \[/,$p' "$1"; }
check "same total cost as the uninterrupted job ($(total "$work/search-ref/result.json"))" \
  test "$(total "$work/search/result.json")" = "$(total "$work/search-ref/result.json")"
check "same strategy as the uninterrupted job" \
  diff <(strategy "$work/search/result.json") <(strategy "$work/search-ref/result.json")
check "the strategy is not empty" test "$(strategy "$work/search/result.json" | grep -c '"name"')" -gt 10

note "4. a finished search is not overwritten"
sum=$(md5sum <"$work/search/result.json")
again=$(submit -n 2 -o "$work/logs/search-again-%j.out" --export=ALL,PASE_RUN_DIR="$work/search" \
  slurm/search.sbatch jobs/search-transformer.env)
wait_until 60 "job $again to end" job_ended "$again"
check "resubmitting into a finished folder FAILED (exit code 3)" test "$(job_field "$again" ExitCode)" = 3:0
check "it says why" log_has "$work/logs/search-again-$again.out" "refusing to overwrite"
check "result.json unchanged" test "$(md5sum <"$work/search/result.json")" = "$sum"

# --- 3. sweep: array of 3, one task requeued mid-way, merge ----------------------------------------
note "3. local sweep of jobs/sweep-small.yaml (the reference)"
timeout "$(budget 300)" "$pase" sweep "$repo/jobs/sweep-small.yaml" --output "$work/sweep-local.h5" --quiet >"$work/logs/sweep-local.out" 2>&1 ||
  fail "the local sweep failed"

note "3. sweep.sbatch as an array of 3 tasks"
run="$work/sweep"
arr=$(submit --array=0-2 -o "$work/logs/sweep-%A_%a.out" --export=ALL,PASE_RUN_DIR="$run" \
  slurm/sweep.sbatch jobs/sweep-small.yaml)
journal_rows() { cat "$run"/share-"$1"-of-3.h5.journal.* 2>/dev/null | grep -vc pase_journal || true; }
share_started() { [ "$(journal_rows "$1")" -ge 1 ] || job_ended "${arr}_$1"; }
# interrupt K HOW: once task K has finished a point, requeue it (HOW=requeue: scontrol requeue,
# SIGTERM to everything) or send the time-limit signal (HOW=usr1: the script stops and requeues).
interrupt() {
  local k=$1 how=$2
  wait_until 120 "task $k to finish a point" share_started "$k"
  job_state_is "${arr}_$k" RUNNING || fail "task ${arr}_$k finished before it could be interrupted"
  if [ "$how" = requeue ]; then
    note "scontrol requeue of task ${arr}_$k after $(journal_rows "$k") finished point(s)"
    S scontrol requeue "${arr}_$k"
  else
    note "SIGUSR1 to the batch shell of task ${arr}_$k after $(journal_rows "$k") finished point(s)"
    S scancel --signal=USR1 --batch "${arr}_$k"
  fi
  wait_until 60 "task ${arr}_$k to be requeued" pending_after_restart "${arr}_$k" 1
  release "${arr}_$k"
}
interrupt 1 requeue
interrupt 2 usr1
array_done() { local k; for k in 0 1 2; do job_ended "${arr}_$k" || return 1; done; }
wait_until 300 "the array $arr to finish" array_done
for k in 0 1 2; do check "task $k COMPLETED" job_state_is "${arr}_$k" COMPLETED; done
check "task 2 stopped its sweep and requeued itself" log_has "$work/logs/sweep-${arr}_2.out" "requeueing job ${arr}_2"
check "task 0 was not requeued" test "$(job_field "${arr}_0" Restarts)" = 0
for k in 1 2; do
  task_log="$work/logs/sweep-${arr}_$k.out"
  check "task $k ran again after its requeue" log_has "$task_log" "(SLURM_RESTART_COUNT=[1-9])"
  resumed_points=$(sed -n "s/^sweep small: .* in share $k\/3, \([0-9]*\) finished before, .*/\1/p" "$task_log" | tail -1)
  check "task $k resumed its share (${resumed_points:-no} points finished before)" test "${resumed_points:-0}" -ge 1
done

merge=$(submit -o "$work/logs/sweep-merge.out" slurm/sweep.sbatch --merge "$run")
wait_until 120 "merge job $merge to end" job_ended "$merge"
check "merge job COMPLETED" job_state_is "$merge" COMPLETED
check "merged results.h5 written" test -s "$run/results.h5"

# Compare with the local sweep: every column but the timings and who computed the point.
table() {
  "$pase" export "$1" --csv "$2" --strategies >/dev/null || return 1
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) skip[i] = ($i ~ /^(search_seconds|build_seconds|rank|plan_shared)$/) }
           { line = ""; for (i = 1; i <= NF; i++) if (!skip[i]) line = line (line == "" ? "" : ",") $i; print line }' "$2"
}
table "$run/results.h5" "$work/merged.csv" >"$work/merged.txt" || fail "pase export of the merged file"
table "$work/sweep-local.h5" "$work/local.csv" >"$work/local.txt" || fail "pase export of the local sweep"
points_listed=$(tail -n +2 "$work/merged.txt" | cut -d, -f1 | sort -n | tr '\n' ' ')
check "every point exactly once (points: $points_listed)" test "$points_listed" = "0 1 2 3 4 5 6 7 8 "
check "all rows ok" test "$(tail -n +2 "$work/merged.txt" | grep -vc ',ok,' || true)" = 0
check "same rows as the local sweep (costs, strategies)" diff "$work/merged.txt" "$work/local.txt"
check "pase merge refuses duplicate points" \
  bash -c "! '$pase' merge '$run/share-0-of-3.h5' '$work/sweep-local.h5' --output '$work/dup.h5' 2>'$work/logs/dup.err'"

note "4. a merged sweep is not overwritten"
sum=$(md5sum <"$run/results.h5")
again=$(submit -o "$work/logs/sweep-merge-again.out" slurm/sweep.sbatch --merge "$run")
wait_until 60 "job $again to end" job_ended "$again"
check "a second merge FAILED (exit code 3)" test "$(job_field "$again" ExitCode)" = 3:0
check "it says why" log_has "$work/logs/sweep-merge-again.out" "refusing to overwrite"
check "results.h5 unchanged" test "$(md5sum <"$run/results.h5")" = "$sum"

failed=0
