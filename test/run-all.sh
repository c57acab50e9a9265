#!/usr/bin/env bash
# `npm test`: every suite, as CI runs it, closing with one node:test summary.
#   unit   node:test on the core and the CLI (seconds)
#   lsp    the built server over stdio, driven by a real LSP client (seconds)
#   editor the packaged .vsix in real VS Code: code-server + Playwright + Debian's Chromium (slow: about a
#          minute, plus a one-time install of about two). FTW_SKIP_EDITOR=1 skips it; `npm run test:editor`
#          runs it alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[ -d node_modules ] || npm ci
npm run --silent compile

suites=(out/test/unit/ out/test/lsp/)
if [ "${FTW_SKIP_EDITOR:-}" = 1 ]; then
  echo "[test] FTW_SKIP_EDITOR=1: skipping the editor suite"
else
  FTW_CODE_SERVER="$(bash test/editor/setup.sh | tail -n 1)"
  export FTW_CODE_SERVER
  npm run --silent package >/dev/null
  suites+=(out/test/editor/)
fi
exec node --test "${suites[@]}"
