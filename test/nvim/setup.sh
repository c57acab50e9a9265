#!/usr/bin/env bash
# Installs what the Neovim tests need, once: Debian's `neovim` package (0.7.2 on bookworm).
# Idempotent and quiet: when `nvim` is already on PATH it only prints its path (well under a second).
# Works as root, non-interactively (no stdin); `apt-get update` runs only when the package lists lack neovim.
# The nvim binary path is the last line of stdout. FTW_SETUP_QUIET=1 keeps progress messages off stderr.
set -euo pipefail

log() { [ "${FTW_SETUP_QUIET:-}" = 1 ] || echo "[nvim-setup] $*" >&2; }

if ! command -v nvim >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "[nvim-setup] nvim is missing (run as root, or: sudo apt-get install -y neovim)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Only refresh the package lists when they do not know neovim yet.
  if ! apt-cache show neovim >/dev/null 2>&1; then
    log "apt-get update"
    apt-get update -qq </dev/null >&2
  fi
  log "apt-get install neovim"
  start=$(date +%s)
  apt_log="$(mktemp)"
  if ! apt-get install -y -qq --no-install-recommends neovim </dev/null >"$apt_log" 2>&1; then
    cat "$apt_log" >&2
    rm -f "$apt_log"
    echo "[nvim-setup] apt-get install neovim failed" >&2
    exit 1
  fi
  rm -f "$apt_log"
  command -v nvim >/dev/null 2>&1 || { echo "[nvim-setup] apt-get install neovim did not put nvim on PATH" >&2; exit 1; }
  log "neovim installed in $(( $(date +%s) - start )) s"
fi
command -v nvim
