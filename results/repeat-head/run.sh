#!/usr/bin/env bash
# Fits the session-repeat head of every shipped bundle of one dataset (in place) and writes its report
# under results/repeat-head/. Usage: bash results/repeat-head/run.sh tmall|retailrocket
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/pnpm.sh
dataset=$1
for kind in compositional teacher tt sttd; do
  bundle=apps/demo-shop/public/models/$dataset-$kind
  pnpm train repeat-head --bundle "$bundle" --dataset "../shared/datasets/$dataset" --out "$bundle"
done
