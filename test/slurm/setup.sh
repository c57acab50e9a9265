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

# shellcheck source=../lib/debian-install.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/debian-install.sh"
debian_install slurm "${need[@]}" || exit 1
# The packages' own munged/slurmd/slurmctld services are not used (cluster.sh runs private ones).
log "installed: $(dpkg-query -W -f='${Package} ${Version}\n' slurmctld slurmd slurm-client munge | tr '\n' ' ')"
