// What the WebGPU engine needs from an item table (docs/model.md "Item table"), one module per bundle kind:
// WGSL that rebuilds a session item's embedding e(i) for the embed kernel, and the dispatches that score
// every item against θ. Item-table buffers take bindings 8, 9, … of the kernels that include their WGSL.
export interface GpuItemTable {
  /**
   * WGSL declaring the table's buffers (bindings ≥ 8) and
   * `fn item_row(i: u32, dst: u32, lane: u32, lanes: u32)`, which calls the host kernel's
   * `emit_row(dst, n, value)` once for every n in 0 … N−1, the lanes of a workgroup sharing the row.
   */
  readonly rowWgsl: string;
  /** The buffers of `rowWgsl`, bound at 8, 9, … in this order. */
  readonly rowBuffers: readonly GPUBuffer[];
  /** Compiles the scoring kernels for these θ and score buffers; the result records them into a pass. */
  createScorer(theta: GPUBuffer, scores: GPUBuffer): Promise<(pass: GPUComputePassEncoder) => void>;
  /** Bytes of GPU memory the table holds. */
  readonly bytes: number;
  destroy(): void;
}

/** Bindings of item-table buffers start here, after every host kernel's own bindings. */
export const TABLE_BINDING_BASE = 8;

/** WGSL declarations of read-only f32/u32 storage buffers at bindings 8, 9, … */
export function tableBindings(decls: readonly { name: string; type: 'f32' | 'u32' | 'vec4f' }[]): string {
  return decls
    .map(
      (d, k) =>
        `@group(0) @binding(${TABLE_BINDING_BASE + k}) var<storage, read> ${d.name}: array<${d.type}>;`,
    )
    .join('\n');
}
