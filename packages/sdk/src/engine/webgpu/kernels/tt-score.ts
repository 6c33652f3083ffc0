// Kernel (tt scoring, step 3 of 3): score_i = Σ_{x < A·R} Pfx[π(i)][x] · W[i_{d−1}(i)][x], with
// π(i) = ⌊i / p_{d−1}⌋ and i_{d−1}(i) = i mod p_{d−1} (first core most significant, docs/model.md).
// Layout: pfx f32[P, A·R] (tt-prefix), w f32[p_{d−1}, A·R] (tt-last-core), scores f32[V].
// Dispatch: grid(⌈V / 128⌉) workgroups of 128, one invocation per item: A·R (= N/q_{d−1} · R) MACs.
import { FLAT_WORKGROUP_ID } from '../gpu-util.ts';
import { type KernelSpec, read, readWrite } from '../kernel.ts';

const WG = 128;
export const TT_SCORE_WORKGROUP = WG;

export function ttScoreKernel(o: { numItems: number; lastP: number; width: number }): KernelSpec {
  return {
    name: 'tt-score',
    shape: o,
    bindings: [read('pfx', 'f32'), read('w', 'f32'), readWrite('scores', 'f32')],
    body: /* wgsl */ `

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (${FLAT_WORKGROUP_ID}) * ${WG}u + lid.x;
  if (i >= ${o.numItems}u) { return; }
  let pb = (i / ${o.lastP}u) * ${o.width}u;
  let wb = (i % ${o.lastP}u) * ${o.width}u;
  var s = 0.0;
  for (var x = 0u; x < ${o.width}u; x++) { s += pfx[pb + x] * w[wb + x]; }
  scores[i] = s;
}
`,
  };
}
