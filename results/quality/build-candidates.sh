#!/usr/bin/env bash
# The candidate bundles of results/quality/candidates.json that `pnpm train compact` makes from the shipped
# ones (the shipped compositional bundles are themselves int8 now: their manifests' info.compact says how;
# the teacher-d32 rows need a trained small teacher and are not built here). A minute or two.
set -euo pipefail
cd "$(dirname "$0")/../.."
M=apps/demo-shop/public/models
B=results/quality/bundles
for ds in tmall retailrocket; do
  npx tsx packages/trainer/src/cli/train.ts compact --bundle "$M/$ds-teacher" --out "$B/$ds-teacher-float16" --float16 all
  npx tsx packages/trainer/src/cli/train.ts compact --bundle "$M/$ds-teacher" --out "$B/$ds-teacher-int8" --int8 all --float16 none
done
# The compositional students as trained (float32), before they shipped as int8: from the commit that shipped them.
for ds in tmall retailrocket; do
  rm -rf "$B/$ds-compositional-float32" && mkdir -p "$B/$ds-compositional-float32"
  for f in manifest.json tensors.bin; do git show "40be671:$M/$ds-compositional/$f" >"$B/$ds-compositional-float32/$f"; done
done
# <ds>-compositional-new-items: pnpm train new-items, then pnpm train repeat-head (results/new-items/README.md; 45 minutes), not built here.
# tmall-compositional-float32-prior: the float32 student with its head refitted with a popularity prior (about 2 minutes).
npx tsx packages/trainer/src/cli/train.ts repeat-head --bundle "$B/tmall-compositional-float32" --dataset ../shared/datasets/tmall \
  --out "$B/tmall-compositional-float32-prior" --prior-depths 250,450 --report runs/quality/tmall-compositional-float32-prior.json
