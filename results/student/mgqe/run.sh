#!/usr/bin/env bash
# MGQE tail codes on the shipped compositional bundles (beyond the paper; kd/mgqe.ts): variants written to
# runs/mgqe/ by `pnpm train compact`, their reports and `pnpm eval --by-repeat` outputs to results/student/mgqe/. Then: npx tsx results/student/mgqe/make-table.ts
#   bash results/student/mgqe/run.sh        (about 10 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../../.."
DS=${DS:-../shared/datasets}
OUT=results/student/mgqe
COMPACT="npx tsx packages/trainer/src/cli/train.ts compact"
EVAL="npx tsx packages/trainer/src/cli/eval.ts"

variant() { # variant <dataset> <name> [pnpm train compact flags…]
  local ds=$1 name=$2; shift 2
  local bundle="apps/demo-shop/public/models/$ds-compositional"
  if [ "$name" != shipped ]; then
    $COMPACT --bundle "$bundle" --out "runs/mgqe/$ds-$name" --dataset "$DS/$ds" "$@" 2>/dev/null > "$OUT/$ds-$name.bytes.json"
    bundle="runs/mgqe/$ds-$name"
  fi
  echo "== $ds $name" >&2
  $EVAL --bundle "$bundle" --dataset "$DS/$ds" --by-repeat 2>/dev/null > "$OUT/$ds-$name.eval.json"
}

mkdir -p runs/mgqe
# The shipped bundles as they are (uint8 codes, float32), then losslessly packed (K = 256 is already 8 bits).
variant tmall shipped
variant tmall packed --float16 none
variant retailrocket shipped
# Every float tensor as float16 as well (the head's stay float32): the lossless-looking byte cut, for scale.
variant tmall packed-float16 --float16 all
variant retailrocket float16 --float16 all
# Tail items (all but the 10 % most clicked, MGQE's default split) restricted to K_tail codewords.
for k in 16 8 4; do variant tmall "mgqe-k$k" --float16 none --mgqe "$k"; done
for k in 128 64 32 16; do variant retailrocket "mgqe-k$k" --float16 none --mgqe "$k"; done
# A wider head (20 %) at one K_tail, and the smallest bundle: every float tensor as float16 too.
variant tmall mgqe-k8-head20 --float16 none --mgqe 8 --head-fraction 0.2
variant retailrocket mgqe-k32-head20 --float16 none --mgqe 32 --head-fraction 0.2
variant tmall mgqe-k8-float16 --mgqe 8 --float16 all
variant retailrocket mgqe-k64-float16 --mgqe 64 --float16 all
