// Kernel: the last step of the radix top-k — every item whose ranking key (topk-key.ts) is ≥ the k-th
// largest key (the prefix all passes built) is appended to the candidate list. Keys are distinct, so
// exactly k items qualify; their order is arbitrary (atomic slots) and topk-tile sorts them.
// Layout: state u32[8] (prefix = the k-th key, counter); scores f32[V]; out vec2u[k] (bitcast score, index).
// Dispatch: as topk-histogram (L items per lane), no barriers.
import { FLAT_WORKGROUP_ID } from '../gpu-util.ts';
import { TOPK_SCAN_WORKGROUP } from './topk-histogram.ts';
import { STATE, topkKeyWgsl } from './topk-key.ts';
import { type KernelSpec, read, readWrite } from '../kernel.ts';

const WG = TOPK_SCAN_WORKGROUP;

export function topkGatherKernel(o: { numItems: number; itemsPerLane: number }): KernelSpec {
  return {
    name: 'topk-gather',
    shape: o,
    bindings: [
      read('scores', 'f32'),
      { name: 'state', type: `array<atomic<u32>, ${STATE.words}>`, access: 'read_write' },
      readWrite('out', 'vec2u'),
    ],
    body: /* wgsl */ `
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
`,
  };
}
