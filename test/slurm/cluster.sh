#!/usr/bin/env bash
# A private one-node Slurm cluster on this machine, for the tests: munged + slurmctld + slurmd as root,
# in the background, without systemd and without cgroups. Everything (config, munge key, sockets, state,
# logs, pid files, job logs) lives in one directory: $FTW_SLURM_DIR, default test/.cache/slurm.
#
#   cluster.sh start [--client PID]   write the config, start the daemons, wait (60 s at most) until sinfo
#                                     shows the node idle. Idempotent: a running cluster is left as it is.
#                                     --client registers a process that uses the cluster (see stop).
#   cluster.sh stop [--client PID]    without --client: cancel all jobs and stop the daemons. With --client:
#                                     unregister PID and stop only when no live registered process is left
#                                     (test files that node --test runs in parallel share one cluster).
#   cluster.sh status                 print the daemons' pids and the node state; exit 0 when it is up.
#   cluster.sh env                    print `export SLURM_CONF=...` (eval it to use sbatch & co. by hand).
#   cluster.sh job JOBID              one line: JobId=.. State=COMPLETED|FAILED|.. ExitCode=3:0 StdOut=..
#                                     StdErr=..; from `scontrol show job` (finished jobs stay MinJobAge, a
#                                     day), else from the jobcomp/filetxt record; exit 1 when neither knows it.
#
# Clients need SLURM_CONF=$FTW_SLURM_DIR/etc/slurm.conf (see `env`). Ports: FTW_SLURM_PORT (slurmctld) and
# FTW_SLURM_PORT+1 (slurmd); by default the first free pair from 16817/16818 on, never Slurm's 6817/6818, so
# a real cluster, or the test cluster of another checkout, is left alone.
# The first start needs the packages: bash test/slurm/setup.sh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${FTW_SLURM_DIR:-$HERE/../.cache/slurm}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
CONF="$DIR/etc/slurm.conf"
SOCKET="$DIR/run/munge.socket"
PORT="${FTW_SLURM_PORT:-16817}"
NODE="$(hostname -s 2>/dev/null || hostname)"
NODE="${NODE:-localhost}"
export SLURM_CONF="$CONF"
export PATH="$PATH:/usr/sbin:/sbin"

log() { echo "[slurm] $*" >&2; }
# Alive and not a zombie (daemons are re-parented to pid 1, which in a container may never reap them).
alive() { local s; s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1; s="${s##*) }"; [ "${s:0:1}" != Z ]; }
# The daemon's pid from its pid file, if that process still runs and is that daemon (not a reused pid).
pid_of() {
  local f="$DIR/run/$1.pid" p
  [ -s "$f" ] && p="$(cat "$f")" && alive "$p" && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && echo "$p"
}

node_state() { timeout 10 sinfo -h -N -n "$NODE" -o '%t' 2>/dev/null | head -n 1; }

is_up() {
  pid_of munged >/dev/null && pid_of slurmctld >/dev/null && pid_of slurmd >/dev/null || return 1
  case "$(node_state)" in idle | mix | alloc) return 0 ;; *) return 1 ;; esac
}

write_config() {
  mkdir -p "$DIR"/{etc,munge,run,log,state,spool/slurmd,jobs}
  chmod 700 "$DIR/munge" "$DIR/run"
  local cpus mem
  cpus="$(nproc)"
  mem="$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
  cat >"$CONF" <<EOF
# Written by test/slurm/cluster.sh: a one-node test cluster. Do not edit; it is rewritten on every start.
ClusterName=ftw
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/slurmd
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups and no systemd (containers, CI): plain /proc process tracking, no task confinement.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SwitchType=switch/none
MpiDefault=none
# No slurmdbd, so no sacct. A finished job's state and exit code come from 'scontrol show job' (kept a day:
# MinJobAge) and, for good, from one line per job in the jobcomp/filetxt file.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.txt
MinJobAge=86400
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdParameters=config_overrides
MailProg=/bin/true
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  # slurmd 22.05 loads a cgroup plugin even when no plugin above uses cgroups, and has no CgroupPlugin=disabled
  # (23.11 has). Autodetect picks cgroup/v2 on a cgroup-v2 host, whose init needs systemd/dbus (no container
  # has them) or refuses hybrid hierarchies; cgroup/v1 initialises lazily, and nothing here ever asks it to.
  cat >"$DIR/etc/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
EOF
  if [ ! -s "$DIR/munge/munge.key" ]; then
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile="$DIR/munge/munge.key" >/dev/null
    else
      dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    fi
  fi
  chmod 400 "$DIR/munge/munge.key"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if is_up; then return 0; fi
  stop_daemons quiet
  for b in munged slurmctld slurmd sinfo sbatch scontrol; do
    command -v "$b" >/dev/null 2>&1 || { log "$b not found: run bash test/slurm/setup.sh (as root)"; return 2; }
  done
  [ "$(id -u)" -eq 0 ] || { log "the test cluster runs its daemons as root; this is uid $(id -u)"; return 2; }
  [ "${#SOCKET}" -lt 100 ] || { log "FTW_SLURM_DIR is too long for a unix socket path: $SOCKET"; return 2; }
  # Another test cluster (another checkout) may hold the ports: take the next free pair, unless FTW_SLURM_PORT.
  local tries=0
  while port_busy "$PORT" || port_busy "$((PORT + 1))"; do
    tries=$((tries + 1))
    if [ -n "${FTW_SLURM_PORT:-}" ] || [ "$tries" -gt 20 ]; then log "port $PORT or $((PORT + 1)) is in use (another Slurm?); set FTW_SLURM_PORT"; return 2; fi
    PORT=$((PORT + 2))
  done
  write_config
  local t0=$SECONDS

  munged --force --socket="$SOCKET" --key-file="$DIR/munge/munge.key" --pid-file="$DIR/run/munged.pid" \
    --seed-file="$DIR/munge/munged.seed" --log-file="$DIR/log/munged.log" </dev/null >>"$DIR/log/munged.log" 2>&1 9>&- ||
    { log "munged did not start:"; tail -n 5 "$DIR/log/munged.log" >&2; stop_daemons quiet; return 1; }
  # -c: a fresh start, without the jobs of an earlier run (job ids go on counting).
  slurmctld -c -f "$CONF" </dev/null >>"$DIR/log/slurmctld.log" 2>&1 9>&- ||
    { log "slurmctld did not start:"; tail -n 5 "$DIR/log/slurmctld.log" >&2; stop_daemons quiet; return 1; }
  slurmd -N "$NODE" -f "$CONF" </dev/null >>"$DIR/log/slurmd.log" 2>&1 9>&- ||
    { log "slurmd did not start:"; tail -n 5 "$DIR/log/slurmd.log" >&2; stop_daemons quiet; return 1; }

  local state=''
  while [ $((SECONDS - t0)) -lt 60 ]; do
    state="$(node_state || true)"
    case "$state" in
      idle | mix | alloc) log "up in $((SECONDS - t0)) s: node $NODE $state (SLURM_CONF=$CONF)"; return 0 ;;
      drain* | drng | down*) break ;;
    esac
    for d in munged slurmctld slurmd; do pid_of "$d" >/dev/null || { log "$d died"; break 2; }; done
    sleep 0.2
  done
  log "the node did not become idle (state '${state:-none}'); last log lines:"
  for f in munged slurmctld slurmd; do tail -n 8 "$DIR/log/$f.log" 2>/dev/null | sed "s/^/  $f: /" >&2; done
  timeout 10 scontrol show node "$NODE" 2>/dev/null | grep -E 'State|Reason' | sed 's/^/  /' >&2 || true
  stop_daemons quiet
  return 1
}

stop_daemons() {
  if pid_of slurmctld >/dev/null; then
    timeout 10 scancel --partition=debug >/dev/null 2>&1 || true
  fi
  local pids=() p
  for d in slurmd slurmctld munged; do
    p="$(pid_of "$d" || true)"
    if [ -n "$p" ]; then kill -TERM "$p" 2>/dev/null || true; pids+=("$p"); fi
  done
  for _ in $(seq 100); do
    local alive=0
    for p in "${pids[@]}"; do alive "$p" && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -f "$DIR"/run/*.pid "$SOCKET" "$SOCKET.lock"
  [ "${1:-}" = quiet ] || [ "${#pids[@]}" -eq 0 ] || log "stopped"
}

clients_alive() {
  local n=0 f
  for f in "$DIR"/clients/*; do
    [ -e "$f" ] || continue
    if alive "${f##*/}"; then n=$((n + 1)); else rm -f "$f"; fi
  done
  echo "$n"
}

job() {
  local id="$1" line
  line="$(timeout 10 scontrol show job -o "$id" 2>/dev/null | head -n 1 || true)"
  if [[ "$line" != *JobState=* ]]; then
    line="$(grep -E "^JobId=$id " "$DIR/jobcomp.txt" 2>/dev/null | tail -n 1 || true)"
  fi
  [ -n "$line" ] || { log "job $id unknown"; return 1; }
  local state exit out err
  state="$(grep -oE '(^| )JobState=[A-Z_]+' <<<"$line" | head -n 1 | cut -d= -f2)"
  exit="$(grep -oE '(^| )ExitCode=[0-9]+:[0-9]+' <<<"$line" | head -n 1 | cut -d= -f2)"
  out="$(grep -oE '(^| )StdOut=[^ ]*' <<<"$line" | head -n 1 | cut -d= -f2- || true)"
  err="$(grep -oE '(^| )StdErr=[^ ]*' <<<"$line" | head -n 1 | cut -d= -f2- || true)"
  echo "JobId=$id State=$state ExitCode=${exit:-} StdOut=$out StdErr=$err"
}

cmd="${1:-status}"
shift || true
client=''
if [ "${1:-}" = --client ]; then client="${2:?--client needs a pid}"; fi

case "$cmd" in
  start)
    exec 9>"$DIR/.lock"
    flock -w 120 9
    start
    if [ -n "$client" ]; then mkdir -p "$DIR/clients" && : >"$DIR/clients/$client"; fi
    ;;
  stop)
    exec 9>"$DIR/.lock"
    flock -w 120 9
    if [ -n "$client" ]; then
      rm -f "$DIR/clients/$client"
      if [ "$(clients_alive)" -gt 0 ]; then log "still in use by another test process; left running"; exit 0; fi
    fi
    stop_daemons
    rm -rf "$DIR/clients"
    ;;
  status)
    echo "munged=$(pid_of munged || echo -) slurmctld=$(pid_of slurmctld || echo -) slurmd=$(pid_of slurmd || echo -) node=$NODE state=$(node_state || true) SLURM_CONF=$CONF"
    is_up
    ;;
  env) echo "export SLURM_CONF='$CONF'" ;;
  job) job "${1:?usage: cluster.sh job JOBID}" ;;
  *) echo "usage: cluster.sh start|stop|status|env|job JOBID [--client PID]" >&2; exit 2 ;;
esac
