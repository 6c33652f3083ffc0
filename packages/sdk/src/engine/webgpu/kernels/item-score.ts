// Kernel: score of every item by reconstruction, score_i = θ · e(i), for the kinds that have no lookup
// table (`full`: row read; `tt`, `sttd`: the row rebuilt from the cores, the cost the paper measures).
// Layout: theta f32[N]; scores f32[V]; then the item table's own buffers (see item-tables/).
// Dispatch: grid(⌈V/128⌉) workgroups of 128 (2-D past 65,535), one invocation per item.
// Why: the item table's `item_score` consumes each reconstructed value as it is produced, so no row is
// ever written out; θ (N floats) is read from storage, where every invocation hits the same cached lines
// (staging it in workgroup memory costs a barrier per workgroup, measured slower under SwiftShader).
import { FLAT_WORKGROUP_ID } from '../gpu-util.ts';
import { type BindingDecl, type KernelSpec, read, readWrite } from '../kernel.ts';

const WG = 128;
export const ITEM_SCORE_WORKGROUP = WG;

export function itemScoreKernel(o: {
  numItems: number;
  dim: number;
  itemScore: string;
  /** The item table's buffers, which `itemScore` reads. */
  table: readonly BindingDecl[];
}): KernelSpec {
  return {
    name: 'item-score',
    shape: { numItems: o.numItems, dim: o.dim, itemScore: o.itemScore },
    bindings: [read('theta', 'f32'), readWrite('scores', 'f32'), ...o.table],
    body: /* wgsl */ `

${o.itemScore}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (${FLAT_WORKGROUP_ID}) * ${WG}u + lid.x;
  if (i >= ${o.numItems}u) { return; }
  scores[i] = item_score(i);
}
`,
  };
}
