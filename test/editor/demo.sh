#!/usr/bin/env bash
# The README's demo (`npm install && npm run demo`): the extension in real VS Code (code-server) in your browser,
# on a scratch copy of examples/, made afresh on every run (with a fresh VS Code profile): quick fixes, migrations
# and configs the wizard writes land there, examples/ stays as it is, and the next run tells the same story.
# Ctrl+C stops it. PORT=9000 npm run demo to use another port.
# FTW_VSIX=/path/to/x.vsix uses that package instead of running `npm run package`.
# FTW_DEMO_DIR=/path puts the scratch copy there (default: test/editor/.cache/demo, git-ignored); it is deleted and
# recreated on every run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CACHE="$ROOT/test/editor/.cache"
PORT="${PORT:-8080}"

code_server="$(bash test/editor/setup.sh | tail -n 1)"
vsix="${FTW_VSIX:-}"
if [ -z "$vsix" ]; then
  npm run --silent package
  vsix=dist/finetune-workbench.vsix
fi

echo
echo "== node bin/ftw check examples/  (the same checks, on the command line) =="
if [ -e bin/ftw ]; then
  node bin/ftw check examples/ || true
else
  echo "(bin/ftw is not built yet)"
fi
echo

ext_dir="$CACHE/demo-extensions"
mkdir -p "$ext_dir" "$CACHE/demo-state"
"$code_server" --config "$CACHE/demo-state/config.yaml" --extensions-dir "$ext_dir" \
  --install-extension "$vsix" --force </dev/null

# The scratch copy and a fresh profile (no job history, no remembered launcher, the walkthrough unread).
demo="${FTW_DEMO_DIR:-$CACHE/demo}"
rm -rf "$demo"
mkdir -p "$demo/user/User"
cp -R examples "$demo/examples"
folder="$(cd "$demo/examples" && pwd)"
user_dir="$demo/user"
cat >"$user_dir/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "security.workspace.trust.enabled": false
}
JSON

# `ftw` in the demo's terminals; VSCODE_CLI=1 keeps this PATH (else the server takes a login shell's).
export PATH="$ROOT/bin:$PATH" VSCODE_CLI=1

echo
echo "A scratch copy of examples/ (examples/ itself is never written): $folder"
echo "Open http://127.0.0.1:$PORT/?folder=$folder"
echo "(Ctrl+C to stop)"
echo
exec "$code_server" \
  --config "$CACHE/demo-state/config.yaml" \
  --auth none --bind-addr "127.0.0.1:$PORT" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --user-data-dir "$user_dir" --extensions-dir "$ext_dir" \
  "$folder"
