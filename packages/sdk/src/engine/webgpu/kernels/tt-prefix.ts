// Kernel (tt scoring, step 1 of 3): the prefix products of the tensor train, once per query for every item
// prefix π = (i_0 … i_{d−2}): Pfx[π][a][r] = (S_0 · S_1 ⋯ S_{d−2})[a, r], a = (j_0 … j_{d−2}) in mixed radix,
// r < R_{d−1}. They do not depend on θ, but are rebuilt per query like the CPU engine's scan does: the table
// is never stored, only its cores (the cost the paper measures), and items sharing a prefix (p_{d−1} of them)
// share this work instead of each rebuilding the whole chain.
// Layout: cores f32 (all cores concatenated, core k at offsets[k], shape [R_k, p_k, q_k, R_{k+1}]);
//   pfx f32[P, A, R_{d−1}] with P = ⌈V / p_{d−1}⌉ prefixes in use, A = ∏_{k<d−1} q_k.
// Dispatch: grid(⌈P·A / 64⌉) workgroups of 64, one invocation per (π, a), carrying a length-R vector.
import { FLAT_WORKGROUP_ID } from '../gpu-util.ts';
import { type KernelSpec, read, readWrite } from '../kernel.ts';

const WG = 64;
export const TT_PREFIX_WORKGROUP = WG;

export interface TtKernelGeometry {
  p: readonly number[];
  q: readonly number[];
  /** R_0 = 1, R_1 … R_{d−1}, R_d = 1. */
  ranks: readonly number[];
  /** Offset of each core in the concatenated buffer (floats). */
  offsets: readonly number[];
}

/** `prefixes`: how many prefixes items use, ⌈V / p_{d−1}⌉ (≤ ∏_{k<d−1} p_k). */
export function ttPrefixKernel(g: TtKernelGeometry, prefixes: number): KernelSpec {
  const d = g.p.length;
  const R = g.ranks;
  const P = prefixes;
  const A = g.q.slice(0, d - 1).reduce((x, y) => x * y, 1);
  const lines: string[] = [];
  lines.push('var pr = prefix;', 'var ar = a;');
  for (let k = d - 2; k >= 0; k--) {
    lines.push(`let i${k} = pr % ${g.p[k]}u;`, `pr = pr / ${g.p[k]}u;`);
    lines.push(`let j${k} = ar % ${g.q[k]}u;`, `ar = ar / ${g.q[k]}u;`);
  }
  const at = (k: number, r: string, rr: string) =>
    `cores[${g.offsets[k]}u + ((${r} * ${g.p[k]}u + i${k}) * ${g.q[k]}u + j${k}) * ${R[k + 1]}u + ${rr}]`;
  lines.push(`var v1: array<f32, ${R[1]}>;`);
  lines.push(`for (var r = 0u; r < ${R[1]}u; r++) { v1[r] = ${at(0, '0u', 'r')}; }`);
  for (let k = 1; k < d - 1; k++) {
    lines.push(`var v${k + 1}: array<f32, ${R[k + 1]}>;`);
    lines.push(`for (var rr = 0u; rr < ${R[k + 1]}u; rr++) {`);
    lines.push('  var s = 0.0;');
    lines.push(`  for (var r = 0u; r < ${R[k]}u; r++) { s += v${k}[r] * ${at(k, 'r', 'rr')}; }`);
    lines.push(`  v${k + 1}[rr] = s;`);
    lines.push('}');
  }
  lines.push(`for (var r = 0u; r < ${R[d - 1]}u; r++) { pfx[id * ${R[d - 1]}u + r] = v${d - 1}[r]; }`);
  return {
    name: 'tt-prefix',
    shape: { p: g.p, q: g.q, ranks: g.ranks, offsets: g.offsets, prefixes },
    bindings: [read('cores', 'f32'), readWrite('pfx', 'f32')],
    body: /* wgsl */ `

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let id = (${FLAT_WORKGROUP_ID}) * ${WG}u + lid.x;
  if (id >= ${P * A}u) { return; }
  let prefix = id / ${A}u;
  let a = id % ${A}u;
  ${lines.join('\n  ')}
}
`,
  };
}
