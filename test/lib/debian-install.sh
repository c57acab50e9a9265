# Sourced by the suites' setup scripts: installs Debian packages once, as CI does (root, apt-get, no prompts).
#   debian_install TAG PACKAGE...
# Without root or apt-get it says what to install and returns 1. It waits for another apt/dpkg (up to 5 minutes)
# instead of failing on its lock, and runs `apt-get update` only when the package lists do not know the packages
# (a fresh image has none) or are stale. On failure it prints the tail of apt-get's output.
# FTW_SETUP_QUIET=1 keeps progress messages off stderr.
debian_install() {
  local tag="$1"
  shift
  if [ "$(id -u)" -ne 0 ]; then
    echo "[$tag setup] missing Debian packages: $* (run as root, or: sudo apt-get install -y --no-install-recommends $*)" >&2
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "[$tag setup] missing $* and no apt-get here" >&2
    return 1
  fi
  local out
  out="$(mktemp)"
  _apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 -qq "$@" </dev/null >>"$out" 2>&1; }
  [ "${FTW_SETUP_QUIET:-}" = 1 ] || echo "[$tag setup] apt-get install $*" >&2
  if ! { apt-cache show "$@" >/dev/null 2>&1 && _apt_get install -y --no-install-recommends "$@"; }; then
    [ "${FTW_SETUP_QUIET:-}" = 1 ] || echo "[$tag setup] apt-get update" >&2
    if ! { _apt_get update && _apt_get install -y --no-install-recommends "$@"; }; then
      echo "[$tag setup] apt-get failed:" >&2
      tail -n 20 "$out" >&2
      rm -f "$out"
      return 1
    fi
  fi
  rm -f "$out"
}
