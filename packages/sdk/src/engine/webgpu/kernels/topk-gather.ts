// Kernel: the last step of the radix top-k — every item whose ranking key (topk-key.ts) is ≥ the k-th
// largest key (the prefix all passes built) is appended to the candidate list. Keys are distinct, so
// exactly k items qualify; their order is arbitrary (atomic slots) and topk-tile sorts them.
// Layout: state u32[8] (prefix = the k-th key, counter); scores f32[V]; out vec2u[k] (bitcast score, index).
// Dispatch: as topk-histogram (L items per lane), no barriers.
import { FLAT_WORKGROUP_ID } from '../gpu-util.ts';
import { TOPK_SCAN_WORKGROUP } from './topk-histogram.ts';
import { STATE, topkKeyWgsl } from './topk-key.ts';

const WG = TOPK_SCAN_WORKGROUP;

export function topkGatherWgsl(o: { numItems: number; itemsPerLane: number }): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> scores: array<f32>;
@group(0) @binding(1) var<storage, read_write> state: array<atomic<u32>, ${STATE.words}>;
@group(0) @binding(2) var<storage, read_write> out: array<vec2u>;
${topkKeyWgsl(o.numItems)}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let threshold = vec2u(atomicLoad(&state[${STATE.prefixHi}]), atomicLoad(&state[${STATE.prefixLo}]));
  let base = (${FLAT_WORKGROUP_ID}) * ${WG * o.itemsPerLane}u + lid.x;
  for (var r = 0u; r < ${o.itemsPerLane}u; r++) {
    let i = base + r * ${WG}u;
    if (i < ${o.numItems}u) {
      let s = scores[i];
      let hi = key_hi(s);
      if (hi > threshold.x || (hi == threshold.x && key_lo(i) >= threshold.y)) {
        let slot = atomicAdd(&state[${STATE.counter}], 1u);
        if (slot < arrayLength(&out)) { out[slot] = vec2u(bitcast<u32>(s), i); }
      }
    }
  }
}
`;
}
