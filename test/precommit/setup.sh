#!/usr/bin/env bash
# Installs what the pre-commit tests need, once: Debian's `pre-commit` package (3.0.4 on bookworm, which brings
# nodeenv, the tool its `language: node` uses). Idempotent: when `pre-commit` is on PATH it only prints its path.
# Needs root to install (CI runs as root); without root it says what to install and exits 1.
# The pre-commit path is the last line of stdout. FTW_SETUP_QUIET=1 keeps progress messages off stderr.
set -euo pipefail

log() { [ "${FTW_SETUP_QUIET:-}" = 1 ] || echo "[pre-commit setup] $*" >&2; }

# shellcheck source=../lib/debian-install.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/debian-install.sh"

if ! command -v pre-commit >/dev/null 2>&1; then
  start=$(date +%s)
  debian_install pre-commit pre-commit || exit 1
  command -v pre-commit >/dev/null 2>&1 || { echo "[pre-commit setup] apt-get install pre-commit did not put pre-commit on PATH" >&2; exit 1; }
  log "pre-commit $(pre-commit --version | awk '{print $2}') installed in $(( $(date +%s) - start )) s"
fi
command -v pre-commit
