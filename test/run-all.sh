#!/usr/bin/env bash
# `npm test`: every suite, as CI runs it, closing with one node:test summary.
#   unit   node:test on the core and the CLI (seconds)
#   lsp    the built server over stdio, driven by a real LSP client (seconds)
#   editor the packaged .vsix in real VS Code: code-server + Playwright + Debian's Chromium (slow: about a
#          minute, plus a one-time install of about two). FTW_SKIP_EDITOR=1 skips it; `npm run test:editor`
#          runs it alone.
#   runtime the migrated Lightning corpus modules under a real Lightning 2.x (CPU torch from the machine's local
#          package index, in test/.cache/venv-lightning; about a minute the first time). FTW_SKIP_RUNTIME=1
#          skips it; where no local index exists it says so loudly and skips.
#   slurm  a real one-node Slurm 22.05 cluster (test/slurm/: Debian slurm-wlm + munge installed once, about 15 s;
#          the suite seconds). FTW_SKIP_SLURM=1 skips it; where Slurm cannot run it says so loudly and skips.
#   precommit the real pre-commit (Debian's 3.0.4, apt-get installed once by test/precommit/setup.sh) installing our
#          .pre-commit-hooks.yaml with language: node into a temp project and running it on a bad and a good config
#          (about 40 s: npm install + build of the hook repository). FTW_SKIP_PRECOMMIT=1 skips it; where
#          pre-commit cannot be installed it says so loudly and skips.
#   lint   npm run lint (ESLint) and npm run format:check (Prettier) before the suites. FTW_SKIP_LINT=1 skips them.
#   web    the web extension's language server (dist/web/server.js) in a web worker of Debian's Chromium, against
#          the desktop server on examples/ (seconds; test/web/setup.sh installs Chromium once). FTW_SKIP_WEB=1 skips
#          it; without Chromium it says so loudly and skips.
#   nvim   Debian's Neovim 0.7 as a second LSP client (seconds, plus a one-time apt-get install neovim).
#          FTW_SKIP_NVIM=1 skips it; `npm run test:nvim` runs it alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# python3 compiles the migrated Lightning code (py_compile) and runs it; Debian's python3 when it is missing.
if ! command -v python3 >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv </dev/null
fi

[ -d node_modules ] || npm ci
npm run --silent compile
# The linter (type-aware, about a minute on two cores) and the formatter's check; FTW_SKIP_LINT=1 skips both.
if [ "${FTW_SKIP_LINT:-}" = 1 ]; then
  echo "[test] FTW_SKIP_LINT=1: skipping npm run lint and format:check"
else
  npm run --silent lint
  npm run --silent format:check
fi

suites=(out/test/unit/ out/test/lsp/)
[ "${FTW_SKIP_RUNTIME:-}" = 1 ] || suites+=(out/test/runtime/)
suites+=(out/test/slurm/)
if [ "${FTW_SKIP_PRECOMMIT:-}" = 1 ]; then
  echo "[test] FTW_SKIP_PRECOMMIT=1: skipping the pre-commit suite"
else
  suites+=(out/test/precommit/)
fi
if [ "${FTW_SKIP_WEB:-}" = 1 ]; then
  echo "[test] FTW_SKIP_WEB=1: skipping the web build suite"
else
  bash test/web/setup.sh
  suites+=(out/test/web/)
fi
if [ "${FTW_SKIP_NVIM:-}" = 1 ]; then
  echo "[test] FTW_SKIP_NVIM=1: skipping the Neovim suite"
else
  suites+=(out/test/nvim/)
fi
if [ "${FTW_SKIP_EDITOR:-}" = 1 ]; then
  echo "[test] FTW_SKIP_EDITOR=1: skipping the editor suite"
else
  FTW_CODE_SERVER="$(bash test/editor/setup.sh | tail -n 1)"
  export FTW_CODE_SERVER
  npm run --silent package >/dev/null
  suites+=(out/test/editor/)
fi
exec node --test "${suites[@]}"
