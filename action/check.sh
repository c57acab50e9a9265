#!/usr/bin/env bash
# The `ftw check` step of action.yml, as a script so that test/unit/githubAction.test.ts runs exactly this.
# Environment: FTW_PATHS (space-separated, default .), FTW_SARIF ('true': SARIF into FTW_SARIF_FILE, else
# workflow commands on stdout), FTW_SARIF_FILE (default ftw.sarif), FTW_GPU (optional), GITHUB_OUTPUT (the runner's
# step-output file). Always exits 0 once ftw ran: action.yml's last step decides, after the SARIF upload.
set -uo pipefail
ftw="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bin/ftw"
out="${GITHUB_OUTPUT:-/dev/null}"
read -r -a paths <<<"${FTW_PATHS:-.}"
[ "${#paths[@]}" -gt 0 ] || paths=(.)
args=(check "${paths[@]}")
[ -z "${FTW_GPU:-}" ] || args+=(--gpu "$FTW_GPU")

if [ "${FTW_SARIF:-true}" = true ]; then
  sarif="${FTW_SARIF_FILE:-ftw.sarif}"
  node "$ftw" "${args[@]}" --format sarif >"$sarif"
  status=$?
  # The log still says what was found: the same problems as text (it reads the files again; seconds).
  node "$ftw" "${args[@]}" --format text
  echo "ftw: SARIF written to $sarif"
  echo "sarif-file=$sarif" >>"$out"
else
  node "$ftw" "${args[@]}" --format github
  status=$?
fi
echo "exit-code=$status" >>"$out"
exit 0
