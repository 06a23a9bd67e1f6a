#!/usr/bin/env bash
# Stops the one-node Slurm that tests/slurm/start_slurm.sh started in DIR, whatever state it is in:
#   bash tests/slurm/stop_slurm.sh DIR [--remove]
# 1. cancels the jobs of that cluster (its own SLURM_CONF) and waits a little for them to end;
# 2. stops slurmd, slurmctld and munged by the process ids recorded in DIR/pids (SIGTERM, then
#    SIGKILL after 15 s);
# 3. kills what is left of that cluster only: processes whose environment names DIR (slurmstepd
#    inherits PASE_SLURM_TEST_DIR=DIR from slurmd, job processes have SLURM_CONF=DIR/slurm.conf),
#    never this script or its callers;
# 4. with --remove, deletes DIR.
# Never fails because something was already stopped; bounded in time (about 60 s at most).
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: stop_slurm.sh DIR [--remove]" >&2; exit 2; }
dir=$1
remove=${2:-}
[ -d "$dir" ] || { echo "stop_slurm: $dir: no such folder; nothing to stop" >&2; exit 0; }
dir=$(cd "$dir" && pwd)
log() { echo "stop_slurm: $*" >&2; }

alive() { kill -0 "$1" 2>/dev/null; }

# Sends SIGTERM to the pids given, waits up to $1 seconds, then SIGKILL.
stop_pids() {
  local limit=$1 pid i any
  shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null
  for ((i = 0; i < limit * 5; i++)); do
    any=0
    for pid in "$@"; do alive "$pid" && any=1; done
    [ "$any" = 0 ] && return 0
    sleep 0.2
  done
  for pid in "$@"; do
    if alive "$pid"; then
      log "pid $pid still running after ${limit}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null
    fi
  done
}

# 1. Cancel the jobs while the controller is still there.
if [ -f "$dir/slurm.conf" ] && [ -s "$dir/pids" ] && grep -q '^slurmctld ' "$dir/pids"; then
  ctld=$(awk '$1 == "slurmctld" {print $2}' "$dir/pids")
  if alive "$ctld"; then
    export SLURM_CONF="$dir/slurm.conf"
    jobs=$(timeout 10 squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ')
    if [ -n "${jobs// /}" ]; then
      log "cancelling jobs $jobs"
      # shellcheck disable=SC2086
      timeout 10 scancel $jobs 2>/dev/null
      for ((i = 0; i < 100; i++)); do
        [ -z "$(timeout 5 squeue -h -t running,completing,configuring -o '%A' 2>/dev/null)" ] && break
        sleep 0.2
      done
    fi
  fi
fi

# 2. The daemons, in the order that lets them shut down cleanly.
for name in slurmd slurmctld munged; do
  [ -s "$dir/pids" ] || break
  pid=$(awk -v n="$name" '$1 == n {print $2}' "$dir/pids")
  [ -n "$pid" ] || continue
  if alive "$pid"; then
    log "stopping $name (pid $pid)"
    stop_pids 15 "$pid"
  fi
done

# 3. Leftovers of this cluster: slurmstepd and job processes, found by DIR in their environment.
declare -A mine=()
p=$$
while [ -n "$p" ] && [ "$p" != 0 ]; do
  mine[$p]=1
  p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)
done
leftovers=()
for env_file in /proc/[0-9]*/environ; do
  pid=${env_file#/proc/}
  pid=${pid%/environ}
  [ -n "${mine[$pid]:-}" ] && continue
  if { tr '\0' '\n' <"$env_file"; } 2>/dev/null |
    grep -qxF -e "PASE_SLURM_TEST_DIR=$dir" -e "SLURM_CONF=$dir/slurm.conf"; then
    leftovers+=("$pid")
  fi
done
if [ ${#leftovers[@]} -gt 0 ]; then
  log "stopping leftover processes of this cluster: ${leftovers[*]}"
  stop_pids 10 "${leftovers[@]}"
fi

if [ "$remove" = --remove ]; then
  rm -rf "$dir"
fi
exit 0
