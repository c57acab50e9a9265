#!/usr/bin/env bash
# Installs what the web build's suite needs, once: Debian's chromium (driven by playwright-core; the editor suite's
# test/editor/setup.sh installs it too). Idempotent; as root, non-interactively. Without root it says what to run.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x "${FTW_CHROMIUM:-/usr/bin/chromium}" ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[web setup] Chromium is missing (sudo apt-get install -y chromium); the web suite will say SKIPPED" >&2
  exit 0
fi
echo "[web setup] apt-get install chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null >&2
apt-get install -y -qq --no-install-recommends chromium </dev/null >&2
