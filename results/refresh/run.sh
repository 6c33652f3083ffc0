#!/usr/bin/env bash
# Issue 20's experiment: how much of a full retrain does `pnpm train refresh` recover, in how many minutes?
#   1. split: train.txt (time order) → the first 90% of sessions (stale/), the last 10% (new-period/), all
#      (all/), each with vocab.txt = the original ids (experiments/refresh-split.ts; prints the new-item counts);
#   2. stale: the shipped pipeline (teacher → student → head, the shipped manifests' info.command) on stale/;
#   3. refresh: the stale bundle refreshed with the new period only, and with all data (previous + new);
#   4. eval: every bundle on all/'s test set (the stale one on stale/'s, see README), plain and
#      --by-repeat --exclude-seen; the shipped bundle (a full retrain on 100%) as the reference.
# Every stage's wall time goes to $run/timings.tsv. Takes hours (the stale training); nothing here is cached
# except what a stage already wrote (delete $run to start over).
# Usage: bash results/refresh/run.sh tmall|retailrocket
#   env: REFRESH_MINUTES (refresh budget, default 10), RUNS (default runs/refresh), DS (datasets, default
#   ../shared/datasets), SKIP_SHIPPED=1 (no reference eval of the shipped bundle: a smoke run on a fixture), RESULTS (where the
#   JSON and timings are copied, default results/refresh)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/pnpm.sh
dataset=$1
run=${RUNS:-runs/refresh}/$dataset
data=$run/data
minutes=${REFRESH_MINUTES:-10}
mkdir -p "$run" "${RESULTS:-results/refresh}"
timings=$run/timings.tsv
[ -f "$timings" ] || printf 'stage\tseconds\n' >"$timings"
stage() { # stage <name> <command…>: runs it unless its output exists, records the wall time
  local name=$1 out=$2
  shift 2
  if [ -e "$out" ]; then echo "skip $name ($out exists)"; return; fi
  local t0=$SECONDS
  "$@"
  printf '%s\t%s\n' "$name" $((SECONDS - t0)) >>"$timings"
}

# The shipped schedules (apps/demo-shop/public/models/$dataset-*/manifest.json, info.command; the head's
# prior depths from results/repeat-head/run.sh).
case $dataset in
  tmall)
    teacher_flags=(--loss sampled --negatives 4096 --epochs 30 --seed 42)
    student_flags=(--M 4 --K 32 --pretrain-epochs 5 --epochs 1 --pretrain-minutes 45 --max-minutes 62 --eta-anneal 0.6 --valid-limit 2000)
    head_flags=(--prior-depths 250,450)
    ;;
  retailrocket)
    teacher_flags=(--loss sampled --negatives 2048 --batch-positions 2048 --lr 2e-3 --max-minutes 60 --epochs 30 --seed 42)
    student_flags=(--M 3 --K 256 --pretrain-epochs 10 --epochs 0 --max-minutes 20 --eta-anneal 0.6 --valid-limit 2000)
    head_flags=(--prior-depths 1000,2500,5000,7500)
    ;;
  *) echo "usage: $0 tmall|retailrocket" >&2; exit 2 ;;
esac

to_file() { # to_file <file> <command…>: its stdout, written only when it succeeds
  local out=$1
  shift
  "$@" >"$out.tmp" && mv "$out.tmp" "$out"
}

stage split "$run/split.json" \
  to_file "$run/split.json" npx tsx experiments/refresh-split.ts --dataset "${DS:-../shared/datasets}/$dataset" --out "$data"
cat "$run/split.json"

stage stale-teacher "$run/stale-teacher" \
  pnpm train teacher --dataset "$data/stale" "${teacher_flags[@]}" --out "$run/stale-teacher" \
    --report "$run/stale-teacher.json" --checkpoint "$run/stale-teacher-ckpt" --no-progress
stage stale-student "$run/stale-student" \
  pnpm train student --dataset "$data/stale" --teacher "$run/stale-teacher" "${student_flags[@]}" \
    --out "$run/stale-student" --teacher-out "$run/stale-teacher-after-kd" --report "$run/stale-student.json" \
    --checkpoint "$run/stale-student-ckpt" --no-progress --no-teacher-test
stage stale-head "$run/stale" \
  pnpm train repeat-head --bundle "$run/stale-student" --dataset "$data/stale" --out "$run/stale" \
    --report "$run/stale-head.json" "${head_flags[@]}"
# The teacher the student ended with (the KD-updated one when its best epoch was a KD epoch).
teacher=$run/stale-teacher
[ -d "$run/stale-teacher-after-kd" ] && teacher=$run/stale-teacher-after-kd

for variant in new-period all; do
  stage "refresh-$variant" "$run/refresh-$variant" \
    pnpm train refresh --bundle "$run/stale" --teacher "$teacher" --dataset "$data/$variant" \
      --out "$run/refresh-$variant" --report "$run/refresh-$variant.json" --max-minutes "$minutes" --no-progress
done

evaluate() { # evaluate <name> <bundle> <dataset>: pnpm eval, plain and as the shop's strip shows it
  local cli=packages/trainer/src/cli/eval.ts
  stage "eval-$1" "$run/eval-$1.json" to_file "$run/eval-$1.json" npx tsx $cli --bundle "$2" --dataset "$3"
  stage "eval-$1-strip" "$run/eval-$1-strip.json" \
    to_file "$run/eval-$1-strip.json" npx tsx $cli --bundle "$2" --dataset "$3" --by-repeat --exclude-seen
}
evaluate stale "$run/stale" "$data/stale"
evaluate refresh-new-period "$run/refresh-new-period" "$data/all"
evaluate refresh-all "$run/refresh-all" "$data/all"
[ -n "${SKIP_SHIPPED:-}" ] || evaluate shipped "apps/demo-shop/public/models/$dataset-compositional" "$data/all"

results=${RESULTS:-results/refresh}
cp "$timings" "$results/$dataset-timings.tsv"
for f in "$run"/split.json "$run"/eval-*.json "$run"/refresh-*.json; do cp "$f" "$results/$dataset-$(basename "$f")"; done
echo "results in $results/$dataset-*"
