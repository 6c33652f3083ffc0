// Kernel: compositional scoring of every item by table lookup, score_i = Σ_m T[m][code_{i,m}] (LightRec).
// Layout: codes u32[V, W]: the M codes of an item packed little-endian into W = ⌈M / C⌉ words, C = 4 codes of
//   8 bits (K ≤ 256) or 2 of 16 bits; table f32[M · K]; scores f32[V].
// Dispatch: grid(⌈V/256⌉) workgroups of 256 (2-D past 65,535), one invocation per item.
// Why: each item costs W coalesced u32 loads + M table reads + M adds; the table (M·K floats, 4 KiB for
// M = 4, K = 256) stays cache-resident. Staging it in workgroup memory first was measured SLOWER under
// SwiftShader (a copy + barrier per workgroup, 3,907 workgroups at 1M items), so it reads storage directly.
import { FLAT_WORKGROUP_ID } from '../gpu-util.ts';
import { type KernelSpec, read, readWrite } from '../kernel.ts';

const WG = 256;
export const LUT_SCORE_WORKGROUP = WG;

export function lutScoreKernel(o: {
  numItems: number;
  M: number;
  K: number;
  bitsPerCode: 8 | 16;
}): KernelSpec {
  const perWord = 32 / o.bitsPerCode;
  const words = Math.ceil(o.M / perWord);
  const mask = o.bitsPerCode === 8 ? '0xffu' : '0xffffu';
  const terms: string[] = [];
  for (let m = 0; m < o.M; m++) {
    const w = Math.floor(m / perWord);
    const shift = (m % perWord) * o.bitsPerCode;
    terms.push(`table[${m * o.K}u + ((w${w} >> ${shift}u) & ${mask})]`);
  }
  const loads = Array.from({ length: words }, (_, w) => `let w${w} = codes[i * ${words}u + ${w}u];`).join(
    '\n  ',
  );
  return {
    name: 'lut-score',
    shape: o,
    bindings: [read('codes', 'u32'), read('table', 'f32'), readWrite('scores', 'f32')],
    body: /* wgsl */ `

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = (${FLAT_WORKGROUP_ID}) * ${WG}u + lid.x;
  if (i >= ${o.numItems}u) { return; }
  ${loads}
  scores[i] = ${terms.join(' + ')};
}
`,
  };
}
