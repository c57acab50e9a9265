#!/usr/bin/env bash
# Installs what the Slurm tests need, once: Debian bookworm's Slurm 22.05 (slurmctld, slurmd, slurm-client)
# and MUNGE. Idempotent: when everything is there it only checks (a few milliseconds) and prints nothing.
# Needs root to install (CI runs as root); without root it names the missing packages and exits 1.
# Set FTW_SETUP_QUIET=1 to keep progress messages off stderr.
set -euo pipefail

log() { [ "${FTW_SETUP_QUIET:-}" = 1 ] || echo "[slurm setup] $*" >&2; }

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

need=()
{ have slurmctld && have slurmd && have sbatch && have squeue && have scontrol && have sinfo; } || need+=(slurm-wlm)
{ have munged && have mungekey; } || need+=(munge)
[ "${#need[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "[slurm setup] missing Debian packages: ${need[*]} (run as root, or: sudo apt-get install -y --no-install-recommends ${need[*]})" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[slurm setup] missing ${need[*]} and no apt-get here" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# Waits for another apt/dpkg (up to 5 minutes) instead of failing on its lock.
apt_get() { apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 -qq "$@" </dev/null >>"$out" 2>&1; }
install() { apt_get install -y --no-install-recommends "${need[@]}"; }
log "apt-get install ${need[*]}"
# apt-get update only when the package lists do not know the packages (a fresh image has none) or are stale.
if ! { apt-cache show slurm-wlm munge >/dev/null 2>&1 && install; }; then
  log "apt-get update"
  if ! { apt_get update && install; }; then
    echo "[slurm setup] apt-get failed:" >&2
    tail -n 20 "$out" >&2
    exit 1
  fi
fi
# The packages' own munged/slurmd/slurmctld services are not used (cluster.sh runs private ones).
log "installed: $(dpkg-query -W -f='${Package} ${Version}\n' slurmctld slurmd slurm-client munge | tr '\n' ' ')"
