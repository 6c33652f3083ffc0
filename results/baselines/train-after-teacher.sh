#!/usr/bin/env bash
# Trains the tensor-train baselines of one dataset as soon as its teacher bundle exists (the KD source),
# one after the other (the machine has 2 shared cores): OD-Rec (STTD) then TT-Rec, ~30× configurations.
# Each run exports its bundle + report when its time budget ends; continue any of them later with the
# same command plus --resume --max-minutes <more> (the checkpoint is runs/<kind>-<dataset>).
# Usage: bash results/baselines/train-after-teacher.sh <dataset> [minutes per run] [warm-up steps] [datasets dir]
#   e.g. nohup bash results/baselines/train-after-teacher.sh tmall 15 300 > runs/baselines-tmall.log 2>&1 &
set -u
dataset=$1
minutes=${2:-15}
warmup=${3:-300}
datasets=${4:-../shared/datasets}
cd "$(dirname "$0")/../.."
teacher=apps/demo-shop/public/models/$dataset-teacher
until [ -f "$teacher/manifest.json" ]; do sleep 30; done
echo "$(date -u +%FT%TZ) teacher $teacher found"
for kind in sttd tt; do
  echo "$(date -u +%FT%TZ) training $kind on $dataset (budget $minutes min)"
  npx tsx packages/trainer/src/cli/train.ts "$kind" --dataset "$datasets/$dataset" --max-minutes "$minutes" --mse-warmup-steps "$warmup" --no-cpu-eval --no-progress \
    > "runs/$kind-$dataset.log" 2>&1
  echo "$(date -u +%FT%TZ) $kind on $dataset exited with $?"
done
