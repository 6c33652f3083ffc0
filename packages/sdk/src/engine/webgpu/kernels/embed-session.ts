// Kernel: session item embeddings plus positions, h[t] = embScale · e(s_t) + pos[t] (docs/model.md).
// Layout: params.n, params.first; session u32[n] (internal indices, oldest first); pos f32[maxLen, N];
//   h f32[n, N], rows first … n − 1 written.
// Dispatch: 1 workgroup of 64; the lanes split each row, the workgroup walks the n ≤ maxLen rows.
// Why: the item table's WGSL (`itemRow`, one per bundle kind, bindings ≥ 8) reconstructs e(i) and hands
// every value to `emit_row`, so the scale and the position add happen where the value is produced. One
// workgroup, no barriers: the work is ≤ 50 rows, and under SwiftShader every extra workgroup costs a fixed
// overhead that dwarfed it (one workgroup per row made the whole encoder ~50 ms at N = 128).
import { f32 } from '../gpu-util.ts';
import { PARAMS_WGSL } from './params.ts';
import { type BindingDecl, type KernelSpec, read, readWrite, uniform } from '../kernel.ts';

export const EMBED_WORKGROUP = 64;

export function embedSessionKernel(o: {
  dim: number;
  embScale: number;
  itemRow: string;
  /** The item table's buffers, which `itemRow` reads. */
  table: readonly BindingDecl[];
}): KernelSpec {
  return {
    name: 'embed-session',
    shape: { dim: o.dim, embScale: o.embScale, itemRow: o.itemRow },
    bindings: [
      read('session', 'u32'),
      read('pos', 'f32'),
      readWrite('h', 'f32'),
      uniform('params', 'Params'),
      ...o.table,
    ],
    body: /* wgsl */ `
${PARAMS_WGSL}

fn emit_row(dst: u32, n: u32, v: f32) {
  h[dst + n] = ${f32(o.embScale)} * v + pos[dst + n];
}

${o.itemRow}

@compute @workgroup_size(${EMBED_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3u) {
  for (var t = params.first; t < params.n; t++) {
    item_row(session[t], t * ${o.dim}u, lid.x, ${EMBED_WORKGROUP}u);
  }
}
`,
  };
}
