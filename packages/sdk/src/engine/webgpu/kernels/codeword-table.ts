// Kernel: LightRec's per-query lookup table, T[m][k] = θ · codebooks[m, k] (docs/model.md "Scoring").
// Layout: theta f32[N]; codebooks f32[M, K, N] row-major; table f32[M · K].
// Dispatch: ⌈M·K/64⌉ workgroups of 64, one invocation per codeword.
// Why: this is the only part of compositional scoring that touches N-wide vectors, M·K·N MACs
// (5·256·128 = 164k) once per query, after which every item costs M table reads instead of N MACs.
import { type KernelSpec, read, readWrite } from '../kernel.ts';
const WG = 64;
export const CODEWORD_TABLE_WORKGROUP = WG;

export function codewordTableKernel(o: { dim: number; codewords: number }): KernelSpec {
  return {
    name: 'codeword-table',
    shape: o,
    bindings: [read('theta', 'f32'), read('codebooks', 'f32'), readWrite('table', 'f32')],
    body: /* wgsl */ `

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= ${o.codewords}u) { return; }
  let base = c * ${o.dim}u;
  var s = 0.0;
  for (var d = 0u; d < ${o.dim}u; d++) { s += theta[d] * codebooks[base + d]; }
  table[c] = s;
}
`,
  };
}
