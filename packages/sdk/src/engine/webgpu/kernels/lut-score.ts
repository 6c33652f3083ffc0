// Kernel: compositional scoring of every item by table lookup, score_i = Σ_m T[m][code_{i,m}] (LightRec).
// Layout: codes u32[V, W]: the M codes of an item packed little-endian into W = ⌈M / C⌉ words, C = 4 codes of
//   8 bits (K ≤ 256) or 2 of 16 bits; table f32[M · K]; scores f32[V].
// Dispatch: grid(⌈V/256⌉) workgroups of 256 (2-D past 65,535), one invocation per item.
// Why: the table (M·K floats, ≤ 16 KiB for the sizes we ship) is first copied into workgroup memory, so
// the V·M random lookups hit on-chip memory; each item then costs W coalesced u32 loads + M adds.
import { FLAT_WORKGROUP_ID } from '../gpu-util.ts';

const WG = 256;
export const LUT_SCORE_WORKGROUP = WG;
/** Largest table kept in workgroup memory (f32 entries): 12 KiB of the 16 KiB every adapter offers. */
export const LUT_SHARED_MAX = 3072;

export function lutScoreWgsl(o: { numItems: number; M: number; K: number; bitsPerCode: 8 | 16 }): string {
  const perWord = 32 / o.bitsPerCode;
  const words = Math.ceil(o.M / perWord);
  const mask = o.bitsPerCode === 8 ? '0xffu' : '0xffffu';
  const shared = o.M * o.K <= LUT_SHARED_MAX;
  const lookup = shared ? 'lut' : 'table';
  const terms: string[] = [];
  for (let m = 0; m < o.M; m++) {
    const w = Math.floor(m / perWord);
    const shift = (m % perWord) * o.bitsPerCode;
    terms.push(`${lookup}[${m * o.K}u + ((w${w} >> ${shift}u) & ${mask})]`);
  }
  const loads = Array.from({ length: words }, (_, w) => `let w${w} = codes[i * ${words}u + ${w}u];`).join(
    '\n  ',
  );
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> codes: array<u32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
${shared ? `var<workgroup> lut: array<f32, ${o.M * o.K}>;` : ''}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  ${shared ? `for (var c = lid.x; c < ${o.M * o.K}u; c += ${WG}u) { lut[c] = table[c]; }\n  workgroupBarrier();` : ''}
  let i = (${FLAT_WORKGROUP_ID}) * ${WG}u + lid.x;
  if (i >= ${o.numItems}u) { return; }
  ${loads}
  scores[i] = ${terms.join(' + ')};
}
`;
}
