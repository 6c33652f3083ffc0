// Kernel: one radix-select pass of the GPU top-k — a 256-bin histogram of one 8-bit digit of the ranking
// key (topk-key.ts), over the items whose key agrees with the prefix chosen by the earlier passes.
// Layout: pass {word (0 = hi, 1 = lo), shift}; scores f32[V]; state u32[8] (prefix, mask; read only here);
//   hist atomic u32[256] (zeroed by topk-select before the pass).
// Dispatch: grid(⌈V / (256 · L)⌉) workgroups of 256; each lane reads L items (itemsPerLane), strided so
// loads coalesce. L is 4 on GPUs (many workgroups in flight) and 64 on CPU adapters (SwiftShader), where
// each workgroup costs a fixed overhead: 16 → 64 took the 1M-item top-k from ~820 to ~550 ms there.
// Why: the whole pass costs 2 barriers per workgroup and one read of the scores, whatever k is — unlike
// a sort, whose barrier count grows with log² of the tile (under SwiftShader each barrier switches every
// invocation's fiber, which made a bitonic top-k 100× slower than the scoring it ranks). Counting goes
// to workgroup atomics first, so global memory sees ≤ 256 atomic adds per workgroup.
import { FLAT_WORKGROUP_ID } from '../gpu-util.ts';
import { STATE, topkKeyWgsl } from './topk-key.ts';
import { type KernelSpec, read, uniform } from '../kernel.ts';

export const TOPK_SCAN_WORKGROUP = 256;
const WG = TOPK_SCAN_WORKGROUP;

export function topkHistogramKernel(o: { numItems: number; itemsPerLane: number }): KernelSpec {
  return {
    name: 'topk-histogram',
    shape: o,
    bindings: [
      uniform('pass_', 'Pass'),
      read('scores', 'f32'),
      { name: 'state', type: `array<u32, ${STATE.words}>`, access: 'read' },
      { name: 'hist', type: 'array<atomic<u32>, 256>', access: 'read_write' },
    ],
    body: /* wgsl */ `
struct Pass { word: u32, shift: u32, k: u32, mode: u32 }
var<workgroup> local: array<atomic<u32>, 256>;
${topkKeyWgsl(o.numItems)}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  atomicStore(&local[lid.x], 0u);
  workgroupBarrier();
  let prefix = vec2u(state[${STATE.prefixHi}], state[${STATE.prefixLo}]);
  let mask = vec2u(state[${STATE.maskHi}], state[${STATE.maskLo}]);
  let base = (${FLAT_WORKGROUP_ID}) * ${WG * o.itemsPerLane}u + lid.x;
  for (var r = 0u; r < ${o.itemsPerLane}u; r++) {
    let i = base + r * ${WG}u;
    if (i < ${o.numItems}u) {
      let key = vec2u(key_hi(scores[i]), key_lo(i));
      if (all((key & mask) == prefix)) {
        let word = select(key.x, key.y, pass_.word == 1u);
        atomicAdd(&local[(word >> pass_.shift) & 0xffu], 1u);
      }
    }
  }
  workgroupBarrier();
  let c = atomicLoad(&local[lid.x]);
  if (c > 0u) { atomicAdd(&hist[lid.x], c); }
}
`,
  };
}
