#!/usr/bin/env bash
# Every test: static checks, unit tests (Vitest), browser tests (Playwright in the system Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
source scripts/ensure-chromium.sh
pnpm install --frozen-lockfile
pnpm typecheck
pnpm lint
# The SDK as published: pnpm pack (builds dist/), then publint and arethetypeswrong on the tarball.
pnpm --filter @session-rec/sdk check:package
pnpm test:unit
pnpm test:e2e
