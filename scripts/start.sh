#!/usr/bin/env bash
# The main job: install, then serve the demo shop (with the shipped pre-trained models) and print its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
pnpm install --frozen-lockfile
PORT="${PORT:-5173}"
echo "Demo shop: http://127.0.0.1:${PORT}/"
exec pnpm --filter @session-rec/demo-shop exec vite --host 127.0.0.1 --port "$PORT" --strictPort
