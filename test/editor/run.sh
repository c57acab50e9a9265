#!/usr/bin/env bash
# Editor tests: the packaged .vsix in real VS Code (code-server + Playwright + Chromium).
#   bash test/editor/run.sh [extra node --test args, e.g. --test-name-pattern=quick]
# Screenshots and logs: .test-tmp/editor/
# FTW_VSIX=/path/to/x.vsix tests that package instead of running `npm run package`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

start=$(date +%s)
code_server="$(bash test/editor/setup.sh | tail -n 1)"
echo "[editor] code-server: $code_server"

if [ -n "${FTW_VSIX:-}" ]; then
  echo "[editor] testing $FTW_VSIX (FTW_VSIX set: not packaging)"
  test -f "$FTW_VSIX" || { echo "[editor] $FTW_VSIX not found" >&2; exit 1; }
else
  npm run --silent package
  test -f dist/finetune-workbench.vsix || { echo "[editor] npm run package did not write dist/finetune-workbench.vsix" >&2; exit 1; }
fi

npx tsc -b
export FTW_CODE_SERVER="$code_server"
status=0
node --test "$@" out/test/editor/ || status=$?
echo "[editor] screenshots and logs: $ROOT/.test-tmp/editor/ ($(( $(date +%s) - start )) s)"
exit "$status"
