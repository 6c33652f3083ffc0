// What the WebGPU engine needs from an item table (docs/model.md "Item table"), one module per bundle kind:
// WGSL that rebuilds a session item's embedding e(i) for the embed kernel, and the dispatches that score
// every item against θ. A kernel that includes the table's WGSL adds the table's named bindings to its own
// (kernel.ts numbers them; names never clash with the host kernel's).
import { read, type BindingDecl } from '../kernel.ts';

export interface GpuItemTable {
  /**
   * WGSL of `fn item_row(i: u32, dst: u32, lane: u32, lanes: u32)`, which calls the host kernel's
   * `emit_row(dst, n, value)` once for every n in 0 … N−1, the lanes of a workgroup sharing the row.
   */
  readonly rowWgsl: string;
  /** The buffers `rowWgsl` reads, declared by the host kernel after its own. */
  readonly rowBindings: readonly BindingDecl[];
  /** Those buffers, by binding name. */
  readonly rowBuffers: Readonly<Record<string, GPUBuffer>>;
  /** Compiles the scoring kernels for these θ and score buffers; the result records them into a pass. */
  createScorer(theta: GPUBuffer, scores: GPUBuffer): Promise<(pass: GPUComputePassEncoder) => void>;
  /** Bytes of GPU memory the table holds. */
  readonly bytes: number;
  destroy(): void;
}

/** An item table's read-only f32/u32 storage buffers, as bindings a host kernel adds to its own. */
export function tableBindings(
  decls: readonly { name: string; type: 'f32' | 'u32' | 'vec4f' }[],
): BindingDecl[] {
  return decls.map((d) => read(d.name, d.type));
}
