// Kernel (tt scoring, step 2 of 3): θ contracted with the last core, per query:
//   W[i_{d−1}][a][r] = Σ_j θ[a · q_{d−1} + j] · core_{d−1}[r, i_{d−1}, j, 0]
// so that score_i = Σ_{a, r} Pfx[π(i)][a][r] · W[i_{d−1}(i)][a][r] (the last digit's output index is the
// fastest in n, so θ splits into A blocks of q_{d−1}).
// Layout: theta f32[N]; cores as in tt-prefix; w f32[p_{d−1}, A, R_{d−1}].
// Dispatch: ⌈p_{d−1}·A·R_{d−1} / 64⌉ workgroups of 64, one invocation per entry (p·N·R MACs in all).
import type { TtKernelGeometry } from './tt-prefix.ts';
import { type KernelSpec, read, readWrite } from '../kernel.ts';

const WG = 64;
export const TT_LAST_CORE_WORKGROUP = WG;

export function ttLastCoreKernel(g: TtKernelGeometry): KernelSpec {
  const d = g.p.length;
  const pl = g.p[d - 1];
  const ql = g.q[d - 1];
  const R = g.ranks[d - 1];
  const A = g.q.slice(0, d - 1).reduce((x, y) => x * y, 1);
  return {
    name: 'tt-last-core',
    shape: { p: g.p, q: g.q, ranks: g.ranks, offsets: g.offsets },
    bindings: [read('theta', 'f32'), read('cores', 'f32'), readWrite('w', 'f32')],
    body: /* wgsl */ `

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let id = gid.x;
  if (id >= ${pl * A * R}u) { return; }
  let r = id % ${R}u;
  let a = (id / ${R}u) % ${A}u;
  let il = id / ${A * R}u;
  var s = 0.0;
  for (var j = 0u; j < ${ql}u; j++) {
    s += theta[a * ${ql}u + j] * cores[${g.offsets[d - 1]}u + (r * ${pl}u + il) * ${ql}u + j];
  }
  w[id] = s;
}
`,
  };
}
