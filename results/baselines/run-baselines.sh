#!/usr/bin/env bash
# The baseline runs behind results/baselines/README.md, one after another (a 2-core machine: one run per
# core). Each run writes its bundle (apps/demo-shop/public/models/<dataset>-<kind>) and its report
# (results/baselines/<dataset>-<kind>.json); then `pnpm eval` on the bundle is saved beside the report
# and the table is regenerated. Continue a run with the same line plus --resume --max-minutes <more>.
#
#   bash results/baselines/run-baselines.sh [tt|sttd] [tmall|retailrocket] …   (default: both kinds, both datasets)
set -euo pipefail
cd "$(dirname "$0")/../.."
DS=${DS:-../shared/datasets}
# This session's schedule: tt as below (22 minutes per run); sttd the same with --pretrain-minutes 14
# --max-minutes 18 (it ran after the Tmall student, with less time left). Paper-scale: SCHEDULE="--pretrain-epochs 2 --kd-epochs 10 --max-minutes 600 --eta-anneal 0.6"
SCHEDULE=${SCHEDULE:---pretrain-epochs 3 --kd-epochs 1 --pretrain-minutes 17 --max-minutes 22 --eta-anneal 0.6 --valid-limit 1000}
kinds=${1:-"tt sttd"}
datasets=${2:-"tmall retailrocket"}
mkdir -p runs/baselines
for kind in $kinds; do
  for ds in $datasets; do
    echo "== $kind on $ds" >&2
    # pnpm train's defaults write under runs/<run>/: these runs name the shop's folder and results/.
    npx tsx packages/trainer/src/cli/train.ts "$kind" --dataset "$DS/$ds" --teacher "apps/demo-shop/public/models/$ds-teacher" \
      --out "apps/demo-shop/public/models/$ds-$kind" --report "results/baselines/$ds-$kind.json" --checkpoint "runs/$kind-$ds" \
      $SCHEDULE --no-cpu-eval --no-progress > "runs/baselines/$ds-$kind.log" 2>&1
    npx tsx packages/trainer/src/cli/eval.ts --bundle "apps/demo-shop/public/models/$ds-$kind" --dataset "$DS/$ds" > "results/baselines/$ds-$kind.eval.json"
  done
done
npx tsx results/baselines/make-table.ts
