#!/usr/bin/env bash
# The README's demo (`npm install && npm run demo`): the extension in real VS Code (code-server) in your browser,
# on examples/. Ctrl+C stops it. PORT=9000 npm run demo to use another port.
# FTW_VSIX=/path/to/x.vsix uses that package instead of running `npm run package`.
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
user_dir="$CACHE/demo-user"
mkdir -p "$ext_dir" "$user_dir/User" "$CACHE/demo-state"
"$code_server" --config "$CACHE/demo-state/config.yaml" --extensions-dir "$ext_dir" \
  --install-extension "$vsix" --force </dev/null
settings="$user_dir/User/settings.json"
if [ ! -f "$settings" ]; then
  cat >"$settings" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "security.workspace.trust.enabled": false
}
JSON
fi

folder="$(cd examples && pwd)"
echo
echo "Open http://127.0.0.1:$PORT/?folder=$folder"
echo "(Ctrl+C to stop)"
echo
exec "$code_server" \
  --config "$CACHE/demo-state/config.yaml" \
  --auth none --bind-addr "127.0.0.1:$PORT" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --user-data-dir "$user_dir" --extensions-dir "$ext_dir" \
  "$folder"
