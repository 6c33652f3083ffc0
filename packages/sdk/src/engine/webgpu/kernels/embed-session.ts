// Kernel: session item embeddings plus positions, h[t] = embScale · e(s_t) + pos[t] (docs/model.md).
// Layout: session u32[n] (internal indices, oldest first); pos f32[maxLen, N]; h f32[n, N] row-major.
// Dispatch: one workgroup of 64 per session position t (n ≤ maxLen workgroups).
// Why: the item table's WGSL (`itemRow`, one per bundle kind, bindings ≥ 8) reconstructs e(i) and hands
// every value to `emit_row`, so the scale and the position add happen where the value is produced and
// the row never makes a second trip through memory. The lanes of the workgroup split the row.
import { f32 } from '../gpu-util.ts';

export const EMBED_WORKGROUP = 64;

export function embedSessionWgsl(o: { dim: number; embScale: number; itemRow: string }): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> session: array<u32>;
@group(0) @binding(1) var<storage, read> pos: array<f32>;
@group(0) @binding(2) var<storage, read_write> h: array<f32>;

fn emit_row(dst: u32, n: u32, v: f32) {
  h[dst + n] = ${f32(o.embScale)} * v + pos[dst + n];
}

${o.itemRow}

@compute @workgroup_size(${EMBED_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = wid.x;
  item_row(session[t], t * ${o.dim}u, lid.x, ${EMBED_WORKGROUP}u);
}
`;
}
