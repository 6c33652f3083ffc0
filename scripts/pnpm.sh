# Sourced by the other scripts: a `pnpm` that works on a fresh machine with only Node 20 and npm.
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" != "10" ]; then
  # corepack's signature check fails on some machines; npx fetches the pinned pnpm from the registry instead.
  pnpm() { npx -y pnpm@10.34.8 "$@"; }
fi
