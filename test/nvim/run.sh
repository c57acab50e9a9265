#!/usr/bin/env bash
# Neovim tests: Debian's Neovim 0.7 as a second real LSP client of `bin/ftw lsp --stdio` (DESIGN.md §8).
#   bash test/nvim/run.sh
# Installs Debian's neovim once (test/nvim/setup.sh), builds dist/ if it is missing (`npm run compile` rebuilds
# it; `npm run test:nvim` does both), then runs in headless Neovim, each with a hard timeout:
#   run.lua   the protocol checks (diagnostics, hover, code lens, custom request, quick fix, Python)
#   docs.lua  the Neovim 0.7 setup of docs/editors.md, extracted from the page and used as init.lua
# Results: JSON in $FTW_NVIM_RESULTS (default .test-tmp/nvim/results.json) and $FTW_NVIM_DOCS_RESULTS (default:
# the same name ending .docs.json); Neovim's LSP log (with the server's stderr) in
# .test-tmp/nvim/cache/nvim/lsp.log. FTW_SKIP_NVIM=1 skips.
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
export FTW_NVIM_DOCS_RESULTS="${FTW_NVIM_DOCS_RESULTS:-${FTW_NVIM_RESULTS%.json}.docs.json}"
rm -f "$FTW_NVIM_RESULTS" "$FTW_NVIM_DOCS_RESULTS"
# No GPU probing in the server: nvidia-smi is replaced by a program that fails (as in test/lsp).
export FTW_NVIDIA_SMI=/bin/false
# Keep Neovim's files (lsp.log, shada, swap) out of the user's home.
export XDG_CACHE_HOME="$TMP/cache" XDG_STATE_HOME="$TMP/state" XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config"

echo "[nvim] $("$nvim_bin" --version | head -n 1) driving $ROOT/bin/ftw lsp --stdio"
status=0
timeout 60 "$nvim_bin" --headless --clean -n -c "luafile $ROOT/test/nvim/run.lua" </dev/null || status=$?

# docs/editors.md's Neovim 0.7 setup, as written (only the server path made absolute), in a scratch project.
proj="$(mktemp -d "${TMPDIR:-/tmp}/ftw-nvim-docs.XXXXXX")"
trap 'rm -rf "$proj"' EXIT
mkdir -p "$proj/sub"
touch "$proj/pyproject.toml"
printf '%s\n' 'base_model: NousResearch/Llama-3.2-1B' 'adapter: lora' 'lora_r: 8' 'lora_alpha: 16' 'lora_dropuot: 0.05' \
  'micro_batch_size: 2' 'learning_rate: 0.0002' 'warmup_ratio: 1.5' 'datasets:' '  - path: mhenrichsen/alpaca_2k_test' \
  '    type: alpaca' >"$proj/sub/lora.yml"
printf '%s\n' 'import pytorch_lightning as pl' '' 'trainer = pl.Trainer(gpus=1)' >"$proj/sub/train.py"
awk '/^## Neovim 0\.7/ { f = 1 } f && /^```lua/ { g = 1; next } g && /^```/ { exit } g { print }' docs/editors.md \
  | sed "s|{ 'ftw', 'lsp', '--stdio' }|{ '$ROOT/bin/ftw', 'lsp', '--stdio' }|" >"$proj/init.lua"
docs_status=0
if ! grep -q "'$ROOT/bin/ftw'" "$proj/init.lua"; then
  echo "[nvim] FAIL: no Neovim 0.7 Lua block with { 'ftw', 'lsp', '--stdio' } found in docs/editors.md" >&2
  docs_status=1
else
  (cd "$proj" && timeout 60 "$nvim_bin" --headless -n -i NONE -u "$proj/init.lua" sub/lora.yml \
    -c "luafile $ROOT/test/nvim/docs.lua" </dev/null) || docs_status=$?
fi
[ "$status" -ne 0 ] || status=$docs_status

for f in "$FTW_NVIM_RESULTS" "$FTW_NVIM_DOCS_RESULTS"; do
  if [ ! -s "$f" ]; then
    echo "[nvim] FAIL: no results were written to $f" >&2
    [ "$status" -ne 0 ] || status=1
  fi
done
summary="$(node -e '
  const fs = require("fs");
  let passed = 0, failed = 0; const errors = [];
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) continue;
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.passed ?? 0; failed += r.failed ?? 0;
    if (r.error) errors.push(r.error);
  }
  console.log(`${passed} passed, ${failed} failed${errors.length ? `; ${errors.join("; ")}` : ""}`);
' "$FTW_NVIM_RESULTS" "$FTW_NVIM_DOCS_RESULTS" 2>/dev/null || echo "no summary")"
if [ "$status" -eq 0 ]; then
  echo "[nvim] PASS: $summary ($(( $(date +%s) - start )) s)"
else
  echo "[nvim] FAIL (exit status $status): $summary; results: $FTW_NVIM_RESULTS, $FTW_NVIM_DOCS_RESULTS; Neovim's LSP log: $XDG_CACHE_HOME/nvim/lsp.log" >&2
fi
exit "$status"
