#!/usr/bin/env bash
# What the demo shop's "recommended next" strip shows: every shipped bundle scored with
# `pnpm eval --exclude-seen --by-repeat` (the label ranked among the items outside its prefix, as
# recommend({ excludeSeen: true }) does). Outputs <dataset>-<kind>.json here; then
#   npx tsx results/exclude-seen/make-table.ts      (the README's table and strip.svg)
# About 25 minutes on 2 cores (the full teachers' scoring is most of it).
set -euo pipefail
cd "$(dirname "$0")/../.."
DS=${DS:-../shared/datasets}
for dataset in tmall retailrocket; do
  for kind in ${KINDS:-compositional teacher tt sttd popularity}; do
    echo "== $dataset $kind" >&2
    npx tsx packages/trainer/src/cli/eval.ts --bundle "apps/demo-shop/public/models/$dataset-$kind" \
      --dataset "$DS/$dataset" --exclude-seen --by-repeat 2>/dev/null > "results/exclude-seen/$dataset-$kind.json"
  done
done
