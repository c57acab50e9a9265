#!/usr/bin/env bash
# Neovim tests: Debian's Neovim 0.7 as a second real LSP client of `bin/ftw lsp --stdio` (DESIGN.md §8).
#   bash test/nvim/run.sh
# Installs Debian's neovim once (test/nvim/setup.sh), builds dist/ if it is missing (`npm run compile` rebuilds
# it; `npm run test:nvim` does both), then runs test/nvim/run.lua in headless Neovim with a hard timeout.
# Results: JSON in $FTW_NVIM_RESULTS (default .test-tmp/nvim/results.json); Neovim's LSP log (with the server's
# stderr) in .test-tmp/nvim/cache/nvim/lsp.log. FTW_SKIP_NVIM=1 skips.
# Exit status: 0 passed, 1 failed, 3 the hard timeout inside Neovim (FTW_NVIM_TIMEOUT ms, default 30000),
# 124 the outer timeout (60 s).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

if [ "${FTW_SKIP_NVIM:-}" = 1 ]; then
  echo "[nvim] FTW_SKIP_NVIM=1: skipping the Neovim suite"
  exit 0
fi

start=$(date +%s)
nvim_bin="$(bash test/nvim/setup.sh | tail -n 1)"
if [ ! -f dist/server.js ] || [ ! -f dist/cli.js ]; then
  echo "[nvim] dist/ is not built: npm run compile"
  npm run --silent compile
fi

TMP="$ROOT/.test-tmp/nvim"
mkdir -p "$TMP"
export FTW_REPO="$ROOT"
export FTW_NVIM_RESULTS="${FTW_NVIM_RESULTS:-$TMP/results.json}"
rm -f "$FTW_NVIM_RESULTS"
# Keep Neovim's files (lsp.log, shada, swap) out of the user's home.
export XDG_CACHE_HOME="$TMP/cache" XDG_STATE_HOME="$TMP/state" XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config"

echo "[nvim] $("$nvim_bin" --version | head -n 1) driving $ROOT/bin/ftw lsp --stdio"
status=0
timeout 60 "$nvim_bin" --headless --clean -n -c "luafile $ROOT/test/nvim/run.lua" </dev/null || status=$?

if [ ! -s "$FTW_NVIM_RESULTS" ]; then
  echo "[nvim] FAIL: no results were written (nvim exit status $status)" >&2
  [ "$status" -ne 0 ] || status=1
fi
summary="$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.passed ?? 0} passed, ${r.failed ?? 0} failed${r.error ? `; ${r.error}` : ""}`);
' "$FTW_NVIM_RESULTS" 2>/dev/null || echo "no summary")"
if [ "$status" -eq 0 ]; then
  echo "[nvim] PASS: $summary ($(( $(date +%s) - start )) s)"
else
  echo "[nvim] FAIL (exit status $status): $summary; results: $FTW_NVIM_RESULTS; Neovim's LSP log: $XDG_CACHE_HOME/nvim/lsp.log" >&2
fi
exit "$status"
