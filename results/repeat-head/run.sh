#!/usr/bin/env bash
# Fits the head — popularity prior and session-repeat head — of every shipped bundle of one dataset (in
# place) and writes its report under results/repeat-head/. Compositional bundles' repeat heads are fitted
# on all validation sessions; the others on the first 3,000 (their full-table scoring is 3–5× slower; the
# Tmall compositional fit on 300 sessions already scored within 0.5 P@10 of the full fit on test). The
# prior is judged on the most recent quarter of the validation sessions in every case.
# The compositional students' prior depths keep the Eq.-11 ratio, counting the prior's popularity entries
# and the head's floats as parameters too, at the issue's floor: Tmall (V·N = 5,213,184; table 179,296
# parameters) ≥ 29 leaves 469, RetailRocket (9,463,808; 307,512) ≥ 30 leaves 7,948.
# Usage: bash results/repeat-head/run.sh tmall|retailrocket
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/pnpm.sh
dataset=$1
for kind in ${KINDS:-compositional teacher tt sttd}; do
  bundle=apps/demo-shop/public/models/$dataset-$kind
  flags=()
  [ "$kind" = compositional ] || flags=(--valid-limit 3000)
  if [ "$kind" = compositional ]; then
    case $dataset in
      tmall) flags+=(--prior-depths 250,450) ;;
      retailrocket) flags+=(--prior-depths 1000,2500,5000,7500) ;;
    esac
  fi
  pnpm train repeat-head --bundle "$bundle" --dataset "../shared/datasets/$dataset" --out "$bundle" \
    --report "results/repeat-head/$dataset-$kind.json" "${flags[@]}"
done
