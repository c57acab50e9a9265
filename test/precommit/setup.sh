#!/usr/bin/env bash
# Installs what the pre-commit tests need, once: Debian's `pre-commit` package (3.0.4 on bookworm, which brings
# nodeenv, the tool its `language: node` uses). Idempotent: when `pre-commit` is on PATH it only prints its path.
# Needs root to install (CI runs as root); without root it says what to install and exits 1.
# The pre-commit path is the last line of stdout. FTW_SETUP_QUIET=1 keeps progress messages off stderr.
set -euo pipefail

log() { [ "${FTW_SETUP_QUIET:-}" = 1 ] || echo "[pre-commit setup] $*" >&2; }

if ! command -v pre-commit >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "[pre-commit setup] pre-commit is missing (run as root, or: sudo apt-get install -y --no-install-recommends pre-commit)" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "[pre-commit setup] pre-commit is missing and there is no apt-get here" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  out="$(mktemp)"
  trap 'rm -f "$out"' EXIT
  # Waits for another apt/dpkg (up to 5 minutes) instead of failing on its lock.
  apt_get() { apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 -qq "$@" </dev/null >>"$out" 2>&1; }
  install() { apt_get install -y --no-install-recommends pre-commit; }
  start=$(date +%s)
  log "apt-get install pre-commit"
  # apt-get update only when the package lists do not know pre-commit (a fresh image has none) or are stale.
  if ! { apt-cache show pre-commit >/dev/null 2>&1 && install; }; then
    log "apt-get update"
    if ! { apt_get update && install; }; then
      echo "[pre-commit setup] apt-get failed:" >&2
      tail -n 20 "$out" >&2
      exit 1
    fi
  fi
  command -v pre-commit >/dev/null 2>&1 || { echo "[pre-commit setup] apt-get install pre-commit did not put pre-commit on PATH" >&2; exit 1; }
  log "pre-commit $(pre-commit --version | awk '{print $2}') installed in $(( $(date +%s) - start )) s"
fi
command -v pre-commit
