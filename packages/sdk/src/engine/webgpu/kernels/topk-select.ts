// Kernel: the bookkeeping step of the radix top-k, run by a single invocation between histogram passes.
// mode 0 (init): state = {prefix 0, mask 0, remaining k, counter 0}; histogram zeroed.
// mode 1 (select): walks the histogram from bin 255 down to the bin where the count of items above it
//   reaches `remaining`; that bin is this digit of the k-th largest key: it joins the prefix, `remaining`
//   drops by the items above it, and the histogram is zeroed for the next pass.
// Layout: pass {word, shift, k, mode}; state u32[8] (topk-key.ts STATE); hist u32[256].
// Dispatch: 1 workgroup of 1. Why: 256 sequential steps are cheaper than any parallel scan's barriers, and
// this keeps the whole top-k on the GPU inside the one submit (no read back between passes).
import { STATE } from './topk-key.ts';
import { type KernelSpec, uniform } from '../kernel.ts';

export function topkSelectKernel(): KernelSpec {
  return {
    name: 'topk-select',
    shape: {},
    bindings: [
      uniform('pass_', 'Pass'),
      { name: 'state', type: `array<u32, ${STATE.words}>`, access: 'read_write' },
      { name: 'hist', type: 'array<u32, 256>', access: 'read_write' },
    ],
    body: /* wgsl */ `
struct Pass { word: u32, shift: u32, k: u32, mode: u32 }

@compute @workgroup_size(1)
fn main() {
  if (pass_.mode == 0u) {
    for (var w = 0u; w < ${STATE.words}u; w++) { state[w] = 0u; }
    state[${STATE.remaining}] = pass_.k;
  } else {
    let remaining = state[${STATE.remaining}];
    var above = 0u;
    var d = 255u;
    loop {
      if (above + hist[d] >= remaining || d == 0u) { break; }
      above += hist[d];
      d -= 1u;
    }
    state[${STATE.remaining}] = remaining - above;
    let slot = select(${STATE.prefixHi}u, ${STATE.prefixLo}u, pass_.word == 1u);
    let mslot = select(${STATE.maskHi}u, ${STATE.maskLo}u, pass_.word == 1u);
    state[slot] = state[slot] | (d << pass_.shift);
    state[mslot] = state[mslot] | (0xffu << pass_.shift);
  }
  for (var b = 0u; b < 256u; b++) { hist[b] = 0u; }
}
`,
  };
}
