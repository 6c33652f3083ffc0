// Kernel: the popularity prior (docs/model.md, engine/popularity-prior.ts) — scores[items[r]] += values[r]
// for the first `count` items of the popularity order, the float32 add the CPU engine does.
// Layout: items u32[count] (distinct internal indices); values f32[count]; scores f32[V].
// Dispatch: ⌈count/64⌉ workgroups of 64, before the repeat head (which reads the prior-added scores).
// Why a scatter of `count` adds and not a [V] prior in the scoring kernels: count is usually far below V,
// and one kernel serves every item-table kind.
import { type KernelSpec, read, readWrite } from '../kernel.ts';
const WG = 64;
export const ITEM_PRIOR_WORKGROUP = WG;

export function addItemPriorKernel(o: { numItems: number; count: number }): KernelSpec {
  return {
    name: 'add-item-prior',
    shape: o,
    bindings: [read('items', 'u32'), read('values', 'f32'), readWrite('scores', 'f32')],
    body: /* wgsl */ `

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= ${o.count}u) { return; }
  let i = items[gid.x];
  // The popularity order lists each item once, so no two invocations write the same score.
  if (i < ${o.numItems}u) {
    scores[i] = scores[i] + values[gid.x];
  }
}
`,
  };
}
