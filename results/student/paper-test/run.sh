#!/usr/bin/env bash
# The paper's released code keeps embedding mixup (Eq. 16) at test time; this measures what that is worth.
# For each η: a `full` bundle with the student's encoder and the item table η·X_teacher + (1−η)·(composed),
# evaluated with `pnpm eval --by-repeat`. η = 0 is the compressed student itself (a check: it must equal
# the compositional bundle's own numbers).
#   bash results/student/paper-test/run.sh <name> <dataset dir> <student bundle> <teacher bundle> <η>…
# Run from the repository root. Bundles go to runs/paper-test/ (git-ignored, ~20-40 MB each).
set -euo pipefail
name=$1 dataset=$2 student=$3 teacher=$4; shift 4
here=results/student/paper-test
for eta in "$@"; do
  out=runs/paper-test/$name-eta$eta
  npx tsx experiments/paper-test-table.ts "$student" "$teacher" "$eta" "$out" >&2
  npx tsx packages/trainer/src/cli/eval.ts --bundle "$out" --dataset "$dataset" --by-repeat --workers "${WORKERS:-1}" \
    > "$here/$name-eta$eta.eval.json" 2> "$out.log"
  echo "$name η=$eta: $(head -c 120 "$here/$name-eta$eta.eval.json")" >&2
done
