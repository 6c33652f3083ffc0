#!/usr/bin/env bash
# The main job: install, build the demo shop as a shop would deploy it (the shipped pre-trained models, the
# model index, a service worker for offline use), serve that production build, and print its URL.
# The dev server (hot reload, the benchmark's random bundles) stays `pnpm dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
pnpm install --frozen-lockfile
PORT="${PORT:-5173}"
CONFIG=apps/demo-shop/vite.config.ts
node_modules/.bin/vite build --config "$CONFIG"
echo "Demo shop (production build, apps/demo-shop/dist): http://127.0.0.1:${PORT}/"
exec node_modules/.bin/vite preview --config "$CONFIG" --host 127.0.0.1 --port "$PORT" --strictPort
