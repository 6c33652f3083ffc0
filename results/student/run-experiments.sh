#!/usr/bin/env bash
# Every compositional-student experiment of results/student/README.md, in priority order.
# Run from the repository root. Each training is resumable: re-run the SAME line with --resume
# (and, to train longer, a larger --epochs; --max-minutes counts from the resume).
# Logs go to runs/student/<run>.log (git-ignored); reports to results/student/<run>.json.
#
#   bash results/student/run-experiments.sh main        # shipped bundles (Tmall M4 K32, RetailRocket M3 K256) + eval
#   bash results/student/run-experiments.sh ablation    # Fig. 3 on Tmall M4 K32
#   bash results/student/run-experiments.sh ablation-short  # Fig. 3, every variant on one 16-minute schedule
#   bash results/student/run-experiments.sh grid        # Table 4 grid on Tmall (M 1..5 × K 32/128/256/512)
#   bash results/student/run-experiments.sh summary     # results/student/README.md + SVGs
#   bash results/student/run-experiments.sh evaluate tmall 4 32   # only the evaluations of one trained run
#
# The committed shipped bundles (this session: 2 cores, one run per core) used
#   tmall:        SCHEDULE="--pretrain-epochs 5 --epochs 1 --pretrain-minutes 45 --max-minutes 62 --eta-anneal 0.6 --valid-limit 2000"
#   retailrocket: SCHEDULE="--pretrain-epochs 5 --epochs 1 --pretrain-minutes 35 --max-minutes 45 --eta-anneal 0.6 --valid-limit 2000"
#                 (its KD stage aborted tfjs-wasm, out of memory) then, resumed from that checkpoint (stage 1 only):
#                 --resume --pretrain-epochs 10 --epochs 0 --max-minutes 95 --eta-anneal 0.6 --valid-limit 2000, then the same with --max-minutes 20
# The Tmall grid points (tmall-M{2,3,5}-K32, tmall-M4-K{128,256}) are short runs, one at a time beside a training:
#   SCHEDULE="--pretrain-epochs 1 --epochs 0 --max-minutes 9 --eta-anneal 0.6 --valid-limit 1000"
#
# SCHEDULE sets the training length of every run (default: the short schedule this session could afford;
# for paper-scale runs use e.g. SCHEDULE="--pretrain-epochs 2 --epochs 10 --max-minutes 600").
set -euo pipefail
DS=${DS:-../shared/datasets}
TRAIN="npx tsx packages/trainer/src/cli/train.ts"
EVAL="npx tsx packages/trainer/src/cli/eval.ts"
SCHEDULE=${SCHEDULE:---pretrain-epochs 3 --epochs 1 --pretrain-minutes 30 --max-minutes 45 --eta-anneal 0.6 --valid-limit 2000}
RESUME=${RESUME:-}   # RESUME=--resume to continue the checkpoints in runs/student/<run>/checkpoint
mkdir -p runs/student

bundle_dir() { # bundle_dir <dataset> <M> <K> <run name>: the shipped configurations go to the shop
  local ds=$1 m=$2 k=$3 name=$4
  if [ "$ds-M$m-K$k" = "$name" ] && { [ "$ds/$m/$k" = "tmall/4/32" ] || [ "$ds/$m/$k" = "retailrocket/3/256" ]; }; then
    echo "apps/demo-shop/public/models/$ds-compositional"
  else
    echo "runs/student/$name/bundle"
  fi
}

run() { # run <dataset> <M> <K> [flags…]
  local ds=$1 m=$2 k=$3; shift 3
  local name="$ds-M$m-K$k"
  for f in "$@"; do case $f in --no-*) name="$name-${f#--}";; esac; done
  echo "== $name" >&2
  # pnpm train's defaults write under runs/<run>/: these runs name the shop, results/ and runs/student/.
  $TRAIN student --dataset "$DS/$ds" --M "$m" --K "$k" --teacher "apps/demo-shop/public/models/$ds-teacher" \
    --out "$(bundle_dir "$ds" "$m" "$k" "$name")" --report "results/student/$name.json" \
    --checkpoint "runs/student/$name/checkpoint" --teacher-out "runs/student/$name/teacher-after-kd" \
    $SCHEDULE $RESUME "$@" > "runs/student/$name.log" 2>&1
  evaluate "$ds" "$m" "$k" "$@"
}

evaluate() { # evaluate <dataset> <M> <K> [flags…]: pnpm eval of a trained run's bundles, saved beside its report
  local ds=$1 m=$2 k=$3; shift 3
  local name="$ds-M$m-K$k"
  for f in "$@"; do case $f in --no-*) name="$name-${f#--}";; esac; done
  local bundle
  bundle="$(bundle_dir "$ds" "$m" "$k" "$name")"
  $EVAL --bundle "$bundle" --dataset "$DS/$ds" > "results/student/$name.eval.json"
  if [ "${VARIANTS:-1}" = 1 ]; then # beyond the paper: float16 codebooks / all float tensors, bit-packed codes; same model
    for v in float16 float16-all packed float16-all-packed; do
      case $v in *packed) [ "$k" = 256 ] && continue;; esac # 8-bit codes: packing saves nothing
      local flags=""
      case $v in float16) flags="--float16 codebooks --no-pack-codes";; float16-all) flags="--float16 all --no-pack-codes";;
        packed) flags="--float16 none";; float16-all-packed) flags="--float16 all";; esac
      $TRAIN compact --bundle "$bundle" --out "runs/student/$name/bundle-$v" $flags > "results/student/$name.$v.bytes.json"
      $EVAL --bundle "runs/student/$name/bundle-$v" --dataset "$DS/$ds" > "results/student/$name.$v.eval.json"
    done
  fi
  if [ -d "runs/student/$name/teacher-after-kd" ]; then
    $EVAL --bundle "runs/student/$name/teacher-after-kd" --dataset "$DS/$ds" > "results/student/$name.teacher-after-kd.eval.json"
  fi
}

case "${1:-main}" in
  main)
    run tmall 4 32
    run retailrocket 3 256
    ;;
  ablation)
    for flag in --no-kd --no-contrastive --no-bidirectional --no-soft-targets --no-mixup; do run tmall 4 32 "$flag"; done
    ;;
  ablation-short)
    # Fig. 3 on Tmall M4 K32 with one short schedule for every variant, the full Student included (so the
    # shipped bundle is not touched): two runs at a time (one per core). Reports and README in
    # results/student/ablation-short/, bundles in runs/ablation/.
    short="--pretrain-epochs 1 --epochs 1 --max-minutes 16 --eta-anneal 0.6 --valid-limit 1000 --no-teacher-test --no-progress"
    mkdir -p results/student/ablation-short runs/ablation
    printf '%s\n' full --no-kd --no-contrastive --no-bidirectional --no-soft-targets --no-mixup |
      xargs -P 2 -I{} bash -c 'f="{}"; [ "$f" = full ] && f=""; name="tmall-M4-K32${f:+-${f#--}}";
        $0 student --dataset "$1/tmall" --M 4 --K 32 $2 $f --out "runs/ablation/$name/bundle" \
          --checkpoint "runs/ablation/$name/checkpoint" --teacher-out "runs/ablation/$name/teacher-after-kd" \
          --report "results/student/ablation-short/$name.json" > "runs/ablation/$name.log" 2>&1' "$TRAIN" "$DS" "$short"
    npx tsx experiments/summarize.ts results/student/ablation-short
    ;;
  grid)
    for m in 1 2 3 4 5; do for k in 32 128 256 512; do
      [ "$m/$k" = "4/32" ] && continue # the main run
      run tmall "$m" "$k"
    done; done
    ;;
  evaluate)
    shift
    evaluate "$@"
    ;;
  summary)
    npx tsx experiments/summarize.ts results/student
    ;;
  *) echo "usage: $0 main|ablation|ablation-short|grid|summary|evaluate <dataset> <M> <K>" >&2; exit 2 ;;
esac
