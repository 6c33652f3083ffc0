#!/usr/bin/env bash
# The main job: install, then serve the demo shop (with the shipped pre-trained models) and print its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
pnpm install --frozen-lockfile
PORT="${PORT:-5173}"
echo "Demo shop: http://127.0.0.1:${PORT}/"
exec node_modules/.bin/vite --config apps/demo-shop/vite.config.ts --host 127.0.0.1 --port "$PORT" --strictPort
