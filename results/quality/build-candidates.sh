#!/usr/bin/env bash
# The candidate bundles of results/quality/candidates.json that `pnpm train compact` makes from the shipped
# ones (the teacher-d32 rows need a trained small teacher and are not built here). A minute or two.
set -euo pipefail
cd "$(dirname "$0")/../.."
M=apps/demo-shop/public/models
B=results/quality/bundles
for ds in tmall retailrocket; do
  npx tsx packages/trainer/src/cli/train.ts compact --bundle "$M/$ds-teacher" --out "$B/$ds-teacher-float16" --float16 all
  npx tsx packages/trainer/src/cli/train.ts compact --bundle "$M/$ds-teacher" --out "$B/$ds-teacher-int8" --int8 all --float16 none
  npx tsx packages/trainer/src/cli/train.ts compact --bundle "$M/$ds-compositional" --out "$B/$ds-compositional-int8" --int8 all --float16 none
done
