// Kernel: removes excluded items from the ranking by setting their score to the lowest f32 (−∞ for ranking purposes).
// Layout: params.exclude_count (u32); exclude u32[count] (internal indices); scores f32[V].
// Dispatch: ⌈count/64⌉ workgroups of 64 (none when nothing is excluded).
// Why: a scatter of `count` writes is cheaper than testing every one of V items against the set; the top-k
// kernel then ranks −∞ below every real score and the host drops excluded indices that surface only when
// fewer than k items remain.
import { PARAMS_WGSL } from './params.ts';
import { type KernelSpec, read, readWrite, uniform } from '../kernel.ts';

const WG = 64;
export const MASK_WORKGROUP = WG;

export function maskExcludedKernel(o: { numItems: number }): KernelSpec {
  return {
    name: 'mask-excluded',
    shape: o,
    bindings: [uniform('params', 'Params'), read('exclude', 'u32'), readWrite('scores', 'f32')],
    body: /* wgsl */ `
// The lowest f32 stands for −∞: WGSL constant expressions may not produce infinities.
const LOWEST = -3.40282346638528859812e38f;
${PARAMS_WGSL}

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= params.exclude_count) { return; }
  let i = exclude[gid.x];
  if (i < ${o.numItems}u) { scores[i] = LOWEST; }
}
`,
  };
}
