// Kernel: the session-repeat head (docs/model.md, engine/repeat-head.ts) — the score of the session's j-th
// distinct item becomes score + (scoreWeight · score + boost[j]), the order of float32 steps the CPU uses.
// Layout: params.boost_count (u32); items u32[count] (distinct internal indices); boosts f32[count];
// scores f32[V].
// Dispatch: ⌈count/64⌉ workgroups of 64 (none when the bundle has no head).
// Why on the host: the boosts depend on the session's clicks only, which the host has; computing them there
// and scattering ≤ maxLen additions here keeps the kernel trivial and the values identical to the CPU engine's.
import { PARAMS_WGSL } from './params.ts';
import { type KernelSpec, read, readWrite, uniform } from '../kernel.ts';

const WG = 64;
export const REPEAT_BOOST_WORKGROUP = WG;

export function addRepeatBoostsKernel(o: { numItems: number; scoreWeight: number }): KernelSpec {
  // The weight is a constant of the bundle: baked in as an f32 literal (exact: Float32 → shortest decimal).
  const w = Math.fround(o.scoreWeight);
  return {
    name: 'add-repeat-boosts',
    shape: o,
    bindings: [
      uniform('params', 'Params'),
      read('items', 'u32'),
      read('boosts', 'f32'),
      readWrite('scores', 'f32'),
    ],
    body: /* wgsl */ `
${PARAMS_WGSL}

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= params.boost_count) { return; }
  let i = items[gid.x];
  // Items are distinct, so no two invocations write the same score.
  if (i < ${o.numItems}u) {
    let s = scores[i];
    scores[i] = s + (${f32Literal(w)} * s + boosts[gid.x]);
  }
}
`,
  };
}

/** A float32 value as a WGSL f32 literal that parses back to the same value. */
function f32Literal(x: number): string {
  const text = String(x);
  return `${text.includes('.') || text.includes('e') ? text : `${text}.0`}f`;
}
