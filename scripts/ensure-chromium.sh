# Sourced: makes sure a Chromium for Playwright exists (Playwright's own download does not work here),
# installing Debian's `chromium` package when it is missing. CHROMIUM_PATH overrides the path.
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" = "0" ]; then
    as_root=""
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root="sudo"
  else
    as_root="none"
  fi
  if [ "$as_root" != "none" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests..."
    $as_root apt-get update -qq && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -x "$CHROMIUM_PATH" ]; then
    echo "No Chromium at $CHROMIUM_PATH: install it (apt-get install chromium) or set CHROMIUM_PATH." >&2
    exit 1
  fi
fi
export CHROMIUM_PATH
