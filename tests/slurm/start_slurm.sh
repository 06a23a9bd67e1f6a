#!/usr/bin/env bash
# Starts a private one-node Slurm (22.05, Debian's slurm-wlm) with its own munged, for tests.
#
#   bash tests/slurm/start_slurm.sh DIR        # DIR: a new or empty folder (e.g. from mktemp -d)
#   source DIR/env.sh                          # SLURM_CONF for sbatch, squeue, scontrol, ...
#   bash tests/slurm/stop_slurm.sh DIR         # stops what this started, by process id
#
# Everything lives in DIR: slurm.conf, the munge key and socket, spool, state, logs and the process
# ids of the three daemons (DIR/pids). Ports are chosen free, so a Slurm or munged already running on
# this machine is neither used nor disturbed. Installs slurm-wlm and munge with apt-get when missing
# (needs root, like the daemons themselves). Set PASE_SLURM_NO_INSTALL=1 to refuse installing.
# Exit codes: 0 started, 77 cannot run here (not root), anything else: failed (the daemons it started
# are stopped again).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "start_slurm: error: $*" >&2; exit 1; }
log() { echo "start_slurm: $*" >&2; }

[ $# -eq 1 ] || die "usage: start_slurm.sh DIR"
dir=$1
if [ "$(id -u)" -ne 0 ]; then
  echo "start_slurm: needs root (Slurm's daemons run as root here, and packages may need installing)" >&2
  exit 77
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ -z "$(ls -A "$dir")" ] || die "$dir: not empty; give a new folder"

# --- packages -------------------------------------------------------------------------------------
need_install=0
for tool in slurmctld slurmd sbatch srun scontrol munged mungekey; do
  command -v "$tool" >/dev/null 2>&1 || need_install=1
done
[ -e /usr/lib/x86_64-linux-gnu/slurm-wlm/mpi_pmix.so ] || [ -n "$(find /usr/lib -name mpi_pmix.so 2>/dev/null | head -1)" ] ||
  need_install=1
if [ "$need_install" = 1 ]; then
  [ "${PASE_SLURM_NO_INSTALL:-0}" = 1 ] && die "slurm-wlm or munge is missing and PASE_SLURM_NO_INSTALL=1"
  log "installing slurm-wlm and munge with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq >"$dir/apt.log" 2>&1 || { cat "$dir/apt.log" >&2; die "apt-get update failed"; }
  timeout 600 apt-get install -y -qq --no-install-recommends slurm-wlm munge >>"$dir/apt.log" 2>&1 ||
    { tail -20 "$dir/apt.log" >&2; die "apt-get install slurm-wlm munge failed"; }
fi
id munge >/dev/null 2>&1 || die "the munge user does not exist (is the munge package installed?)"

# --- folders and the pid list used by stop_slurm.sh -----------------------------------------------
chmod 755 "$dir"
mkdir -p "$dir/munge" "$dir/spool" "$dir/state" "$dir/log" "$dir/tmp"
chown munge:munge "$dir/munge"
chmod 755 "$dir/munge"  # munged: the socket's folder must be searchable by all
: >"$dir/pids"
started_ok=0
cleanup_on_failure() {
  if [ "$started_ok" != 1 ]; then
    log "start failed; stopping what was started"
    bash "$here/stop_slurm.sh" "$dir" || true
  fi
}
trap cleanup_on_failure EXIT

# Waits up to $1 seconds for the command "${@:2}" to succeed.
wait_for() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# A pid file written by a daemon: wait for it and record the pid.
record_pid() {
  local name=$1 file=$2 pid
  wait_for 20 test -s "$file" || die "$name did not write $file (log: $3)"
  pid=$(cat "$file")
  kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) is not running (log: $3)"
  echo "$name $pid" >>"$dir/pids"
  log "$name running, pid $pid"
}

# A free TCP port in 20000-39999 (nothing answers on it).
free_port() {
  local p tries
  for ((tries = 0; tries < 200; tries++)); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free TCP port found"
}

# --- munge: own key, socket, pid, log, seed -------------------------------------------------------
runuser -u munge -- mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 ||
  die "mungekey could not create $dir/munge/munge.key"
socket="$dir/munge/munge.socket"
runuser -u munge -- munged --socket="$socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" ||
  die "munged did not start (log: $dir/munge/munged.log)"
record_pid munged "$dir/munge/munged.pid" "$dir/munge/munged.log"
wait_for 10 bash -c "munge -S '$socket' -n | unmunge -S '$socket'" || die "munge credentials do not verify"

# --- slurm.conf -----------------------------------------------------------------------------------
host=$(hostname -s)
memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
[ -n "$memory" ] || die "slurmd -C did not report RealMemory"
ctld_port=$(free_port)
slurmd_port=$(free_port)
[ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))
first_job=$((100000 + RANDOM * 100))
cat >"$dir/slurm.conf" <<EOF
# Written by tests/slurm/start_slurm.sh: one node, private munged, no accounting.
ClusterName=pasetest
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire: a requeued job may start again after 10 s instead of 120 s.
AuthInfo=socket=$socket,cred_expire=10
# Private job ids and temporary folder: srun's PMIx plugin makes TmpFS/spmix_appdir_UID_JOB.STEP, and
# Open MPI names its session folder after the job, so another Slurm on this machine (a colleague's
# test, also as root, also counting jobs from 1) must not produce the same names.
FirstJobId=$first_job
TmpFS=$dir/tmp
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# Quick kills and requeues; finished jobs stay visible to scontrol for 10 minutes.
KillWait=10
MinJobAge=600
InactiveLimit=0
ReturnToService=2
NodeName=$host CPUs=2 RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
cat >"$dir/env.sh" <<EOF
export SLURM_CONF=$dir/slurm.conf
EOF
export SLURM_CONF="$dir/slurm.conf"

# --- daemons --------------------------------------------------------------------------------------
# PASE_SLURM_TEST_DIR marks the daemons' environment (inherited by slurmstepd) for stop_slurm.sh.
PASE_SLURM_TEST_DIR="$dir" slurmctld -f "$dir/slurm.conf" ||
  die "slurmctld did not start (log: $dir/log/slurmctld.log)"
record_pid slurmctld "$dir/slurmctld.pid" "$dir/log/slurmctld.log"
PASE_SLURM_TEST_DIR="$dir" slurmd -f "$dir/slurm.conf" ||
  die "slurmd did not start (log: $dir/log/slurmd.log)"
record_pid slurmd "$dir/slurmd.pid" "$dir/log/slurmd.log"

node_ready() { sinfo -h -N -o '%t' | grep -qE '^(idle|mix|alloc)'; }
wait_for 60 node_ready || {
  sinfo -N -l >&2 || true
  tail -20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  die "node $host did not become idle within 60 s"
}
log "Slurm is up: node $host, ports $ctld_port/$slurmd_port; source $dir/env.sh"
started_ok=1
