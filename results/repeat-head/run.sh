#!/usr/bin/env bash
# Fits the session-repeat head of every shipped bundle of one dataset (in place) and writes its report
# under results/repeat-head/. Compositional bundles are fitted on all validation sessions; the others on
# the first 3,000 (their full-table scoring is 3–5× slower; the Tmall compositional fit on 300 sessions
# already scored within 0.5 P@10 of the full fit on test).
# Usage: bash results/repeat-head/run.sh tmall|retailrocket
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/pnpm.sh
dataset=$1
for kind in compositional teacher tt sttd; do
  bundle=apps/demo-shop/public/models/$dataset-$kind
  limit=()
  [ "$kind" = compositional ] || limit=(--valid-limit 3000)
  pnpm train repeat-head --bundle "$bundle" --dataset "../shared/datasets/$dataset" --out "$bundle" "${limit[@]}"
done
